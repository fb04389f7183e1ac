// KubeFed parity units that goldens show only by example: apimachinery's label-selector rules,
// evanphx/json-patch v4.12's index arithmetic, and `init --from` on a live KubeFed dump.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { selectorMatches, selectorProblems } from '../src/core/selector.js';
import { applyPatch } from '../src/override/apply-patch.js';
import { GOLDEN, project, run } from './helpers.js';

test('selectors as labels.NewRequirement: invalid ones are reported and select nothing', () => {
  const bad = [
    { matchExpressions: [{ key: 'tier', operator: 'In' }] },
    { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: [] }] },
    { matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['x'] }] },
    { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist', values: ['x'] }] },
    { matchExpressions: [{ key: 'tier', operator: 'Gt', values: ['1'] }] },
    { matchLabels: { 'a/b/c': 'x' } },
    { matchLabels: { '/tier': 'x' } },
    { matchLabels: { 'Example.com/tier': 'x' } },
    { matchLabels: { [`${'k'.repeat(64)}`]: 'x' } },
    { matchLabels: { tier: 'v'.repeat(64) } },
    { matchLabels: { tier: '-gold' } },
  ];
  for (const s of bad) {
    assert.ok(selectorProblems(s).length > 0, JSON.stringify(s));
    assert.not.ok(selectorMatches(s as never, { tier: 'x' }), JSON.stringify(s));
  }
  const good = [
    { matchLabels: { 'example.com/tier': '' } },
    { matchLabels: { 'app.kubernetes.io/name': 'web_1.x' } },
    { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'] }] },
    { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] },
  ];
  for (const s of good) assert.equal(selectorProblems(s), [], JSON.stringify(s));
  assert.ok(selectorMatches(good[3] as never, { tier: 'x' }));
});

const doc = Object.freeze({ apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, list: ['a', 'b', 'c'] });
const list = (r: ReturnType<typeof applyPatch>) => (r.ok ? r.root.list : r.reason);

test('JSON patch indices as evanphx/json-patch v4.12 (Atoi, negative from the end)', () => {
  const seg = (i: string) => ['list', i];
  assert.equal(list(applyPatch(doc, { op: 'replace', segments: seg('-1'), value: 'Z' })), ['a', 'b', 'Z']);
  assert.equal(list(applyPatch(doc, { op: 'replace', segments: seg('-3'), value: 'Z' })), ['Z', 'b', 'c']);
  assert.equal(list(applyPatch(doc, { op: 'replace', segments: seg('01'), value: 'Z' })), ['a', 'Z', 'c']);
  assert.equal(list(applyPatch(doc, { op: 'replace', segments: seg('+2'), value: 'Z' })), ['a', 'b', 'Z']);
  assert.equal(list(applyPatch(doc, { op: 'remove', segments: seg('-1') })), ['a', 'b']);
  // add works on an array one slot longer: -1 is after the last item, -4 before the first.
  assert.equal(list(applyPatch(doc, { op: 'add', segments: seg('-1'), value: 'Z' })), ['a', 'b', 'c', 'Z']);
  assert.equal(list(applyPatch(doc, { op: 'add', segments: seg('-4'), value: 'Z' })), ['Z', 'a', 'b', 'c']);
  assert.equal(list(applyPatch(doc, { op: 'add', segments: seg('3'), value: 'Z' })), ['a', 'b', 'c', 'Z']);
  assert.equal(list(applyPatch(doc, { op: 'add', segments: seg('-'), value: 'Z' })), ['a', 'b', 'c', 'Z']);
  for (const [op, i] of [
    ['replace', '-4'],
    ['remove', '3'],
    ['add', '-5'],
    ['add', '4'],
    ['replace', '-'],
    ['replace', '1.0'],
  ] as const) {
    const r = applyPatch(doc, { op, segments: seg(i), value: 'Z' });
    assert.not.ok(r.ok, `${op} ${i}`);
  }
  assert.equal(doc.list, ['a', 'b', 'c'], 'the base stays untouched');
});

