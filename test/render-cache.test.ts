// The render cache (src/render-cache.ts) must never change what a build does: for many seeded
// single-file changes of the golden inputs (values, labels, names, dropped keys, new and deleted
// documents and files, broken YAML, federation.yaml itself), a build that reuses the last build's
// objects and a fresh build from the same starting tree give byte-identical trees, identical
// diagnostics and the same outcome. Changes are chained, so entries written by incremental
// builds are reused too. A stale or damaged cache entry is ignored.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isMap, isScalar, isSeq, parseAllDocuments, Scalar, visit, type YAMLMap } from 'yaml';
import { build, type BuildResult } from '../src/index.js';
import { goldenInputs } from './golden-cases.js';
import { readTree, tempDir } from './helpers.js';
import { prng, type Rand } from './prng.js';

const SEED = Number(process.env.FEDRENDER_INCR_SEED ?? 20261202);
/** Projects, and changes chained on each. */
const PROJECTS = Number(process.env.FEDRENDER_INCR_PROJECTS ?? 30);
const CHANGES = 3;

const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, list: readonly T[]): T => list[int(r, list.length)]!;

function inputFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!['rendered', 'clusters', '.git'].includes(e.name)) walk(p);
      } else if (/\.(ya?ml|json)$/.test(e.name) && !e.name.startsWith('.fedrender')) out.push(p);
    }
  };
  walk('');
  return out.sort();
}

/** One change to one file of the project, mostly one a user makes; returns what it did. */
function change(dir: string, r: Rand): string {
  const files = inputFiles(dir);
  const manifests = files.filter((f) => f !== 'federation.yaml');
  const file = r() < 0.1 || manifests.length === 0 ? 'federation.yaml' : pick(r, manifests);
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  // Mostly what users do: a value, a label; now and then something that moves objects around.
  const kind = pick(r, [0, 1, 2, 3, 4, 4, 5, 6, 7, 8, 8, 8, 8, 8, 8, 8, 9, 9]);
  if (kind === 0 && file !== 'federation.yaml') {
    unlinkSync(path);
    return `delete ${file}`;
  }
  if (kind === 1 && file !== 'federation.yaml') {
    const copy = file.replace(/(\.ya?ml|\.json)$/, '-copy$1');
    writeFileSync(join(dir, copy), text.replace(/name: ([a-z0-9-]+)/, 'name: $1-copy'));
    return `copy ${file} to ${copy} with another name`;
  }
  if (kind === 2) {
    const at = int(r, text.length + 1);
    writeFileSync(path, text.slice(0, at) + pick(r, [':', '\n  x', '- ', '{', '\0']) + text.slice(at));
    return `insert bytes into ${file} at ${at}`;
  }
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length)) {
    writeFileSync(path, text + '\n# changed\n');
    return `append a comment to ${file}`;
  }
  if (kind === 9) {
    writeFileSync(path, `# edited\n${text}`);
    return `comment at the top of ${file}`;
  }
  if (kind === 3) {
    writeFileSync(
      path,
      `${text.endsWith('\n') ? text : `${text}\n`}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: added-${int(r, 1000)}\n  namespace: ${pick(r, ['default', 'web', 'team-a', 'apps'])}\ndata:\n  k: v\n`,
    );
    return `add a ConfigMap to ${file}`;
  }
  const doc = pick(r, docs);
  const maps: YAMLMap[] = [];
  const scalars: Scalar[] = [];
  visit(doc, {
    Map: (_k, n) => void maps.push(n),
    // Values, not keys: a renamed key is a schema error more often than an edit.
    Pair: (_k, pair) => {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (isScalar(pair.value) && (!['apiVersion', 'kind'].includes(String(key)) || r() < 0.1))
        scalars.push(pair.value);
    },
    Seq: (_k, seq) => void seq.items.forEach((i) => isScalar(i) && scalars.push(i)),
  });
  let what: string;
  if (kind === 4) {
    const metadata = maps.find((m) => m.has('labels'))?.get('labels');
    if (!isMap(metadata)) return change(dir, r);
    metadata.set(`fz-${int(r, 5)}`, pick(r, ['a', 'b', 'prod']));
    what = 'set a label';
  } else if (kind === 5) {
    const m = maps.length ? pick(r, maps) : undefined;
    if (!m || !m.items.length) return change(dir, r);
    const i = int(r, m.items.length);
    what = `drop key ${String((m.items[i]!.key as Scalar)?.value)}`;
    m.items.splice(i, 1);
  } else if (kind === 6) {
    const named = maps.find((m) => m.has('name') && isScalar(m.get('name', true)));
    if (!named) return change(dir, r);
    named.set('name', `${String(named.get('name'))}${pick(r, ['2', '-x', 'Y'])}`);
    what = 'rename';
  } else if (kind === 7) {
    const seqs: unknown[] = [];
    visit(doc, { Seq: (_k, n) => void seqs.push(n) });
    const s = seqs.length ? pick(r, seqs) : undefined;
    if (!isSeq(s) || !s.items.length) return change(dir, r);
    s.items.splice(int(r, s.items.length), 1);
    what = 'drop a list item';
  } else {
    if (!scalars.length) return change(dir, r);
    const s = pick(r, scalars);
    const old = s.value;
    s.value =
      typeof old === 'number'
        ? old + 1
        : typeof old === 'boolean'
          ? !old
          : r() < 0.7
            ? `${String(old)}${pick(r, ['x', '1', '-b'])}`
            : pick(r, scalars).value;
    what = `scalar ${JSON.stringify(old)?.slice(0, 40)} -> ${JSON.stringify(s.value)?.slice(0, 40)}`;
  }
  writeFileSync(path, docs.map((d) => d.toString({ lineWidth: 0 })).join(''));
  return `${file}: ${what}`;
}

