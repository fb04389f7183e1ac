// Parsing on two cores (load/parallel-parse.ts): a run whose files the worker parsed reports
// exactly what a sequential run reports, positions and order included, in every golden case and
// on a project where many files have YAML problems; and renders the same bytes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli.js';
import { forceParseWorker, parseClean } from '../src/load/parallel-parse.js';
import { GOLDEN, project } from './helpers.js';

async function run(dir: string, args: string[], worker: boolean) {
  forceParseWorker(worker ? 'worker' : undefined);
  let out = '';
  try {
    const code = await main(args, {
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
      cwd: dir,
      env: {},
    });
    return { code, out };
  } finally {
    forceParseWorker();
  }
}

test('worker-parsed runs report what sequential runs report, in every golden case', async () => {
  let cases = 0;
  for (const name of readdirSync(GOLDEN)) {
    const dir = join(GOLDEN, name, 'input');
    const args = ['validate', '--format', 'json'];
    assert.equal(await run(dir, args, true), await run(dir, args, false), name);
    cases++;
  }
  assert.ok(cases > 20);
});

test('many files, some broken: same diagnostics in the same order, same output bytes', async () => {
  const files: Record<string, string> = {
    'federation.yaml':
      'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n  - name: a\n  - name: b\nresources:\n  - manifests/*.yaml\n',
  };
  for (let i = 0; i < 60; i++) {
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${i}, namespace: default}\ndata: {k: "${i}"}\n`;
    files[`manifests/f${String(i).padStart(2, '0')}.yaml`] =
      i % 7 === 3 ? cm + 'data: {dup: 1}\n' : i % 11 === 5 ? cm + 'bad: [unclosed\n' : cm;
  }
  const args = ['validate', '--format', 'json'];
  const seq = await run(project(files), args, false);
  assert.equal(await run(project(files), args, true), seq);
  assert.ok((seq.out.match(/duplicate key/g) ?? []).length >= 8, seq.out);

  const clean = Object.fromEntries(Object.entries(files).filter(([, t]) => !/dup|unclosed/.test(t)));
  const [one, two] = [project(clean), project(clean)];
  assert.is((await run(one, ['build'], false)).code, 0);
  assert.is((await run(two, ['build'], true)).code, 0);
  for (const f of readdirSync(join(one, 'rendered/a/default')))
    assert.is(
      readFileSync(join(two, 'rendered/a/default', f), 'utf8'),
      readFileSync(join(one, 'rendered/a/default', f), 'utf8'),
    );
});

test('files the worker parsed come back as values, only clean ones', async () => {
  forceParseWorker('worker');
  try {
    const texts = Array.from({ length: 400 }, (_, i) => (i % 50 === 7 ? 'a: [\n' : `a: ${i}\nb: [p, q]\n`));
    const out = await parseClean(
      texts,
      texts.map((_, i) => `f${i}.yaml`),
    );
    out.forEach((r, i) => assert.is(r === undefined, i % 50 === 7, String(i)));
    assert.ok(out.every((r) => r === undefined || 'values' in r));
    assert.equal(out[8], { values: [[0, { a: 8, b: ['p', 'q'] }]] });
  } finally {
    forceParseWorker();
  }
});

test.run();
