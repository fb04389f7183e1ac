// The no-op cache (build-cache.ts), through the CLI with FEDRENDER_CACHE_DIR: an unchanged
// rebuild writes nothing and repeats the warnings; any change to an input, to federation.yaml,
// to the set of matched files, or to the output tree (a hand edit, a deleted or an added file)
// makes the next build a real one; --no-cache and --check never use it.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join, sep } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli.js';
import { mergeSnapshots, walkTree, walkTreeInTwoWorkers, walkTreeInWorker } from '../src/tree-walk.js';
import { project, readTree, tempDir } from './helpers.js';

const FED = `apiVersion: fedrender.io/v1alpha1
kind: Federation
clusters:
  - name: a
  - name: b
resources: [manifests/*.yaml]
output:
  dir: rendered
`;
const CM = (name: string, v: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  v: "${v}"\n`;

async function build(dir: string, cache: string, ...args: string[]) {
  let stderr = '';
  const code = await main(['build', ...args], {
    stdout: () => {},
    stderr: (t) => (stderr += t),
    cwd: dir,
    env: { FEDRENDER_CACHE_DIR: cache },
  });
  return { code, stderr };
}

function mtimes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out[p] = statSync(join(dir, p)).mtimeMs;
    }
  };
  walk('');
  return out;
}

test('an unchanged rebuild is served from the cache, writes nothing, repeats the warnings', async () => {
  const dir = project({
    'federation.yaml': FED + 'placements:\n  - match: {names: [nowhere]}\n    placement: {clusters: []}\n',
    'manifests/a.yaml': CM('one', '1'),
  });
  const cache = tempDir();
  const first = await build(dir, cache);
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stderr, /warning/);
  assert.ok(readdirSync(join(cache, 'builds')).length === 1);
  const before = mtimes(join(dir, 'rendered'));
  // A held lock would make a real build wait for two minutes and fail: the cache takes none.
  mkdirSync(join(dir, 'rendered.fedrender-lock'));
  const second = await build(dir, cache);
  rmSync(join(dir, 'rendered.fedrender-lock'), { recursive: true });
  assert.is(second.code, 0);
  assert.is(second.stderr.replace(' (unchanged)', ''), first.stderr);
  assert.match(second.stderr, /\(unchanged\)/);
  assert.equal(mtimes(join(dir, 'rendered')), before);
});

test('a changed input, a new input file or a changed federation.yaml rebuild', async () => {
  const dir = project({ 'federation.yaml': FED, 'manifests/a.yaml': CM('one', '1') });
  const cache = tempDir();
  assert.is((await build(dir, cache)).code, 0);
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('one', '2'));
  assert.is((await build(dir, cache)).code, 0);
  assert.match(readTree(join(dir, 'rendered'))['a/default/configmap-one.yaml'] ?? '', /v: "2"/);
  writeFileSync(join(dir, 'manifests/b.yaml'), CM('two', '1'));
  assert.is((await build(dir, cache)).code, 0);
  assert.ok(readTree(join(dir, 'rendered'))['b/default/configmap-two.yaml']);
  writeFileSync(join(dir, 'federation.yaml'), FED.replace('  - name: b\n', ''));
  assert.is((await build(dir, cache)).code, 0);
  assert.not.ok(readTree(join(dir, 'rendered'))['b/default/configmap-two.yaml']);
});

test('the build after a miss reads each input once: the no-op check hands over what it read', async () => {
  const dir = project({
    'federation.yaml': FED,
    'manifests/a.yaml': CM('one', '1'),
    'manifests/b.yaml': CM('two', '1'),
  });
  const cache = tempDir();
  assert.is((await build(dir, cache)).code, 0);
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('one', '2'));
  // Every read of an input, by path (resources.ts imports readFileSync from node:fs).
  const reads = new Map<string, number>();
  const original = fs.readFileSync;
  const counting = (...args: Parameters<typeof fs.readFileSync>) => {
    const p = args[0];
    if (typeof p === 'string' && p.includes(`${sep}manifests${sep}`)) reads.set(p, (reads.get(p) ?? 0) + 1);
    return original(...args);
  };
  fs.readFileSync = counting as typeof fs.readFileSync;
  syncBuiltinESMExports();
  try {
    assert.is((await build(dir, cache)).code, 0);
  } finally {
    fs.readFileSync = original;
    syncBuiltinESMExports();
  }
  assert.equal([...reads.values()], [1, 1], [...reads.keys()].join(', '));
  assert.match(readTree(join(dir, 'rendered'))['a/default/configmap-one.yaml'] ?? '', /v: "2"/);
});

test('a hand-edited, deleted or added output file makes the next build a real one', async () => {
  const dir = project({ 'federation.yaml': FED, 'manifests/a.yaml': CM('one', '1') });
  const cache = tempDir();
  assert.is((await build(dir, cache)).code, 0);
  const out = join(dir, 'rendered');
  const expected = readTree(out);
  writeFileSync(join(out, 'a/default/configmap-one.yaml'), 'edited by hand\n');
  assert.is((await build(dir, cache)).code, 0);
  assert.equal(readTree(out), expected);
  unlinkSync(join(out, 'b/kustomization.yaml'));
  assert.is((await build(dir, cache)).code, 0);
  assert.equal(readTree(out), expected);
  writeFileSync(join(out, 'a/notes.txt'), 'mine\n');
  const r = await build(dir, cache);
  assert.match(r.stderr, /a\/notes\.txt.*not written by fedrender/);
});

test('--cluster: only the folders of the clusters left out are listed, and a change in them still counts', async () => {
  const dir = project({ 'federation.yaml': FED, 'manifests/a.yaml': CM('one', '1') });
  const cache = tempDir();
  assert.is((await build(dir, cache)).code, 0);
  const first = await build(dir, cache, '--cluster', 'a');
  assert.is(first.code, 0, first.stderr);
  const out = join(dir, 'rendered');
  // The entry of the partial build states a's files, and only the folders of b.
  const entries = readdirSync(join(cache, 'builds')).map((f) =>
    readFileSync(join(cache, 'builds', f), 'utf8'),
  );
  const partial = entries
    .map((t) => JSON.parse(t) as { trees: { outside: string[]; files: [string][] }[] })
    .find((e) => e.trees[0]?.outside.length);
  assert.equal(partial?.trees[0]?.outside, ['b']);
  const paths = partial!.trees[0]!.files.map((f) => f[0]);
  assert.ok(paths.includes('a/default/configmap-one.yaml'));
  assert.ok(paths.includes('b/default/'));
  assert.not.ok(paths.some((p) => p.startsWith('b/') && !p.endsWith('/')));
  // Served from the cache, nothing written.
  const before = mtimes(out);
  const again = await build(dir, cache, '--cluster', 'a');
  assert.is(again.stderr, first.stderr);
  assert.equal(mtimes(out), before);
  // A hand edit in a's folder is repaired; a file added deep in b's folder is reported.
  const expected = readTree(out);
  writeFileSync(join(out, 'a/default/configmap-one.yaml'), 'edited by hand\n');
  assert.is((await build(dir, cache, '--cluster', 'a')).code, 0);
  assert.equal(readTree(out), expected);
  writeFileSync(join(out, 'b/default/notes.txt'), 'mine\n');
  const r = await build(dir, cache, '--cluster', 'a');
  assert.match(r.stderr, /b\/default\/notes\.txt.*not written by fedrender/);
});

test('a tree of 5,000+ files is walked on a worker thread: the same snapshot, and a hand edit still counts', async () => {
  const clusters = Array.from({ length: 25 }, (_, i) => `  - name: c${i}`).join('\n');
  const files: Record<string, string> = {
    'federation.yaml': `apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n${clusters}\nresources: [manifests/*.yaml]\n`,
  };
  for (let i = 0; i < 205; i++) files[`manifests/m${i}.yaml`] = CM(`cm${i}`, String(i));
  const dir = project(files);
  const cache = tempDir();
  assert.is((await build(dir, cache)).code, 0);
  const out = join(dir, 'rendered');
  const worker = await walkTreeInWorker(out, ['c3']);
  assert.equal(worker, walkTree(out, new Set(['c3'])));
  assert.equal(await walkTreeInTwoWorkers(out, ['c3']), walkTree(out, new Set(['c3'])));
  assert.ok(walkTree(out, new Set()).length > 5000);
  // What the first build stored is a walk's snapshot (taken from the writer threads' stats).
  const stored = () => {
    const entries = readdirSync(join(cache, 'builds'));
    assert.is(entries.length, 1);
    const entry = JSON.parse(readFileSync(join(cache, 'builds', entries[0]!), 'utf8')) as {
      trees: { files: unknown }[];
    };
    return entry.trees[0]!.files;
  };
  assert.equal(stored(), walkTree(out, new Set()));
  // So is what a rebuild that rewrote every file from threads stored (the last snapshot patched).
  for (let i = 0; i < 205; i++) writeFileSync(join(dir, `manifests/m${i}.yaml`), CM(`cm${i}`, `v${i}`));
  assert.is((await build(dir, cache)).code, 0);
  assert.equal(stored(), walkTree(out, new Set()));
  const before = mtimes(out);
  assert.is((await build(dir, cache)).code, 0);
  assert.equal(mtimes(out), before, 'a no-op');
  const expected = readTree(out);
  writeFileSync(join(out, 'c7/default/configmap-cm9.yaml'), 'edited by hand\n');
  assert.is((await build(dir, cache)).code, 0);
  assert.equal(readTree(out), expected);
});

test('two walks merge into one sorted snapshot, an entry listed by both taken once', () => {
  const a: [string, number, number, number][] = [
    ['a/', 0, 1, 1],
    ['a/x', 3, 1, 2],
    ['b/', 0, 1, 3],
    ['r', 1, 1, 9],
  ];
  const b: [string, number, number, number][] = [
    ['a/', 0, 1, 1],
    ['b/', 0, 1, 3],
    ['b/y', 4, 1, 4],
    ['r', 1, 1, 9],
    ['s', 2, 1, 10],
  ];
  assert.equal(
    mergeSnapshots(a, b).map((e) => e[0]),
    ['a/', 'a/x', 'b/', 'b/y', 'r', 's'],
  );
  assert.equal(mergeSnapshots([], b), b);
});

test('--no-cache and a missing cache folder build normally', async () => {
  const dir = project({ 'federation.yaml': FED, 'manifests/a.yaml': CM('one', '1') });
  const cache = tempDir();
  assert.is((await build(dir, cache, '--no-cache')).code, 0);
  assert.throws(() => readdirSync(join(cache, 'builds')));
  assert.is((await build(dir, cache)).code, 0);
  rmSync(cache, { recursive: true, force: true });
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('one', '3'));
  assert.is((await build(dir, cache)).code, 0);
  assert.match(readTree(join(dir, 'rendered'))['a/default/configmap-one.yaml'] ?? '', /v: "3"/);
});

test.run();