test('init --from writes clusters from a KubeFed dump, with where each came from; bad dumps change nothing', async () => {
  const dump = readFileSync(join(GOLDEN, 'migrate-kubefed-dump/input/dump/kubefed.yaml'), 'utf8');
  // A manifest for the starter's `resources` glob: a pattern that matches no file is an error.
  const dir = project({
    'kubefed-dump.yaml': dump,
    'plain.yaml': 'apiVersion: v1\nkind: List\nitems: []\n',
    'manifests/app.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: default}\n',
  });
  const res = await run(['init', '--from', 'kubefed-dump.yaml'], dir);
  assert.is(res.code, 0, res.stderr);
  const text = readFileSync(join(dir, 'federation.yaml'), 'utf8');
  assert.match(
    text,
    /# KubeFedCluster kube-federation-system\/member1 \(kubefed-dump\.yaml:28\)\n {2}- name: member1\n/,
  );
  const config = parse(text);
  assert.equal(config.clusters, [
    {
      name: 'fedhost',
      labels: { region: 'ap-southeast', role: 'host' },
      server: 'https://k8s.fedhost.example:6443',
    },
    { name: 'member1', labels: { region: 'eu-west' }, server: 'https://k8s.member1.example:6443' },
    { name: 'member2', labels: { region: 'us-east' }, server: 'https://k8s.member2.example:6443' },
  ]);
  assert.equal(config.kubefed, { scope: 'Cluster' });
  assert.is((await run(['validate'], dir)).code, 0, 'the written file validates');
  const again = await run(['init', '--from', 'kubefed-dump.yaml'], dir);
  assert.is(again.code, 1, 'never overwrites');
  const other = project({ 'plain.yaml': 'apiVersion: v1\nkind: List\nitems: []\n', 'broken.yaml': 'a: [\n' });
  for (const f of ['plain.yaml', 'broken.yaml', 'missing.yaml']) {
    const r = await run(['init', '--from', f], other);
    assert.is(r.code, 1, f);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.ok((await run(['init', '--from', 'plain.yaml'], other)).stderr.includes('holds no KubeFedCluster'));
  assert.not.ok(existsSync(join(other, 'federation.yaml')), 'nothing written');
});

test('explain tells one story: native scheduling among the clusters placement and namespace leave', async () => {
  const config = join(GOLDEN, 'replica-scheduling-within-placement/input/federation.yaml');
  const res = await run(['explain', 'deployment/api', '-n', 'shop', '-c', config]);
  assert.is(res.code, 0, res.stderr);
  const lines = res.stdout.split('\n');
  const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
  assert.match(res.stdout, /placement: placement rule .* -> eu-2, us-1, us-2\n/);
  assert.match(res.stdout, /namespace: shop is rendered .* in eu-1, eu-2, us-1; dropped here: us-2\n/);
  assert.match(
    res.stdout,
    /scheduling: replicaScheduling rule .*, among the placed clusters eu-2, us-1: eu-2=4, us-1=4\n/,
  );
  assert.ok(
    at(/^ {2}namespace:/) < at(/^ {2}scheduling:/),
    'the namespace bound comes before native scheduling',
  );
  assert.match(res.stdout, /\n {2}us-2: not placed\n/);
  // A KubeFed RSP replaces placement first; the namespace bounds the result afterwards.
  const rsp = await run(['explain', 'deployment/web', '-c', join(GOLDEN, 'rsp-basic/input/federation.yaml')]);
  assert.match(
    rsp.stdout,
    /scheduling: ReplicaSchedulingPreference .* replaces the placement \(as KubeFed\) with ap-1, eu-1, us-1/,
  );
  assert.ok(rsp.stdout.indexOf('scheduling:') < rsp.stdout.indexOf('namespace:'));
});

test('propagation: Disabled renders none of the type, and its RSP is not one without a target', async () => {
  const dir = project({
    'federation.yaml':
      'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters: [{name: a}]\nresources: [k/*.yaml]\n',
    'k/objects.yaml': `apiVersion: core.kubefed.io/v1beta1
kind: FederatedTypeConfig
metadata: {name: deployments.apps, namespace: kube-federation-system}
spec:
  federatedType: {group: types.kubefed.io, kind: FederatedDeployment, pluralName: federateddeployments, scope: Namespaced, version: v1beta1}
  propagation: Disabled
  targetType: {kind: Deployment, pluralName: deployments, scope: Namespaced, version: v1}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: shop, namespace: shop}
spec: {placement: {clusterSelector: {}}}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: web, namespace: shop}
spec:
  template: {spec: {replicas: 1, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx}]}}}}
  placement: {clusterSelector: {}}
---
apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata: {name: web, namespace: shop}
spec: {targetKind: FederatedDeployment, totalReplicas: 3}
`,
  });
  const res = await run(['build'], dir);
  assert.is(res.code, 0, res.stderr);
  assert.match(
    res.stderr,
    /FederatedDeployment web is not rendered: its FederatedTypeConfig \(k\/objects\.yaml:1\) has propagation: Disabled/,
  );
  assert.not.match(res.stderr, /RSP_NO_TARGET/);
  assert.not.ok(existsSync(join(dir, 'rendered/a/shop/deployment-web.yaml')));
  assert.ok(existsSync(join(dir, 'rendered/a/_cluster/namespace-shop.yaml')));
});

test.run();
