// Fuzzing the golden inputs: each run copies a golden project (with its last good output), mutates
// one or a few of its YAML files, structurally (keys dropped, duplicated or swapped, scalars of
// another type, anchors and aliases, deep nesting, huge, unicode and NUL strings) or byte-wise
// (flips, inserts, truncation), and runs the real CLI: in-process, and spawned now and then.
// It asserts: exit code 0 or 1 (3 for --check), no stack trace or internal error, a failed run
// changes no byte of the project, and a successful one writes only inside its output folders.
// Fixed seed (FEDRENDER_FUZZ_SEED), fixed time budget (FEDRENDER_FUZZ_SECONDS, default 45).
import { spawnSync } from 'node:child_process';
import { cpSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Alias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  parse,
  Scalar,
  visit,
  type Document,
} from 'yaml';
import { goldenInputs } from './golden-cases.js';
import { ROOT, run, tempDir } from './helpers.js';
import { prng, type Rand } from './prng.js';

const SECONDS = Number(process.env.FEDRENDER_FUZZ_SECONDS ?? 45);
const SEED = Number(process.env.FEDRENDER_FUZZ_SEED ?? 20261201);
/** One run in this many is a spawned process, so the real bin and its exit code are covered. */
const SPAWN_EVERY = 20;
const TRACE = /\n\s+at .*[:(]\d+:\d+\)?/;

const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, list: readonly T[]): T => list[int(r, list.length)]!;

const ODD_STRINGS = [
  '',
  'é',
  '日本語',
  '🙂',
  '\u202eevil',
  'İ',
  'ß',
  '\u200b',
  'a\u0000b',
  '\u0000',
  'yes',
  'null',
  '~',
  '0x1F',
  '0644',
  '1e999',
  '-.inf',
  '${cluster.name}',
  '${cluster.nope}',
  '[name=web]',
  '/__proto__/x',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '/',
  'a'.repeat(253),
  'A_b.C',
];
const ODD_VALUES: unknown[] = [
  0,
  -1,
  1.5,
  2 ** 31,
  2 ** 53 + 2,
  1e308,
  true,
  null,
  [],
  {},
  [1, 'a', null],
  { a: { b: 'c' } },
];
const BYTES = [
  '\0',
  '\xff',
  ':',
  '- ',
  '&a ',
  '*a',
  '{',
  '[',
  '}',
  ']',
  '\n',
  ' ',
  '"',
  "'",
  '#',
  '!',
  '|',
  '>',
  '\t',
  '%',
  '@',
  '`',
  '---\n',
  '...\n',
  '<<: ',
];

/** Every node of a document with the pair or collection that holds it, for structural mutation. */
function nodes(doc: Document): { node: unknown; parent: unknown }[] {
  const out: { node: unknown; parent: unknown }[] = [];
  visit(doc, {
    Node: (_k, node, path) => {
      out.push({ node, parent: path[path.length - 1] });
    },
  });
  return out;
}

/** Nesting as flow text (building it as nodes would overflow the stack first). */
function deepText(r: Rand): string {
  const depth = pick(r, [10, 100, 255, 300, 2000]);
  const open = r() < 0.5 ? '[' : '{k: ';
  const close = open === '[' ? ']' : '}';
  return open.repeat(depth) + 'x' + close.repeat(depth);
}

const DEEP = 'FZDEEP';

/** One structural mutation of a YAML text, or undefined when it does not parse or apply. */
function mutateStructure(text: string, r: Rand): { text: string; what: string } | undefined {
  try {
    return mutateDocument(text, r);
  } catch {
    return undefined;
  }
}

