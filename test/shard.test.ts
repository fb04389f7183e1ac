// `build --shard I/N`: the rule (sorted names dealt round robin), disjoint shards that cover
// every cluster, the union of the shards' trees byte for byte the full build's (cluster folders,
// kustomization.yaml, Argo CD Applications and their index; the ownership records' entries
// together are the full build's record), and the usage errors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseShard, shardClusters } from '../src/shard.js';
import { parseRecord, RECORD_FILE } from '../src/write/record.js';
import { project, readTree, run } from './helpers.js';

const NAMES = ['west-2', 'east', 'central', 'west-1', 'north', 'b', 'a'];

test('shards deal the sorted names round robin, disjoint and covering', () => {
  assert.equal(shardClusters(NAMES, { index: 1, count: 3 }), ['a', 'east', 'west-2']);
  assert.equal(shardClusters(NAMES, { index: 2, count: 3 }), ['b', 'north']);
  assert.equal(shardClusters(NAMES, { index: 3, count: 3 }), ['central', 'west-1']);
  for (const count of [1, 2, 3, 7, 9]) {
    const all = Array.from({ length: count }, (_, i) => shardClusters(NAMES, { index: i + 1, count })).flat();
    assert.equal(all.sort(), [...NAMES].sort(), `N=${count}`);
  }
  // Input order does not matter.
  assert.equal(shardClusters([...NAMES].reverse(), { index: 2, count: 3 }), ['b', 'north']);
});

test('parseShard accepts I/N with 1 <= I <= N only', () => {
  assert.equal(parseShard('2/4'), { index: 2, count: 4 });
  for (const bad of ['0/2', '3/2', '1/0', '1', 'a/b', '-1/2', '1/2/3'])
    assert.type(parseShard(bad), 'string', bad);
});

const FED = (gitops: string) => `apiVersion: fedrender.io/v1alpha1
kind: Federation
clusters:
${['eu-1', 'eu-2', 'us-1', 'us-2', 'ap-1']
  .map(
    (n) => `  - name: ${n}\n    labels: {region: ${n.slice(0, 2)}}\n    server: https://${n}.example:6443\n`,
  )
  .join('')}resources: [manifests/*.yaml]
placements:
  - match: {kinds: [ConfigMap], names: [eu-only]}
    placement: {clusterSelector: {matchLabels: {region: eu}}}
overrides:
  - match: {kinds: [Deployment]}
    overrides:
      - clusterSelector: {}
        labelsOverrider: [{operator: add, value: {fleet/cluster: "\${cluster.name}"}}]
      - clusterName: us-2
        clusterOverrides: [{path: /spec/replicas, value: 7}]
output:
  dir: rendered
${gitops}`;

const MANIFESTS = {
  'manifests/app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: eu-only, namespace: default}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: everywhere, namespace: default}
data: {b: "2"}
`,
};

/** The record's entries: owned files, and owned folders marked with a trailing `/`. */
function recordEntries(text: string | undefined): string[] {
  const parsed = parseRecord(text ?? '');
  if (!parsed.ok) throw new Error(parsed.message);
  return [...parsed.record.files, ...parsed.record.dirs.map((d) => `${d}/`)];
}

for (const [label, gitops] of [
  ['plain', ''],
  ['argocd', '  name: shop\n  gitops: argocd\n  argocd: {repoURL: https://github.com/example/fleet.git}\n'],
] as const) {
  test(`the union of --shard I/3 trees is the full build (${label})`, async () => {
    const dir = project({ 'federation.yaml': FED(gitops), ...MANIFESTS });
    const full = await run(['build', '-c', join(dir, 'federation.yaml')]);
    assert.is(full.code, 0, full.stderr);
    const expected = readTree(join(dir, 'rendered'));
    const union: Record<string, string> = {};
    const records: string[] = [];
    const seen = new Set<string>();
    for (let i = 1; i <= 3; i++) {
      // Each shard in its own checkout, as CI matrix jobs run: same files, same output path.
      const own = project({ 'federation.yaml': FED(gitops), ...MANIFESTS });
      const r = await run(['build', '-c', join(own, 'federation.yaml'), '--shard', `${i}/3`]);
      assert.is(r.code, 0, r.stderr);
      const tree = readTree(join(own, 'rendered'));
      records.push(...recordEntries(tree[RECORD_FILE]));
      delete tree[RECORD_FILE];
      for (const [p, text] of Object.entries(tree)) {
        const cluster = p.split('/')[0];
        // Cluster folders are disjoint; shared files (the Applications' index, the project file,
        // which names every cluster's GitOps object) are the same in all.
        if (cluster !== 'argocd' && p !== '.fedrender-project.yaml')
          assert.not.ok(seen.has(p), `${p} in two shards`);
        if (p in union) assert.is(union[p], text, `${p} differs between shards`);
        seen.add(p);
        union[p] = text;
      }
    }
    const fullRecord = recordEntries(expected[RECORD_FILE]);
    delete expected[RECORD_FILE];
    assert.equal(union, expected);
    // The records together own exactly what the full build's record owns.
    assert.equal([...new Set(records)].sort(), [...fullRecord].sort());
  });
}

test('--shard --check compares its clusters with a full tree', async () => {
  const dir = project({ 'federation.yaml': FED(''), ...MANIFESTS });
  const cfg = join(dir, 'federation.yaml');
  assert.is((await run(['build', '-c', cfg])).code, 0);
  for (let i = 1; i <= 3; i++)
    assert.is((await run(['build', '-c', cfg, '--shard', `${i}/3`, '--check'])).code, 0);
  // us-2 (sorted: ap-1 eu-1 eu-2 us-1 us-2; us-2 is the 5th, so in shard 2) changes.
  writeFileSync(cfg, FED('').replace('value: 7', 'value: 8'));
  const codes = [];
  for (let i = 1; i <= 3; i++)
    codes.push((await run(['build', '-c', cfg, '--shard', `${i}/3`, '--check'])).code);
  assert.equal(codes, [0, 3, 0]);
});

test('--shard usage errors exit 2 and write nothing', async () => {
  const dir = project({ 'federation.yaml': FED(''), ...MANIFESTS });
  for (const args of [
    ['--shard', '0/2'],
    ['--shard', '3/2'],
    ['--shard', 'x'],
    ['--shard', '1/2', '--cluster', 'eu-1'],
  ]) {
    const r = await run(['build', '-c', join(dir, 'federation.yaml'), ...args]);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.stderr, /--shard/);
    assert.equal(readTree(dir)['rendered/eu-1/kustomization.yaml'], undefined);
  }
});

test.run();
