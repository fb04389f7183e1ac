// output.layout: shared. For every example and every passing golden case, built in both layouts,
// `kubectl kustomize <output>/<cluster>` prints byte for byte the same in both; the folder names
// and which objects are shared; partial builds (shards union to the full build, a --cluster
// build never changes a shared folder that a cluster outside it lists); stale shared folders go,
// a user's file there stays; `diff` and `--check` speak per cluster.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDocument } from 'yaml';
import { sharedFolderName, sharedLayout, sharedFoldersInUse } from '../src/emit/shared-layout.js';
import { goldenInputs } from './golden-cases.js';
import { copyDir, EXAMPLES, GOLDEN, project, readTree, run, tempDir } from './helpers.js';
import { edit, FEDERATION, fleetRepo, git, parseJson } from './diff-fleet.js';
import type { DiffReport } from '../src/diff/types.js';

const kustomize = (dir: string) =>
  execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** A copy of the project with output.layout set. */
function withLayout(input: string, layout: 'clusters' | 'shared'): string {
  const dir = join(tempDir(), 'p');
  copyDir(input, dir);
  const path = join(dir, 'federation.yaml');
  const doc = parseDocument(readFileSync(path, 'utf8'));
  doc.setIn(['output', 'layout'], layout);
  writeFileSync(path, doc.toString());
  return dir;
}

const cases = [
  ...['plain-host-member', 'kubefed-earth-vulcan', 'kubefed-overrides'].map((n) => ({
    name: `example ${n}`,
    input: join(EXAMPLES, n),
  })),
  ...goldenInputs(),
];

test('kubectl kustomize yields the same bytes per cluster in both layouts, for every example and golden case', async () => {
  let shared = 0;
  let compared = 0;
  for (const c of cases) {
    const out = { clusters: join(tempDir(), 'r'), shared: join(tempDir(), 'r') };
    const a = await run(
      ['build', '-c', 'federation.yaml', '-o', out.clusters],
      withLayout(c.input, 'clusters'),
    );
    const b = await run(['build', '-c', 'federation.yaml', '-o', out.shared], withLayout(c.input, 'shared'));
    assert.is(b.code, a.code, `${c.name}: exit code\n${b.stderr}`);
    if (a.code !== 0) continue;
    const tree = readTree(out.shared);
    const clusters = Object.keys(readTree(out.clusters))
      .filter((p) => /^[^/]+\/kustomization\.yaml$/.test(p) && !p.startsWith('argocd/'))
      .map((p) => p.split('/')[0]!);
    for (const cluster of clusters) {
      assert.ok(tree[`${cluster}/kustomization.yaml`], `${c.name}: ${cluster} has a folder`);
      assert.is(
        kustomize(join(out.shared, cluster)),
        kustomize(join(out.clusters, cluster)),
        `${c.name}: ${cluster}`,
      );
      compared++;
    }
    if (Object.keys(tree).some((p) => p.startsWith('_shared/'))) shared++;
  }
  // The comparison means something only if many cases do share objects.
  assert.ok(compared >= 80 && shared >= 25, `clusters compared: ${compared}, cases sharing: ${shared}`);
});

test('folder names: all, the names joined by +, a hash for long sets; stable', () => {
  const all = ['eu-1', 'eu-2', 'us-1'];
  assert.is(sharedFolderName(['us-1', 'eu-2', 'eu-1'], all), 'all');
  assert.is(sharedFolderName(['us-1', 'eu-1'], all), 'eu-1+us-1');
  const long = Array.from({ length: 20 }, (_, i) => `cluster-number-${String(i).padStart(2, '0')}`);
  const name = sharedFolderName(long.slice(0, 19), long);
  assert.match(name, /^19-clusters-[0-9a-f]{12}$/);
  assert.is(sharedFolderName([...long.slice(0, 19)].reverse(), long), name);
  assert.is.not(sharedFolderName(long.slice(1), long), name);
});