function mutateDocument(text: string, r: Rand): { text: string; what: string } | undefined {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.length === 0 || docs.some((d) => d.errors.length)) return undefined;
  const doc = pick(r, docs);
  const all = nodes(doc);
  if (all.length === 0) return undefined;
  const maps = all.filter((n) => isMap(n.node)).map((n) => n.node as import('yaml').YAMLMap);
  const scalars = all.filter((n) => isScalar(n.node));
  const kind = int(r, 10);
  let what: string;
  switch (kind) {
    case 0: {
      const m = maps.length ? pick(r, maps) : undefined;
      if (!m || !m.items.length) return undefined;
      const i = int(r, m.items.length);
      what = `drop key ${String((m.items[i]!.key as Scalar)?.value)}`;
      m.items.splice(i, 1);
      break;
    }
    case 1: {
      const m = maps.length ? pick(r, maps) : undefined;
      if (!m || !m.items.length) return undefined;
      const item = pick(r, m.items);
      what = `duplicate key ${String((item.key as Scalar)?.value)}`;
      m.items.push(doc.createPair((item.key as Scalar)?.value ?? 'k', doc.createNode(pick(r, ODD_VALUES))));
      break;
    }
    case 2: {
      const m = maps.length ? pick(r, maps) : undefined;
      if (!m || m.items.length < 2) return undefined;
      const i = int(r, m.items.length);
      const j = int(r, m.items.length);
      const [a, b] = [m.items[i]!, m.items[j]!];
      [a.value, b.value] = [b.value, a.value];
      what = `swap values ${i}/${j}`;
      break;
    }
    case 3:
    case 4: {
      if (!scalars.length) return undefined;
      const s = pick(r, scalars).node as Scalar;
      const v = r() < 0.5 ? pick(r, ODD_VALUES) : pick(r, ODD_STRINGS);
      what = `scalar ${JSON.stringify(s.value)?.slice(0, 30)} -> ${JSON.stringify(v)?.slice(0, 30)}`;
      if (typeof v === 'object' && v !== null) replaceNode(all, s, doc.createNode(v));
      else s.value = v;
      break;
    }
    case 5: {
      // An anchor somewhere and an alias somewhere: before it, after it, or inside it.
      const a = pick(r, all).node as { anchor?: string };
      const b = pick(r, all).node;
      if (isPair(a) || isPair(b) || a === b) return undefined;
      a.anchor = 'fz';
      replaceNode(all, b, new Alias('fz'));
      what = 'anchor and alias';
      break;
    }
    case 6: {
      if (!scalars.length) return undefined;
      (pick(r, scalars).node as Scalar).value = DEEP;
      what = 'deep nesting';
      break;
    }
    case 7: {
      if (!scalars.length) return undefined;
      const s = pick(r, scalars).node as Scalar;
      s.value = pick(r, ['x', 'é', '\0']).repeat(pick(r, [70_000, 300_000]));
      what = 'huge string';
      break;
    }
    case 8: {
      // Many aliases of one anchor: honest sharing, or a bomb.
      const m = maps.length ? pick(r, maps) : undefined;
      if (!m) return undefined;
      const n = pick(r, [150, 1000]);
      m.items.push(doc.createPair('fzBase', doc.createNode(['a', 'b', 'c'])));
      (m.items[m.items.length - 1]!.value as { anchor?: string }).anchor = 'fzb';
      for (let i = 0; i < n; i++) m.items.push(doc.createPair(`fz${i}`, new Alias('fzb')));
      what = `${n} aliases`;
      break;
    }
    default: {
      const seqs = all.filter((n) => isSeq(n.node)).map((n) => n.node as import('yaml').YAMLSeq);
      if (!seqs.length) return undefined;
      const s = pick(r, seqs);
      if (!s.items.length) return undefined;
      s.items.push(s.items[int(r, s.items.length)]);
      what = 'duplicate list item';
    }
  }
  try {
    const out = docs.map((d) => d.toString({ verifyAliasOrder: false, lineWidth: 0 })).join('');
    return { text: out.replace(DEEP, () => deepText(r)), what };
  } catch {
    return undefined;
  }
}

function replaceNode(all: { node: unknown; parent: unknown }[], target: unknown, next: unknown): void {
  const entry = all.find((n) => n.node === target);
  const parent = entry?.parent;
  if (isPair(parent)) {
    if (parent.value === target) parent.value = next;
    else parent.key = next;
  } else if (isMap(parent) || isSeq(parent)) {
    const i = (parent.items as unknown[]).indexOf(target);
    if (i >= 0) (parent.items as unknown[])[i] = next;
  }
}

function mutateBytes(bytes: Buffer, r: Rand): { bytes: Buffer; what: string } {
  const at = int(r, bytes.length + 1);
  switch (int(r, 4)) {
    case 0: {
      if (!bytes.length) return { bytes: Buffer.from('\0'), what: 'NUL file' };
      const copy = Buffer.from(bytes);
      const i = Math.min(at, copy.length - 1);
      copy[i] = copy[i]! ^ (1 << int(r, 8));
      return { bytes: copy, what: `flip byte ${at}` };
    }
    case 1: {
      const ins = Buffer.from(pick(r, BYTES), 'latin1');
      return {
        bytes: Buffer.concat([bytes.subarray(0, at), ins, bytes.subarray(at)]),
        what: `insert ${JSON.stringify(ins.toString('latin1'))} at ${at}`,
      };
    }
    case 2:
      return { bytes: bytes.subarray(0, at), what: `truncate at ${at}` };
    default: {
      const len = int(r, 20);
      return {
        bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + len)]),
        what: `delete ${len} at ${at}`,
      };
    }
  }
}

/** Every entry under dir: files by content, symlinks by target, folders as such. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, p));
      if (st.isSymbolicLink()) out.set(p, `link:${readlinkSync(join(dir, p))}`);
      else if (st.isDirectory()) {
        out.set(p + '/', 'dir');
        walk(p);
      } else out.set(p, readFileSync(join(dir, p)).toString('base64'));
    }
  };
  walk('');
  return out;
}

function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

/** The output folders a successful build may write, from the (mutated) federation.yaml. */
function outputDirs(project: string): string[] {
  try {
    const v = parse(readFileSync(join(project, 'federation.yaml'), 'utf8'), { maxAliasCount: -1 }) as {
      output?: { dir?: string; gitops?: string; flux?: { dir?: string } };
    };
    const out = v?.output ?? {};
    const dirs = [typeof out.dir === 'string' ? out.dir : 'rendered'];
    if (out.gitops === 'flux') dirs.push(typeof out.flux?.dir === 'string' ? out.flux.dir : 'clusters');
    return dirs.map((d) => relative(project, resolve(project, d)).split('\\').join('/'));
  } catch {
    return ['rendered'];
  }
}

