// Replica scheduling applied end to end: what the planner computes is exactly what lands in
// spec.replicas of every cluster's rendered file, zeros included, for ReplicaSchedulingPreference
// objects and native rules; the user's own /spec/replicas override is replaced in place.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { planReplicas } from '../src/schedule/planner.js';
import { federatedDeployment, FEDERATED_NAMESPACE, project, run } from './helpers.js';

const CLUSTERS = ['earth', 'mars', 'venus', 'pluto'];

function fed(extra = ''): string {
  return `apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n${CLUSTERS.map((c, i) => `  - name: ${c}\n    labels: {tier: t${i % 2}}`).join('\n')}\nresources: [k/*.yaml]\n${extra}`;
}

const FNS = FEDERATED_NAMESPACE;

function fdeploy(placement = '{clusters: [{name: earth}]}', overrides = ''): string {
  return federatedDeployment(placement, overrides);
}

function rsp(total: number, clusters: Record<string, Record<string, number>>, extra = ''): string {
  const body = Object.entries(clusters)
    .map(
      ([k, v]) =>
        `    "${k}": {${Object.entries(v)
          .map(([a, b]) => `${a}: ${b}`)
          .join(', ')}}`,
    )
    .join('\n');
  return `apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata: {name: web, namespace: shop}
spec:
  targetKind: FederatedDeployment
  totalReplicas: ${total}
${extra}  clusters:${body ? '\n' + body : ' {}'}
`;
}

function replicasIn(out: string): Record<string, number | undefined> {
  const got: Record<string, number | undefined> = {};
  for (const c of CLUSTERS) {
    const p = join(out, c, 'shop', 'deployment-web.yaml');
    got[c] = existsSync(p) ? parse(readFileSync(p, 'utf8')).spec.replicas : undefined;
  }
  return got;
}