test('what is shared: alike in two or more clusters and different in none', () => {
  const k = (...r: string[]) =>
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${r.map((x) => `- ${x}\n`).join('')}`;
  const files = [
    {
      path: 'a/kustomization.yaml',
      content: k('x/same.yaml', 'x/differs.yaml', 'x/only-a.yaml', 'x/ab.yaml'),
    },
    { path: 'a/x/same.yaml', content: 'S' },
    { path: 'a/x/differs.yaml', content: 'D1' },
    { path: 'a/x/only-a.yaml', content: 'A' },
    { path: 'a/x/ab.yaml', content: 'AB' },
    { path: 'b/kustomization.yaml', content: k('x/same.yaml', 'x/differs.yaml', 'x/ab.yaml') },
    { path: 'b/x/same.yaml', content: 'S' },
    { path: 'b/x/differs.yaml', content: 'D1' },
    { path: 'b/x/ab.yaml', content: 'AB' },
    { path: 'c/kustomization.yaml', content: k('x/same.yaml', 'x/differs.yaml') },
    { path: 'c/x/same.yaml', content: 'S' },
    { path: 'c/x/differs.yaml', content: 'D2' },
  ];
  const all = ['a', 'b', 'c'];
  const layout = sharedLayout(files, all, all);
  const tree = Object.fromEntries(layout.files.map((f) => [f.path, f.content]));
  assert.equal(Object.keys(tree), [
    '_shared/a+b/kustomization.yaml',
    '_shared/a+b/x/ab.yaml',
    '_shared/all/kustomization.yaml',
    '_shared/all/x/same.yaml',
    'a/kustomization.yaml',
    'a/x/differs.yaml',
    'a/x/only-a.yaml',
    'b/kustomization.yaml',
    'b/x/differs.yaml',
    'c/kustomization.yaml',
    'c/x/differs.yaml',
  ]);
  assert.is(
    tree['a/kustomization.yaml'],
    k('../_shared/all', '../_shared/a+b', 'x/differs.yaml', 'x/only-a.yaml'),
  );
  assert.is(tree['c/kustomization.yaml'], k('../_shared/all', 'x/differs.yaml'));
  assert.equal(layout.folders, [
    { path: '_shared/all', clusters: all },
    { path: '_shared/a+b', clusters: ['a', 'b'] },
  ]);
  // A partial build holds its clusters and the folders they list, with the same bytes.
  const partial = sharedLayout(files, all, ['c']);
  assert.equal(
    partial.files.map((f) => f.path),
    ['_shared/all/kustomization.yaml', '_shared/all/x/same.yaml', 'c/kustomization.yaml', 'c/x/differs.yaml'],
  );
  assert.is(partial.files[0]!.content, tree['_shared/all/kustomization.yaml']);
  assert.equal(
    sharedFoldersInUse(
      [
        { path: '_shared/all/x/same.yaml', exists: true },
        { path: '_shared/a+b/x/new.yaml', exists: false },
      ],
      layout.folders,
      ['a'],
    ),
    [{ folder: '_shared/all', others: ['b', 'c'] }],
  );
});

const SHOP = join(GOLDEN, 'shared-layout', 'input');

test('shards: the union of the trees is the full build, the records together its record', async () => {
  const full = join(tempDir(), 'r');
  assert.is((await run(['build', '-c', join(SHOP, 'federation.yaml'), '-o', full], SHOP)).code, 0);
  const union: Record<string, string> = {};
  const owned = new Set<string>();
  for (const i of [1, 2, 3]) {
    const out = join(tempDir(), 'r');
    const r = await run(['build', '-c', join(SHOP, 'federation.yaml'), '-o', out, '--shard', `${i}/3`], SHOP);
    assert.is(r.code, 0, r.stderr);
    for (const [p, text] of Object.entries(readTree(out))) {
      if (p === '.fedrender-owned.yaml') {
        for (const l of text.split('\n')) if (l.startsWith('  ')) owned.add(l.trim());
        continue;
      }
      if (union[p] !== undefined) assert.is(text, union[p], `${p}: two shards wrote other bytes`);
      union[p] = text;
    }
  }
  const { ['.fedrender-owned.yaml']: record, ...rest } = readTree(full);
  assert.equal(union, rest);
  const fullOwned = record!
    .split('\n')
    .filter((l) => l.startsWith('  '))
    .map((l) => l.trim());
  assert.equal([...owned].sort(), fullOwned.sort());
});

test('--cluster: never changes a shared folder that a cluster outside the build lists', async () => {
  const dir = join(tempDir(), 'p');
  copyDir(SHOP, dir);
  assert.is((await run(['build'], dir)).code, 0);
  const before = readTree(join(dir, 'rendered'));

  // Service web is in _shared/all: eu-1 alone may not change it.
  edit(dir, 'manifests/shop.yaml', 'port: 80', 'port: 8080');
  const refused = await run(['build', '--cluster', 'eu-1'], dir);
  assert.is(refused.code, 1);
  assert.match(
    refused.stderr,
    'rendered/_shared/all/:1:1: error: this partial build would change _shared/all, which eu-2, us-1, us-2 list too',
  );
  assert.equal(readTree(join(dir, 'rendered')), before, 'nothing written');
  // --check reports it, naming the clusters that list the folder.
  const check = await run(['build', '--check', '--cluster', 'eu-1'], dir);
  assert.is(check.code, 3);
  assert.match(
    check.stdout,
    '# _shared/all is listed by eu-1, eu-2, us-1, us-2\n--- a/rendered/_shared/all/shop/service-web.yaml',
  );
  edit(dir, 'manifests/shop.yaml', 'port: 8080', 'port: 80');

  // eu-settings is shared by eu-1 and eu-2: both together may change it.
  edit(dir, 'manifests/shop.yaml', 'GDPR: "true"', 'GDPR: "strict"');
  assert.is((await run(['build', '--cluster', 'eu-1'], dir)).code, 1);
  const both = await run(['build', '--cluster', 'eu-1', '--cluster', 'eu-2'], dir);
  assert.is(both.code, 0, both.stderr);
  const after = readTree(join(dir, 'rendered'));
  assert.match(after['_shared/eu-1+eu-2/shop/configmap-eu-settings.yaml']!, 'GDPR: strict');

  // canary is eu-1's own: an eu-1 build changes it, and nothing else.
  edit(dir, 'manifests/shop.yaml', 'TRACK: canary', 'TRACK: stable');
  assert.is((await run(['build', '--cluster', 'eu-1'], dir)).code, 0);
  const last = readTree(join(dir, 'rendered'));
  const changed = Object.keys(last).filter((p) => last[p] !== after[p]);
  assert.equal(changed, ['eu-1/shop/configmap-canary.yaml']);
  assert.is((await run(['build', '--check'], dir)).code, 0);
});

test('a full build moves objects between folders, removes stale shared folders, leaves a user file alone', async () => {
  const dir = join(tempDir(), 'p');
  copyDir(SHOP, dir);
  assert.is((await run(['build'], dir)).code, 0);
  writeFileSync(join(dir, 'rendered/_shared/NOTES.md'), 'mine\n');
  // ClusterRole reader now differs in us-2: out of _shared/eu-2+us-1+us-2, into each folder.
  const text = readFileSync(join(dir, 'federation.yaml'), 'utf8');
  writeFileSync(
    join(dir, 'federation.yaml'),
    text.replace(
      'output:',
      `  - match: {kinds: [ClusterRole], names: [reader]}
    overrides:
      - clusterName: us-2
        clusterOverrides:
          - {path: /rules/0/verbs, value: [get]}
output:`,
    ),
  );
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, 'rendered/_shared/NOTES.md:1:1: warning: not written by fedrender; left alone');
  const tree = readTree(join(dir, 'rendered'));
  assert.ok(!existsSync(join(dir, 'rendered/_shared/eu-2+us-1+us-2')));
  assert.is(tree['_shared/NOTES.md'], 'mine\n');
  for (const c of ['eu-2', 'us-1', 'us-2']) assert.ok(tree[`${c}/_cluster/clusterrole-reader.yaml`], c);
  assert.not.match(tree['eu-2/kustomization.yaml']!, 'eu-2+us-1+us-2');

  // Back to the default layout: every shared file goes, the user's file stays.
  writeFileSync(join(dir, 'federation.yaml'), text.replace('\n  layout: shared\n', '\n  layout: clusters\n'));
  assert.is((await run(['build'], dir)).code, 0);
  const plain = readTree(join(dir, 'rendered'));
  assert.equal(
    Object.keys(plain).filter((p) => p.startsWith('_shared/')),
    ['_shared/NOTES.md'],
  );
});

test('explain says where the shared layout writes an object', async () => {
  const where = async (what: string) => {
    const r = await run(['explain', what], SHOP);
    assert.is(r.code, 0, r.stderr);
    return r.stdout.trim().split('\n').pop();
  };
  assert.is(
    await where('configmap/eu-settings'),
    '  output.layout: shared: written once, _shared/eu-1+eu-2/shop/configmap-eu-settings.yaml, listed by eu-1, eu-2',
  );
  assert.is(
    await where('deployment/web'),
    '  output.layout: shared: in each cluster folder (it differs between clusters)',
  );
  assert.is(
    await where('configmap/canary'),
    '  output.layout: shared: in the cluster folder (one cluster has it)',
  );
});

test('a cluster cannot be named _shared: cluster names are DNS-1123 labels', async () => {
  const dir = project({
    'federation.yaml': `apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n  - name: _shared\n  - name: eu-1\noutput: {layout: shared}\n`,
  });
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^federation\.yaml:4:11: error: .*\[SCHEMA\]/m);
  assert.ok(!existsSync(join(dir, 'rendered')));
});

test('fedrender diff speaks per cluster in the shared layout, exactly as in the default one', async () => {
  const reports: DiffReport[] = [];
  for (const layout of ['clusters', 'shared']) {
    const { repo, dir } = fleetRepo('fleet', {
      'federation.yaml': FEDERATION.replace('  dir: rendered', `  dir: rendered\n  layout: ${layout}`),
    });
    assert.is((await run(['build'], dir)).code, 0);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'rendered');
    edit(dir, 'manifests/others.yaml', 'port: 80', 'port: 8080');
    const r = await run(['diff', '--format', 'json'], dir);
    assert.is(r.code, 0, r.stderr);
    reports.push(parseJson<DiffReport>(r.stdout));
  }
  const [plain, shared] = reports;
  assert.equal(shared, plain);
  assert.equal(
    shared!.changes.map((c) => `${c.cluster} ${c.object.kind}/${c.object.name}`),
    ['eu-1', 'eu-2', 'us-1', 'us-2'].map((c) => `${c} Service/web`),
  );
});

test.run();
