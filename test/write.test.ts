// The writer: a failed build changes nothing on disk, fedrender deletes only what its record
// says it wrote, unowned files are kept and reported, --cluster touches only that cluster, an
// unchanged build changes no byte, and an interrupted swap is recovered.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Stats } from 'node:fs';
import { commitWrite, type WriterFs } from '../src/write/index.js';
import { spreadByFolder } from '../src/write/fs-layer.js';
import { isSafeRelative } from '../src/write/record.js';
import type { WritePlan } from '../src/write/plan.js';
import { project, readTree, run } from './helpers.js';

const CLUSTERS = '  - name: east\n    labels: {region: us}\n  - name: west\n    labels: {region: eu}';
const FED = `apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n${CLUSTERS}\nresources:\n  - manifests/*.yaml\n`;
const CM = (name: string, v = '1') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  v: "${v}"\n`;

function fresh() {
  return project({ 'federation.yaml': FED, 'manifests/a.yaml': CM('a'), 'manifests/b.yaml': CM('b') });
}

test('build writes one tree per cluster and an ownership record', async () => {
  const dir = fresh();
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.equal(Object.keys(readTree(join(dir, 'rendered'))), [
    '.fedrender-owned.yaml',
    'east/default/configmap-a.yaml',
    'east/default/configmap-b.yaml',
    'east/kustomization.yaml',
    'west/default/configmap-a.yaml',
    'west/default/configmap-b.yaml',
    'west/kustomization.yaml',
  ]);
});

test('a failed build leaves the previous output byte-identical', async () => {
  const dir = fresh();
  assert.is((await run(['build'], dir)).code, 0);
  const before = readTree(join(dir, 'rendered'));
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('a', '2') + 'bad: [\n');
  writeFileSync(join(dir, 'manifests/b.yaml'), CM('b', '3'));
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  assert.match(r.stderr, /manifests\/a\.yaml:\d+:\d+: error: /);
  assert.equal(readTree(join(dir, 'rendered')), before);
  assert.equal(readdirSync(dir).sort(), ['federation.yaml', 'manifests', 'rendered']);
});

test('an unchanged build changes no byte and no modification time', async () => {
  const dir = fresh();
  await run(['build'], dir);
  const p = join(dir, 'rendered/east/default/configmap-a.yaml');
  const mtime = statSync(p).mtimeMs;
  const before = readTree(join(dir, 'rendered'));
  const r = await run(['build'], dir);
  assert.is(r.code, 0);
  assert.match(r.stderr, /unchanged/);
  assert.equal(readTree(join(dir, 'rendered')), before);
  assert.is(statSync(p).mtimeMs, mtime);
});

test('stale owned files are removed, unowned files are kept and reported', async () => {
  const dir = fresh();
  await run(['build'], dir);
  writeFileSync(join(dir, 'rendered/east/NOTES.md'), 'mine\n');
  mkdirSync(join(dir, 'rendered/extra'), { recursive: true });
  writeFileSync(join(dir, 'rendered/extra/keep.yaml'), 'x: 1\n');
  writeFileSync(join(dir, 'manifests/b.yaml'), '');
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  const tree = readTree(join(dir, 'rendered'));
  assert.not.ok('east/default/configmap-b.yaml' in tree);
  assert.is(tree['east/NOTES.md'], 'mine\n');
  assert.is(tree['extra/keep.yaml'], 'x: 1\n');
  assert.match(
    r.stderr,
    /rendered\/east\/NOTES\.md:1:1: warning: not written by fedrender; left alone \[UNOWNED_FILE\]/,
  );
});

test('a file fedrender did not write is never overwritten', async () => {
  const dir = fresh();
  mkdirSync(join(dir, 'rendered/east/default'), { recursive: true });
  writeFileSync(join(dir, 'rendered/east/default/configmap-a.yaml'), 'hand-written\n');
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  assert.match(r.stderr, /OUTPUT_CONFLICT/);
  assert.is(readFileSync(join(dir, 'rendered/east/default/configmap-a.yaml'), 'utf8'), 'hand-written\n');
  assert.not.ok(existsSync(join(dir, 'rendered/west')));
});

test('a cluster removed from federation.yaml loses its directory', async () => {
  const dir = fresh();
  await run(['build'], dir);
  writeFileSync(join(dir, 'federation.yaml'), FED.replace('  - name: west\n    labels: {region: eu}\n', ''));
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.not.ok(existsSync(join(dir, 'rendered/west')));
  assert.ok(existsSync(join(dir, 'rendered/east/kustomization.yaml')));
});

test('--cluster rebuilds only that cluster and keeps the others owned', async () => {
  const dir = fresh();
  await run(['build'], dir);
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('a', '9'));
  const r = await run(['build', '--cluster', 'east'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.match(readFileSync(join(dir, 'rendered/east/default/configmap-a.yaml'), 'utf8'), /v: "9"/);
  assert.match(readFileSync(join(dir, 'rendered/west/default/configmap-a.yaml'), 'utf8'), /v: "1"/);
  const record = readFileSync(join(dir, 'rendered/.fedrender-owned.yaml'), 'utf8');
  assert.match(record, /west\/default\/configmap-a\.yaml/);
  // A later full build still owns (and so can delete) west's files.
  writeFileSync(join(dir, 'manifests/a.yaml'), '');
  assert.is((await run(['build'], dir)).code, 0);
  assert.not.ok(existsSync(join(dir, 'rendered/west/default/configmap-a.yaml')));
});

test('--cluster with an unknown name is a usage error with a did-you-mean', async () => {
  const dir = fresh();
  const r = await run(['build', '--cluster', 'eats'], dir);
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown cluster "eats" \(did you mean "east"\?\)/);
  assert.not.ok(existsSync(join(dir, 'rendered')));
});

test('--check prints a unified diff, exits 3 and writes nothing', async () => {
  const dir = fresh();
  await run(['build'], dir);
  const before = readTree(join(dir, 'rendered'));
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('a', '7'));
  const r = await run(['build', '--check'], dir);
  assert.is(r.code, 3);
  assert.match(r.stdout, /--- a\/rendered\/east\/default\/configmap-a\.yaml/);
  assert.match(r.stdout, /\n-  v: "1"\n\+  v: "7"\n/);
  assert.equal(readTree(join(dir, 'rendered')), before);
  assert.is((await run(['build'], dir)).code, 0);
  assert.is((await run(['build', '--check'], dir)).code, 0);
});

test('the output directory may not contain federation.yaml', async () => {
  const dir = project({ 'federation.yaml': FED + 'output:\n  dir: .\n', 'manifests/a.yaml': CM('a') });
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  assert.match(r.stderr, /federation\.yaml:\d+:\d+: error: output directory .* contains federation\.yaml/);
});

test('parallel --cluster builds into one tree take turns and both land', async () => {
  const dir = fresh();
  await run(['build'], dir);
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('a', '5'));
  const [east, west] = await Promise.all([
    run(['build', '--cluster', 'east'], dir),
    run(['build', '--cluster', 'west'], dir),
  ]);
  assert.is(east.code, 0, east.stderr);
  assert.is(west.code, 0, west.stderr);
  for (const c of ['east', 'west'])
    assert.match(readFileSync(join(dir, `rendered/${c}/default/configmap-a.yaml`), 'utf8'), /v: "5"/);
  const record = readFileSync(join(dir, 'rendered/.fedrender-owned.yaml'), 'utf8');
  assert.match(record, /east\/default\/configmap-a\.yaml/);
  assert.match(record, /west\/default\/configmap-a\.yaml/);
  assert.not.ok(existsSync(join(dir, 'rendered/.fedrender.lock')));
  assert.is((await run(['build', '--check'], dir)).code, 0);
});

test('the writer takes files from different folders in turn (spreadByFolder)', () => {
  const t = (root: number, path: string) => ({ root, path });
  const items = [t(0, 'a/1'), t(0, 'a/2'), t(0, 'a/3'), t(0, 'b/1'), t(1, 'a/1'), t(0, 'top'), t(0, 'b/2')];
  assert.equal(spreadByFolder(items), [
    t(0, 'a/1'),
    t(0, 'b/1'),
    t(1, 'a/1'),
    t(0, 'top'),
    t(0, 'a/2'),
    t(0, 'b/2'),
    t(0, 'a/3'),
  ]);
  assert.equal(spreadByFolder([]), []);
});

test('a path the record or journal names must be plain and relative (isSafeRelative)', () => {
  const safe = ['a/b', '.a', 'a/.../b', 'a/b.', 'a..b/c', 'x/..y', 'c/default/deployment-web.yaml'];
  const unsafe = ['', '/a', 'a//b', 'a/', './a', 'a/./b', 'a/..', '..', '.', ' a', 'a ', 'a\\b', 'a\u0001b'];
  for (const p of safe) assert.ok(isSafeRelative(p), JSON.stringify(p));
  for (const p of unsafe) assert.not.ok(isSafeRelative(p), JSON.stringify(p));
});

test('a commit of 300,000 new files holds (no call spreads them as arguments)', async () => {
  // In memory: the real file system would take minutes. 10,000 x 50 clusters is 420,000 files;
  // renamed.push(...direct) overflowed the stack there, after the commit point, and left them.
  const files = new Map<string, string>();
  const dirs = new Set<string>(['/out']);
  const enoent = (p: string) => Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT', path: p });
  const stat = (p: string) =>
    dirs.has(p) || files.has(p)
      ? Promise.resolve({ isDirectory: () => dirs.has(p) } as unknown as Stats)
      : Promise.reject(enoent(p));
  const memFs: WriterFs = {
    lstat: stat,
    stat,
    realpath: (p) => Promise.resolve(p),
    readdir: () => Promise.resolve([]),
    readFile: (p) => (files.has(p) ? Promise.resolve(files.get(p)!) : Promise.reject(enoent(p))),
    writeFile: (p, t) => (files.set(p, t), Promise.resolve()),
    rename: (a, b) => (files.set(b, files.get(a)!), files.delete(a), Promise.resolve()),
    unlink: (p) => (files.delete(p) ? Promise.resolve() : Promise.reject(enoent(p))),
    mkdir: (p) => (dirs.add(p), Promise.resolve()),
    rmdir: (p) => (dirs.delete(p), Promise.resolve()),
  };
  const N = 300_000;
  const plan: WritePlan = {
    outDir: '/out',
    roots: ['/out'],
    trees: [],
    problems: [],
    interrupted: false,
    changed: true,
    recordText: '',
    writes: Array.from({ length: N }, (_, i) => ({
      root: 0,
      path: `d${i % 50}/f${i}.yaml`,
      content: `${i}\n`,
    })),
    deletes: [],
    newDirs: Array.from({ length: 50 }, (_, d) => ({ root: 0, path: `d${d}` })),
    dropDirs: [],
  };
  await commitWrite(memFs, plan);
  assert.is(files.get('/out/d7/f257.yaml'), '257\n');
  assert.is([...files.keys()].filter((p) => p.endsWith('.yaml')).length, N);
  assert.not.ok([...files.keys()].some((p) => p.includes('journal')));
});

test.run();