/** Everything a build tells its caller, less what names the folder and the cache counter. */
function outcome(res: BuildResult, dir: string) {
  const rel = (p: string | undefined) => p?.split(dir).join('<dir>');
  return {
    ...res,
    reused: undefined,
    outDir: rel(res.outDir),
    fluxDir: rel(res.fluxDir),
    configDir: rel(res.configDir),
  };
}

/** The whole project folder (the cache is outside it). */
function tree(dir: string): Record<string, string> {
  return readTree(dir);
}

async function buildIn(dir: string, cacheDir: string | undefined, clusters?: string[]): Promise<BuildResult> {
  return build({ config: 'federation.yaml', cwd: dir, cacheDir, clusters });
}

test(`render cache: incremental builds equal fresh ones over ${PROJECTS} projects x ${CHANGES} chained changes`, async () => {
  const r = prng(SEED);
  const all = goldenInputs();
  const ok = all.filter((g) => existsSync(join(g.input, '..', 'expected')));
  let increments = 0;
  let reusing = 0;
  let succeeded = 0;
  for (let p = 0; p < PROJECTS; p++) {
    // Mostly projects that build: a project with errors records nothing to reuse.
    const base = r() < 0.8 ? pick(r, ok) : pick(r, all);
    const root = tempDir('fedrender-incr-');
    const inc = join(root, 'inc', 'p');
    const cache = join(root, 'cache');
    cpSync(base.input, inc, { recursive: true });
    let known = (await buildIn(inc, cache)).clusters;
    for (let c = 0; c < CHANGES; c++) {
      const what = change(inc, r);
      // Now and then a --cluster build: it may take objects from the last full build's entry.
      const only = known.length > 1 && r() < 0.3 ? [pick(r, known)] : undefined;
      // The fresh build starts from the same tree: inputs and the last build's output.
      const fresh = join(root, `fresh${c}`, 'p');
      cpSync(inc, fresh, { recursive: true });
      const a = await buildIn(inc, cache, only);
      const b = await buildIn(fresh, undefined, only);
      if (!only && a.clusters.length) known = a.clusters;
      const where = `seed ${SEED}, project ${p} (${base.name}), change ${c}${only ? ` (--cluster ${only[0]})` : ''}: ${what}`;
      assert.equal(outcome(a, inc), outcome(b, fresh), `outcome differs: ${where}`);
      assert.equal(tree(inc), tree(fresh), `trees differ: ${where}`);
      increments++;
      if ((a.reused ?? 0) > 0) reusing++;
      if (!a.diagnostics.some((d) => d.severity === 'error')) succeeded++;
      if (process.env.FEDRENDER_INCR_TRACE)
        process.stdout.write(`  ${a.reused ?? '-'} reused: ${where}
`);
      rmSync(join(root, `fresh${c}`), { recursive: true, force: true });
    }
    rmSync(root, { recursive: true, force: true });
  }
  process.stdout.write(
    `  render cache: ${increments} incremental builds, ${succeeded} without errors, ${reusing} reused objects\n`,
  );
  // Most changes leave most objects alone: if little was reused, the test proved little.
  assert.ok(reusing >= succeeded / 3, `only ${reusing} of ${succeeded} builds reused anything`);
});

