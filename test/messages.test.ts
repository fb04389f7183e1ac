// Messages that name what is wrong: a label a cluster lacks, a misspelt entry of a match.kinds
// list beside one that matches, the replicaScheduling weights unjoin leaves behind, and
// `explain --format json` printing one JSON document.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { project, run } from './helpers.js';

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\ndata:\n  v: "1"\n';
const fed = (rest: string) =>
  `apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n  - name: east\n    labels: {region: eu}\n  - name: west\nresources:\n  - manifests/*.yaml\n${rest}`;

test('${cluster.labels.<key>} on a cluster without that label names the cluster and the label', async () => {
  const dir = project({
    'federation.yaml': fed(
      'overrides:\n  - match: {kinds: [ConfigMap]}\n    overrides:\n      - clusterSelector: {}\n        clusterOverrides:\n          - {path: /data/v, value: "${cluster.labels.region}"}\n',
    ),
    'manifests/a.yaml': CM,
  });
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    'federation.yaml:14:36: error: ${cluster.labels.region}: cluster "west" has no label "region" (its labels: none) [UNKNOWN_VARIABLE]',
  );
  // east has it: only west is reported
  assert.not.match(r.stderr, /cluster "east"/);
});

test('a typo in one entry of match.kinds is reported though another entry matches; an error with --strict', async () => {
  const deploy =
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n';
  const dir = project({
    'federation.yaml': fed(
      'placements:\n  - match: {kinds: [ConfigMap, Deploymnet]}\n    placement: {clusters: [{name: east}]}\noverrides:\n  - match: {kinds: [Deployment, apps/StatefulSet]}\n    overrides:\n      - clusterName: east\n        clusterOverrides: [{path: /spec/replicas, value: 2}]\n',
    ),
    'manifests/a.yaml': `${CM}---\n${deploy}`,
  });
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    'federation.yaml:10:32: warning: kind "Deploymnet" in match.kinds matches no object; did you mean Deployment? [UNUSED_RULE]',
  );
  assert.match(
    r.stderr,
    'federation.yaml:13:33: warning: kind "apps/StatefulSet" in match.kinds matches no object [UNUSED_RULE]',
  );
  const strict = await run(['build', '--strict'], dir);
  assert.is(strict.code, 1);
  assert.match(
    strict.stderr,
    'federation.yaml:10:32: error: kind "Deploymnet" in match.kinds matches no object',
  );
});

test('unjoin lists every line that still names the cluster, replicaScheduling weights included', async () => {
  const dir = project({
    'federation.yaml': fed(
      'placements:\n  - match: {kinds: [ConfigMap]}\n    placement: {clusters: [{name: west}]}\nreplicaScheduling:\n  - match: {kinds: [Deployment]}\n    totalReplicas: 3\n    clusters:\n      "*": {weight: 1}\n      west:\n        weight: 2\n  - match: {kinds: [StatefulSet]}\n    totalReplicas: 3\n    clusters: {east: {weight: 1}, west: {weight: 2}}\n',
    ),
    'manifests/a.yaml': CM,
  });
  const r = await run(['unjoin', 'west'], dir);
  assert.is(r.code, 0, r.stderr);
  const text = readFileSync(join(dir, 'federation.yaml'), 'utf8');
  const lineOf = (s: string, from = 0) => text.slice(0, text.indexOf(s, from)).split('\n').length;
  const out = r.stdout + r.stderr;
  assert.match(out, `line ${lineOf('{name: west}')} still names cluster "west"\n`);
  assert.match(out, `line ${lineOf('      west:')} still names cluster "west" (replicaScheduling weights)`);
  assert.match(
    out,
    `line ${lineOf('{east: {weight: 1}, west')} still names cluster "west" (replicaScheduling weights)`,
  );
  assert.is((out.match(/still names/g) ?? []).length, 3);
});

test('explain --format json prints one JSON document on stdout, also when nothing matches', async () => {
  const dir = project({ 'federation.yaml': fed(''), 'manifests/a.yaml': CM });
  const r = await run(['explain', 'configmap/a', '--format', 'json'], dir);
  assert.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    objects: { kind: string; name: string; clusters: string[]; explanation: string[] }[];
  };
  assert.equal(
    doc.objects.map((o) => [o.kind, o.name, o.clusters]),
    [['ConfigMap', 'a', ['east', 'west']]],
  );
  assert.match(
    doc.objects[0]!.explanation[0]!,
    /^ConfigMap default\/a \(v1\), from manifest at manifests\/a\.yaml:1:1$/,
  );
  const none = await run(['explain', 'configmap/zz', '--format', 'json'], dir);
  assert.is(none.code, 1);
  assert.equal(JSON.parse(none.stdout), { objects: [] });
  assert.match(none.stderr, /no configmap\/zz among the inputs/);
});

test.run();
