// The output as its consumers see it. Every examples/* project renders with no diagnostics;
// `kubectl kustomize rendered/<cluster>` succeeds for every cluster of every example and every
// passing golden case and yields exactly that cluster's objects; and the output is
// byte-identical across runs, from CRLF copies of the inputs, and with the inputs listed in
// another order.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LineCounter, parse, parseAllDocuments, parseDocument } from 'yaml';
import { Reporter } from '../src/core/diagnostics.js';
import { expandGlobs } from '../src/load/resources.js';
import { goldenInputs } from './golden-cases.js';
import { EXAMPLES, copyDir, readTree, run, tempDir } from './helpers.js';

const examples = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(EXAMPLES, e.name, 'federation.yaml')))
  .map((e) => e.name)
  .sort();

async function render(input: string): Promise<{ code: number; stderr: string; out: string }> {
  const out = join(tempDir(), 'rendered');
  const r = await run(['build', '-c', join(input, 'federation.yaml'), '-o', out], input);
  return { code: r.code, stderr: r.stderr, out };
}

test('there are examples', () => {
  assert.ok(examples.length >= 1);
});

for (const name of examples) {
  test(`example ${name} renders with no diagnostics`, async () => {
    const r = await render(join(EXAMPLES, name));
    assert.is(r.code, 0, r.stderr);
    assert.is(
      r.stderr
        .split('\n')
        .filter((l) => l && !l.startsWith('fedrender build: '))
        .join('\n'),
      '',
    );
  });
}

const cases = [
  ...examples.map((n) => ({ name: `example ${n}`, input: join(EXAMPLES, n) })),
  ...goldenInputs(),
];

for (const c of cases) {
  test(`kubectl kustomize accepts every cluster of ${c.name}, with exactly its objects`, async () => {
    const r = await render(c.input);
    if (r.code !== 0) return; // failing golden cases have no output to consume
    const tree = readTree(r.out);
    // A cluster folder is a top-level folder with a kustomization.yaml; _shared/ holds bases.
    const clusters = Object.keys(tree)
      .filter((p) => /^[^/]+\/kustomization\.yaml$/.test(p))
      .map((p) => p.split('/')[0]!);
    assert.ok(clusters.length > 0);
    for (const cluster of clusters) {
      const stdout = execFileSync('kubectl', ['kustomize', join(r.out, cluster)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const fromKustomize = parseAllDocuments(stdout)
        .map((d) => d.toJS())
        .filter((v) => v !== null);
      const files = listedFiles(tree, cluster);
      const ours = files.map((p) => parse(tree[p]!));
      // Every file of the cluster's folder is listed (output.layout: shared adds bases).
      assert.equal(
        files.filter((p) => p.startsWith(cluster + '/')),
        Object.keys(tree)
          .filter((p) => p.startsWith(cluster + '/') && !p.endsWith('/kustomization.yaml'))
          .sort(),
        `${cluster}: listed files`,
      );
      assert.is(fromKustomize.length, ours.length, `${cluster}: object count`);
      const key = (o: { kind: string; metadata: { namespace?: string; name: string } }) =>
        `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      const sorted = (l: unknown[]) => [...l].sort((a, b) => (key(a as never) < key(b as never) ? -1 : 1));
      assert.equal(sorted(fromKustomize), sorted(ours), `${cluster}: objects`);
      // The kustomization lists files in kustomize's own apply order (with shared bases, the
      // shared layout's test compares kustomize's output with the default layout's instead).
      const resources = parse(tree[`${cluster}/kustomization.yaml`]!).resources as string[];
      if (resources.some((p) => p.startsWith('../'))) continue;
      const listed = resources.map((p) => key(parse(tree[`${cluster}/${p}`]!)));
      assert.equal(
        fromKustomize.map((o) => key(o as never)),
        listed,
        `${cluster}: apply order`,
      );
    }
  });

  test(`${c.name} renders byte-identically twice, from CRLF copies, and with inputs listed in reverse`, async () => {
    const first = await render(c.input);
    const second = await render(c.input);
    assert.equal(readTree(second.out), readTree(first.out));
    const diagnostics = (t: string) =>
      t
        .split('\n')
        .filter((l) => !l.startsWith('fedrender build: '))
        .join('\n');
    assert.is(diagnostics(second.stderr), diagnostics(first.stderr));

    const crlf = join(tempDir(), 'p');
    copyDir(c.input, crlf);
    for (const p of Object.keys(readTree(crlf))) {
      if (/\.ya?ml$/.test(p))
        writeFileSync(join(crlf, p), readFileSync(join(crlf, p), 'utf8').replace(/\r?\n/g, '\r\n'));
    }
    const fromCrlf = await render(crlf);
    assert.is(fromCrlf.code, first.code);
    assert.equal(readTree(fromCrlf.out), readTree(first.out));

    // The same files named one by one, in reverse order, instead of by glob.
    const reordered = join(tempDir(), 'p');
    copyDir(c.input, reordered);
    const fedPath = join(reordered, 'federation.yaml');
    const doc = parseDocument(readFileSync(fedPath, 'utf8'));
    const matched = await matchedFiles(c.input, doc.toJS()?.resources ?? []);
    if (matched.length === 0) return;
    doc.set('resources', [...matched].reverse());
    writeFileSync(fedPath, doc.toString());
    const fromReordered = await render(reordered);
    assert.is(fromReordered.code, first.code, fromReordered.stderr);
    assert.equal(readTree(fromReordered.out), readTree(first.out));
  });
}

/** The files a kustomization lists, through the bases it lists (`../_shared/<set>`), sorted. */
function listedFiles(tree: Record<string, string>, dir: string): string[] {
  const out: string[] = [];
  for (const r of parse(tree[`${dir}/kustomization.yaml`]!).resources as string[]) {
    const path = join(dir, r).split('\\').join('/');
    if (tree[`${path}/kustomization.yaml`] !== undefined) out.push(...listedFiles(tree, path));
    else out.push(path);
  }
  return out.sort();
}

/** The files the project's own globs match, as the loader expands them. */
async function matchedFiles(input: string, patterns: string[]): Promise<string[]> {
  const doc = parseDocument('resources: []');
  const at = { doc: { file: 'federation.yaml', index: 0, doc, lineCounter: new LineCounter() }, path: [] };
  return expandGlobs(
    patterns.map((value) => ({ value, ref: at })),
    input,
    new Reporter(),
    { exclude: ['federation.yaml', 'rendered'] },
  );
}

test.run();