/** A two-file project with a cache entry; returns its folder and cache folder. */
async function primed(): Promise<{
  dir: string;
  cache: string;
  fresh: () => Promise<Record<string, string>>;
}> {
  const root = tempDir('fedrender-incr-');
  const dir = join(root, 'p');
  const cache = join(root, 'cache');
  const input = goldenInputs().find((g) => g.name === 'golden placement-selector')!;
  cpSync(input.input, dir, { recursive: true });
  const first = await buildIn(dir, cache);
  assert.equal(first.reused, 0);
  const fresh = async () => {
    const other = join(root, 'fresh', 'p');
    rmSync(join(root, 'fresh'), { recursive: true, force: true });
    cpSync(dir, other, { recursive: true });
    rmSync(join(other, 'rendered'), { recursive: true, force: true });
    await buildIn(other, undefined);
    return tree(other);
  };
  return { dir, cache, fresh };
}

function touchAManifest(dir: string): void {
  const f = inputFiles(dir).find((p) => p !== 'federation.yaml')!;
  writeFileSync(join(dir, f), `${readFileSync(join(dir, f), 'utf8')}\n# touched\n`);
}

test('render cache: a damaged entry is ignored and replaced', async () => {
  for (const damage of [
    '',
    '{',
    '{"format":1}',
    'null',
    '[]',
    '{"format":1,"global":"x","outDir":"/","tree":[],"objects":{"k":1}}',
  ]) {
    const { dir, cache, fresh } = await primed();
    const entries = readdirSync(join(cache, 'renders'));
    assert.equal(entries.length, 1);
    writeFileSync(join(cache, 'renders', entries[0]!), damage);
    touchAManifest(dir);
    const res = await buildIn(dir, cache);
    assert.equal(res.reused, 0, `damage ${JSON.stringify(damage)}`);
    assert.equal(tree(dir), await fresh());
    // The next build after it reuses again: the entry was rewritten.
    touchAManifest(dir);
    assert.ok(((await buildIn(dir, cache)).reused ?? 0) > 0);
  }
});

test('render cache: a hand-edited or deleted output file makes the next build render everything', async () => {
  const { dir, cache, fresh } = await primed();
  const out = join(dir, 'rendered');
  const rendered = () =>
    Object.keys(readTree(out)).filter(
      (p) => /\/[^.][^/]*\.yaml$/.test(p) && !p.endsWith('/kustomization.yaml'),
    );
  writeFileSync(join(out, rendered()[0]!), 'hand edit\n');
  touchAManifest(dir);
  const res = await buildIn(dir, cache);
  assert.equal(res.reused, 0);
  assert.equal(tree(dir), await fresh());
  rmSync(join(out, rendered()[1]!));
  touchAManifest(dir);
  assert.equal((await buildIn(dir, cache)).reused, 0);
  assert.equal(tree(dir), await fresh());
});