function rng(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

test('random RSPs: every cluster renders exactly the planned replicas, zeros included', async () => {
  const r = rng(7);
  for (let i = 0; i < 25; i++) {
    const prefs: Record<string, Record<string, number>> = {};
    for (const c of [...CLUSTERS, '*']) {
      if (r() < 0.4) continue;
      const p: Record<string, number> = { weight: Math.floor(r() * 4) };
      if (r() < 0.3) p.minReplicas = Math.floor(r() * 4);
      if (r() < 0.3) p.maxReplicas = Math.floor(r() * 6);
      prefs[c] = p;
    }
    const total = Math.floor(r() * 30);
    const dir = project({
      'federation.yaml': fed(),
      'k/ns.yaml': FNS,
      'k/web.yaml': fdeploy(),
      'k/rsp.yaml': rsp(total, prefs),
    });
    const res = await run(['build'], dir);
    assert.is(res.code, 0, res.stderr);
    const plan = planReplicas({
      totalReplicas: total,
      clusters: Object.keys(prefs).length ? prefs : undefined,
      candidates: CLUSTERS,
      key: 'shop/web',
    });
    assert.equal(
      replicasIn(join(dir, 'rendered')),
      Object.fromEntries(CLUSTERS.map((c) => [c, plan.replicas.get(c)])),
      `case ${i}: ${JSON.stringify({ total, prefs })}`,
    );
  }
});

test('the RSP places the target in every cluster, replacing its own placement', async () => {
  const dir = project({
    'federation.yaml': fed(),
    'k/ns.yaml': FNS,
    'k/web.yaml': fdeploy(),
    'k/rsp.yaml': rsp(6, { earth: { weight: 1 } }),
  });
  assert.is((await run(['build'], dir)).code, 0);
  assert.equal(replicasIn(join(dir, 'rendered')), { earth: 6, mars: 0, venus: 0, pluto: 0 });
});

test("a user's own /spec/replicas override is replaced in place, after which later ops still apply", async () => {
  const overrides =
    '  overrides:\n  - clusterName: mars\n    clusterOverrides:\n    - {path: /spec/replicas, value: 99}\n    - {path: /metadata/labels, op: add, value: {pinned: "yes"}}\n';
  const dir = project({
    'federation.yaml': fed(),
    'k/ns.yaml': FNS,
    'k/web.yaml': fdeploy('{clusterSelector: {}}', overrides),
    'k/rsp.yaml': rsp(8, { '*': { weight: 1 } }),
  });
  const res = await run(['build'], dir);
  assert.is(res.code, 0, res.stderr);
  const mars = parse(readFileSync(join(dir, 'rendered/mars/shop/deployment-web.yaml'), 'utf8'));
  assert.is(mars.spec.replicas, 2);
  assert.equal(mars.metadata.labels, { pinned: 'yes' });
});

test('intersectWithClusterSelector uses the selectors of the target and its FederatedNamespace', async () => {
  const dir = project({
    'federation.yaml': fed(),
    'k/ns.yaml': FNS,
    'k/web.yaml': fdeploy('{clusterSelector: {matchLabels: {tier: t0}}}'),
    'k/rsp.yaml': rsp(9, { '*': { weight: 1 } }, '  intersectWithClusterSelector: true\n'),
  });
  assert.is((await run(['build'], dir)).code, 0);
  const plan = planReplicas({
    totalReplicas: 9,
    clusters: { '*': { weight: 1 } },
    candidates: ['earth', 'venus'],
    key: 'shop/web',
  });
  assert.equal(replicasIn(join(dir, 'rendered')), {
    earth: plan.replicas.get('earth'),
    mars: undefined,
    venus: plan.replicas.get('venus'),
    pluto: undefined,
  });
});

test('intersectWithClusterSelector ignores clusters lists, even empty ones (KubeFed selectorOnly)', async () => {
  // KubeFed's e2e "target clusters are the intersection of the RSP clusters and federated
  // resource placement" creates the object with clusters: [] and a clusterSelector.
  const dir = project({
    'federation.yaml': fed(),
    'k/ns.yaml': FNS,
    'k/web.yaml': fdeploy('{clusters: [], clusterSelector: {matchLabels: {tier: t1}}}'),
    'k/rsp.yaml': rsp(
      6,
      { mars: { weight: 2, minReplicas: 3 }, pluto: { weight: 1, minReplicas: 3 } },
      '  intersectWithClusterSelector: true\n',
    ),
  });
  const res = await run(['build'], dir);
  assert.is(res.code, 0, res.stderr);
  assert.equal(replicasIn(join(dir, 'rendered')), { earth: undefined, mars: 3, venus: undefined, pluto: 3 });
});

test('intersectWithClusterSelector without a FederatedNamespace, or selecting nothing, is not applied, with a warning', async () => {
  for (const [files, message] of [
    [{ 'k/web.yaml': fdeploy() }, /there is none among the inputs; KubeFed's lookup failed/],
    [{ 'k/ns.yaml': FNS, 'k/web.yaml': fdeploy() }, /no cluster is selected by the clusterSelectors/],
  ] as const) {
    const dir = project({
      'federation.yaml': fed('kubefed: {scope: Namespaced, namespace: shop}\n'),
      ...files,
      'k/rsp.yaml': rsp(9, {}, '  intersectWithClusterSelector: true\n'),
    });
    const res = await run(['build'], dir);
    assert.is(res.code, 0, res.stderr);
    assert.match(res.stderr, /k\/rsp\.yaml:7:33: warning: /);
    assert.match(res.stderr, message);
    // The object keeps its own placement (earth) and its template's replicas.
    assert.equal(replicasIn(join(dir, 'rendered')), {
      earth: 1,
      mars: undefined,
      venus: undefined,
      pluto: undefined,
    });
  }
});

test('native replicaScheduling rules schedule plain StatefulSets; what cannot be placed is warned with the count', async () => {
  const sts =
    'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: default}\nspec:\n  replicas: 1\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: postgres}]}\n';
  const rule =
    'replicaScheduling:\n  - match: {kinds: [StatefulSet]}\n    totalReplicas: 10\n    clusters: {earth: {weight: 1, maxReplicas: 2}, mars: {weight: 1, maxReplicas: 3}}\n';
  const dir = project({ 'federation.yaml': fed(rule), 'k/sts.yaml': sts });
  const res = await run(['build'], dir);
  assert.is(res.code, 0, res.stderr);
  assert.match(
    res.stderr,
    /federation\.yaml:14:5: warning: 5 of 10 replicas of StatefulSet db cannot be placed/,
  );
  const got = Object.fromEntries(
    CLUSTERS.map((c) => [
      c,
      parse(readFileSync(join(dir, 'rendered', c, 'default/statefulset-db.yaml'), 'utf8')).spec.replicas,
    ]),
  );
  assert.equal(got, { earth: 2, mars: 3, venus: 0, pluto: 0 });
});

test('negative numbers and RSPs without a target are errors at their line', async () => {
  const dir = project({
    'federation.yaml': fed(),
    'k/ns.yaml': FNS,
    'k/rsp.yaml': rsp(-1, { earth: { weight: -2 } }),
  });
  const res = await run(['build'], dir);
  assert.is(res.code, 1);
  assert.match(res.stderr, /k\/rsp\.yaml:6:18: error: totalReplicas must be a non-negative integer/);
  assert.match(res.stderr, /k\/rsp\.yaml:8:23: error: weight must be a non-negative integer/);
  const dir2 = project({ 'federation.yaml': fed(), 'k/ns.yaml': FNS, 'k/rsp.yaml': rsp(3, {}) });
  const res2 = await run(['build'], dir2);
  assert.is(res2.code, 1);
  assert.match(res2.stderr, /k\/rsp\.yaml:3:18: error: ReplicaSchedulingPreference shop\/web has no target/);
});

test.run();