function yamlFiles(project: string): string[] {
  return [...snapshot(project).keys()].filter(
    (p) => /\.(ya?ml|json)$/.test(p) && !p.startsWith('rendered/') && !p.includes('.fedrender'),
  );
}

/**
 * A golden input built once, on first use, into a base copy whose output a later failed run
 * must leave alone. Lazily: building all of them up front would eat most of the budget.
 */
const baseDirs = new Map<string, string>();
async function baseOf(g: { name: string; input: string }): Promise<string> {
  let dir = baseDirs.get(g.name);
  if (!dir) {
    dir = join(tempDir('fedrender-fuzz-base-'), 'p');
    cpSync(g.input, dir, { recursive: true });
    await run(['build'], dir);
    baseDirs.set(g.name, dir);
  }
  return dir;
}

test(`fuzz: mutated golden inputs never crash or touch what they should not (${SECONDS} s)`, async () => {
  const r = prng(SEED);
  const all = goldenInputs();
  const deadline = Date.now() + SECONDS * 1000;
  let runs = 0;
  let spawned = 0;
  const outcomes = new Map<number, number>();
  while (Date.now() < deadline) {
    runs++;
    const base = pick(r, all);
    const parent = tempDir('fedrender-fuzz-');
    const dir = join(parent, 'p');
    cpSync(await baseOf(base), dir, { recursive: true, verbatimSymlinks: true });
    const files = yamlFiles(dir);
    const mutations: string[] = [];
    for (let m = 1 + int(r, 3); m > 0; m--) {
      // federation.yaml a third of the time: most mutations should get past it.
      const file = r() < 0.33 || files.length === 1 ? 'federation.yaml' : pick(r, files);
      const bytes = readFileSync(join(dir, file));
      const structural = r() < 0.6 ? mutateStructure(bytes.toString('utf8'), r) : undefined;
      if (structural) {
        writeFileSync(join(dir, file), structural.text);
        mutations.push(`${file}: ${structural.what}`);
      } else {
        const b = mutateBytes(bytes, r);
        writeFileSync(join(dir, file), b.bytes);
        mutations.push(`${file}: ${b.what}`);
      }
    }
    const command = pick(r, [
      ['build'],
      ['build'],
      ['build'],
      ['build', '--check'],
      ['validate'],
      ['plan'],
      ['explain', 'deployment/web'],
      ['join', 'fz1'],
    ]);
    const before = snapshot(parent);
    const where = `run ${runs} (seed ${SEED}) on ${base.name}: ${command.join(' ')} after ${mutations.join('; ')}; project kept at ${dir}`;
    let code: number;
    let output: string;
    const t0 = Date.now();
    if (runs % SPAWN_EVERY === 0) {
      spawned++;
      const p = spawnSync(process.execPath, [join(ROOT, 'bin/fedrender.js'), ...command], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, FEDRENDER_DEBUG: '' },
      });
      code = p.status ?? -1;
      output = p.stdout + p.stderr;
    } else {
      const res = await run(command, dir);
      code = res.code;
      output = res.stdout + res.stderr;
    }
    outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
    if (process.env.FUZZ_TRACE) process.stdout.write(`${Date.now() - t0}ms ${code} ${where.slice(0, 300)}\n`);
    if (process.env.FUZZ_TRACE && Date.now() - t0 > 3000)
      cpSync(parent, `${parent}-slow`, { recursive: true });
    const allowed = command.includes('--check') ? [0, 1, 3] : [0, 1];
    assert.ok(allowed.includes(code), `exit ${code}: ${where}\n${output.slice(0, 2000)}`);
    assert.not.match(output, TRACE, `stack trace: ${where}`);
    assert.not.match(output, /internal error/, `internal error: ${where}\n${output.slice(0, 2000)}`);
    const changed = changedPaths(before, snapshot(parent));
    if (code !== 0 || !['build', 'join'].includes(command[0]!) || command.includes('--check')) {
      assert.equal(changed, [], `${command[0]} exited ${code} but changed files: ${where}`);
    } else {
      const mayWrite = command[0] === 'join' ? ['p/federation.yaml'] : outputDirs(dir).map((d) => `p/${d}`);
      const outside = changed.filter(
        (c) => !mayWrite.some((d) => c === d || c === `${d}/` || c.startsWith(`${d}/`)),
      );
      assert.equal(outside, [], `wrote outside its output: ${where}`);
    }
    rmSync(parent, { recursive: true, force: true });
  }
  const codes = [...outcomes].map(([c, n]) => `exit ${c}: ${n}`).join(', ');
  for (const d of baseDirs.values()) rmSync(resolve(d, '..'), { recursive: true, force: true });
  process.stdout.write(`  fuzz: ${runs} runs (${spawned} spawned) in ${SECONDS} s, seed ${SEED}; ${codes}\n`);
  assert.ok(runs > 0);
});

test.run();