test('render cache: a changed federation.yaml reuses nothing', async () => {
  const { dir, cache, fresh } = await primed();
  writeFileSync(
    join(dir, 'federation.yaml'),
    `${readFileSync(join(dir, 'federation.yaml'), 'utf8')}\n# edited\n`,
  );
  assert.equal((await buildIn(dir, cache)).reused, 0);
  assert.equal(tree(dir), await fresh());
  touchAManifest(dir);
  assert.ok(((await buildIn(dir, cache)).reused ?? 0) > 0);
  assert.equal(tree(dir), await fresh());
});

test('render cache: reused objects report their warnings again, at positions that moved with their file', async () => {
  const root = tempDir('fedrender-incr-');
  const dir = join(root, 'p');
  const cache = join(root, 'cache');
  cpSync(goldenInputs().find((g) => g.name === 'golden validation-lax')!.input, dir, { recursive: true });
  const z = join(dir, 'manifests', 'z.yaml');
  writeFileSync(
    z,
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: z, namespace: default}\ndata: {k: "1"}\n',
  );
  await buildIn(dir, cache);
  const app = join(dir, 'manifests', 'app.yaml');
  const steps: [string, () => void, number][] = [
    ['another file changes', () => writeFileSync(z, readFileSync(z, 'utf8').replace('"1"', '"2"')), 2],
    ['a comment below', () => writeFileSync(app, `${readFileSync(app, 'utf8')}# below\n`), 2],
    // The Service's warning moves down a line: it is checked again; the ConfigMap reported nothing.
    ['a comment above', () => writeFileSync(app, `# above\n${readFileSync(app, 'utf8')}`), 2],
  ];
  for (const [what, edit, reused] of steps) {
    edit();
    const fresh = join(root, 'fresh', 'p');
    rmSync(join(root, 'fresh'), { recursive: true, force: true });
    cpSync(dir, fresh, { recursive: true });
    const a = await buildIn(dir, cache);
    const b = await buildIn(fresh, undefined);
    assert.equal(a.reused, reused, what);
    assert.ok(
      a.diagnostics.some((d) => d.message.includes('protocl')),
      what,
    );
    assert.equal(outcome(a, dir), outcome(b, fresh), what);
    assert.equal(tree(dir), tree(fresh), what);
  }
});

test('render cache: a --cluster build takes the objects of the last full build, unless its folder changed', async () => {
  const { dir, cache } = await primed();
  const clusters = (await buildIn(dir, cache)).clusters;
  assert.ok(clusters.length > 1);
  const [one, other] = clusters as [string, string];
  const freshPartial = async (name: string) => {
    const copy = join(dir, '..', 'fresh-partial', 'p');
    rmSync(join(copy, '..'), { recursive: true, force: true });
    cpSync(dir, copy, { recursive: true });
    const res = await buildIn(copy, undefined, [name]);
    return { res, tree: tree(copy), copy };
  };
  touchAManifest(dir);
  const expected = await freshPartial(one);
  const a = await buildIn(dir, cache, [one]);
  assert.ok((a.reused ?? 0) > 0, "a first --cluster build reuses the full build's objects");
  assert.equal(outcome(a, dir), outcome(expected.res, expected.copy));
  assert.equal(tree(dir), expected.tree);
  // A hand edit in the other cluster's folder: its --cluster build must render everything.
  const out = join(dir, 'rendered', other);
  const victim = Object.keys(readTree(out)).find((f) => f.includes('/') && f.endsWith('.yaml'))!;
  writeFileSync(join(out, victim), 'hand edit\n');
  const b = await buildIn(dir, cache, [other]);
  assert.equal(b.reused, 0);
  const again = await freshPartial(other);
  assert.equal(tree(dir), again.tree);
  assert.ok(!readFileSync(join(out, victim), 'utf8').includes('hand edit'));
});

test.run();
