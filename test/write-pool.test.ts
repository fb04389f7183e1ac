// The worker-thread writer (src/write/write-pool.ts) that a large build on the real file system
// uses: it writes exactly what the one-file-at-a-time path writes, makes each text once, and
// reports a failure as the system error fs would have thrown, naming the file.
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { build } from '../src/index.js';
import { realFs, type WriterFs } from '../src/write/index.js';
import { POOL_MIN_FILES, writeInWorkers } from '../src/write/write-pool.js';
import { project, readTree, tempDir } from './helpers.js';

test('writes every file with its text, each text made once', async () => {
  const dir = tempDir();
  for (let d = 0; d < 30; d++) mkdirSync(join(dir, `d${d}`));
  let made = 0;
  const files = Array.from({ length: 2500 }, (_, i) => ({
    path: join(dir, `d${i % 30}`, `f${i}.yaml`),
    text: () => {
      made++;
      return `n: ${i}\n${'x'.repeat(i % 700)}\n`;
    },
  }));
  const stats = await writeInWorkers(files, (f) => ({ path: f.path, text: f.text() }));
  assert.is(made, files.length);
  // Each file's stat as lstat gives it once written, in the order of the items (the caches'
  // snapshot of a first build takes them: tree-walk.ts).
  assert.is(stats.length, files.length);
  files.forEach((f, i) => {
    const st = lstatSync(f.path);
    assert.equal(stats[i], [st.size, st.mtimeMs, st.ino], f.path);
  });
  for (const i of [0, 1, 29, 30, 1234, 2499])
    assert.is(
      readFileSync(join(dir, `d${i % 30}`, `f${i}.yaml`), 'utf8'),
      `n: ${i}\n${'x'.repeat(i % 700)}\n`,
    );
  assert.is(Object.keys(readTree(dir)).length, files.length);
});

test('a failed write rejects with the code, the call and the path', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'ok'));
  const files = Array.from({ length: 300 }, (_, i) => ({
    path: join(dir, i === 150 ? 'missing' : 'ok', `f${i}`),
    text: () => 'x\n',
  }));
  const e: unknown = await writeInWorkers(files, (f) => ({ path: f.path, text: f.text() })).then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.instance(e, Error);
  assert.equal(
    { code: Reflect.get(e as object, 'code'), syscall: Reflect.get(e as object, 'syscall') },
    { code: 'ENOENT', syscall: 'open' },
  );
  assert.is(Reflect.get(e as object, 'path'), join(dir, 'missing', 'f150'));
});

test('a text that cannot be made rejects with its error', async () => {
  const dir = tempDir();
  const files = Array.from({ length: 100 }, (_, i) => ({
    path: join(dir, `f${i}`),
    text: () => {
      if (i === 70) throw new Error('no text');
      return 'x\n';
    },
  }));
  const e: unknown = await writeInWorkers(files, (f) => ({ path: f.path, text: f.text() })).then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.instance(e, Error);
  assert.is((e as Error).message, 'no text');
});

test(`a build of ${POOL_MIN_FILES}+ files writes through the workers what the one-file path writes`, async () => {
  const clusters = Array.from({ length: 20 }, (_, i) => `  - name: c${i}\n    labels: {n: "${i}"}`).join(
    '\n',
  );
  const files: Record<string, string> = {
    'federation.yaml': `apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n${clusters}\nresources: [m/*.yaml]\noverrides:\n  - match: {kinds: [ConfigMap]}\n    overrides:\n      - clusterName: c3\n        clusterOverrides: [{path: /data/k, value: three}]\n`,
  };
  for (let i = 0; i < 110; i++)
    files[`m/cm${i}.yaml`] =
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm${i}, namespace: ns${i % 4}}\ndata: {k: "${i}"}\n`;
  const viaPool = project(files);
  const oneByOne = project(files);
  // A WriterFs that is not realFs itself takes the one-file-at-a-time path.
  const plainFs: WriterFs = { ...realFs };
  const a = await build({ config: 'federation.yaml', cwd: viaPool });
  const b = await build({ config: 'federation.yaml', cwd: oneByOne, writerFs: plainFs });
  assert.is(a.files, b.files);
  assert.ok(a.files >= POOL_MIN_FILES, `only ${a.files} files`);
  assert.equal(readTree(join(viaPool, 'rendered')), readTree(join(oneByOne, 'rendered')));
  assert.is(
    readFileSync(join(viaPool, 'rendered', 'c3', 'ns1', 'configmap-cm1.yaml'), 'utf8').includes('three'),
    true,
  );
});

test.run();
