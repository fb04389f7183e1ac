// The no-op cache: a build whose inputs, options and fedrender are what they were at the last
// successful build, and whose output trees are exactly as that build left them, does nothing
// and says so (with the same warnings). One entry per build identity (federation.yaml, output
// directory, --cluster/--shard, --strict), in the user's cache folder, never in the project:
// a fresh clone or a CI runner without the folder simply builds. The key covers the bytes of
// every input file (the globs are expanded again, so an added file counts), federation.yaml,
// fedrender's version and the mtimes of its code and schemas, and the git root (GitOps paths);
// the output check covers every file in the trees (path, size, mtime, inode), so a hand edit,
// a deleted file or a new unowned file makes the next build a real one.
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Reporter, type Diagnostic } from './core/diagnostics.js';
import { findGitRoot } from './core/git-root.js';
import { obj, str } from './core/json-read.js';
import { packageRoot } from './core/package-files.js';
import type { SourceRef } from './core/source.js';
import { expandGlobs, readTexts } from './load/resources.js';
import type { InputReads } from './load/input-reads.js';
import { hashText } from './load/hash.js';
import type { Shard } from './shard.js';
import { walkTree, walkTreeInWorker, type TreeSnapshot } from './tree-walk.js';
import type { FileStat } from './write/write-pool.js';

const FORMAT = 3;

/** How compile found its inputs, so a later run can find them again without federation.yaml. */
export interface InputGlobs {
  patterns: string[];
  exclude: string[];
  what?: string;
}

export interface CacheIdentity {
  configPath: string;
  outDir?: string;
  clusters?: string[];
  shard?: Shard;
  strict?: boolean;
}

export interface CachedResult {
  diagnostics: Diagnostic[];
  outDir?: string;
  fluxDir?: string;
  configDir: string;
  clusters: string[];
  files: number;
}

interface Entry {
  format: number;
  stamp: string;
  configHash: string;
  globs: InputGlobs[];
  /** Input path (relative to the config folder) -> sha256 of its bytes, sorted by path. */
  inputs: [string, string][];
  /** Per output tree: every file in it with its size, mtime and inode (see snapshot). */
  trees: { dir: string; outside: string[]; files: [string, number, number, number][] }[];
  result: CachedResult;
}

let stampMemo: string | undefined;
/** fedrender's version plus the newest mtime of its code and shipped schemas (a dev rebuild). */
export function stamp(): string {
  if (stampMemo) return stampMemo;
  const root = packageRoot();
  let newest = 0;
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ['dist/src', 'schemas']) walk(join(root, d));
  const version = str(obj(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')))?.version) ?? '';
  return (stampMemo = `${version}|${newest}`);
}

function entryPath(cacheDir: string, id: CacheIdentity): string {
  const key = hashText(
    JSON.stringify([id.configPath, id.outDir ?? '', id.clusters ?? [], id.shard ?? null, !!id.strict]),
  );
  return join(cacheDir, 'builds', `${key}.json`);
}

export type { TreeSnapshot };

/** Snapshots taken once per state of the trees and shared by the caches (one walk, not four). */
export type Snapshots = Map<string, TreeSnapshot>;

/**
 * Every file under dir with [size, mtime, inode], sorted; [] when dir is absent. Under the
 * top-level folders named in `outside` (the clusters a partial build leaves out) only folders
 * are listed: such a build reads nothing there but the names (carried files, unowned files),
 * and adding, removing or renaming an entry changes its folder's mtime.
 */
export function snapshot(dir: string, memo?: Snapshots, outside: readonly string[] = []): TreeSnapshot {
  const key = memoKey(dir, outside);
  const known = memo?.get(key);
  if (known) return known;
  const taken = walkTree(dir, new Set(outside));
  memo?.set(key, taken);
  return taken;
}

/** The key of a snapshot in a Snapshots memo. */
export function memoKey(dir: string, outside: readonly string[] = []): string {
  return outside.length ? `${dir}\0${outside.join('\0')}` : dir;
}

/**
 * `before` with the files at `changed` (relative paths) stated again, or given the stats in
 * `known` (what the writer threads read as they wrote them): the tree after a build that wrote
 * or deleted just those, without walking it. A file someone else changed meanwhile makes the
 * result differ from the tree, which only costs the next build its cache.
 */
export function patchSnapshot(
  before: TreeSnapshot,
  dir: string,
  changed: readonly string[],
  known?: ReadonlyMap<string, FileStat>,
): TreeSnapshot {
  const byPath = new Map(before.map((e) => [e[0], e]));
  const folders = new Set<string>();
  for (const p of changed) {
    for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) folders.add(p.slice(0, i + 1));
    const k = known?.get(p);
    if (k) {
      byPath.set(p, [p, k[0], k[1], k[2]]);
      continue;
    }
    try {
      const st = lstatSync(join(dir, p));
      byPath.set(p, [p, st.size, st.mtimeMs, st.ino]);
    } catch {
      byPath.delete(p);
    }
  }
  // Folders of deleted files, and folders a build made or removed.
  for (const [p] of before) if (p.endsWith('/')) folders.add(p);
  for (const f of folders) {
    try {
      const st = lstatSync(join(dir, f));
      byPath.set(f, [f, 0, st.mtimeMs, st.ino]);
    } catch {
      byPath.delete(f);
    }
  }
  return [...byPath.values()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * Whether every folder of the tree is as it was in `before` (a build that wrote in between
 * changed some folder's mtime): checked under the build's lock before files known from the
 * render cache are left unread, so a concurrent build's writes are never taken for ours.
 */
export function foldersUnchanged(dir: string, before: TreeSnapshot): boolean {
  for (const [p, , mtime, ino] of before) {
    if (!p.endsWith('/')) continue;
    try {
      const st = lstatSync(join(dir, p));
      if (st.mtimeMs !== mtime || st.ino !== ino) return false;
    } catch {
      return false;
    }
  }
  return true;
}

export function sameSnapshot(a: TreeSnapshot, b: TreeSnapshot): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x[0] !== y[0] || x[1] !== y[1] || x[2] !== y[2] || x[3] !== y[3]) return false;
  }
  return true;
}

/** The files' hashes, or undefined when one cannot be read; the texts are kept in `reads`. */
function hashFiles(
  dir: string,
  files: readonly string[],
  reads: InputReads | undefined,
): [string, string][] | undefined {
  let failed = false;
  const texts = readTexts(files, dir, undefined, () => (failed = true));
  if (failed) return undefined;
  return files.map((f, i) => {
    const text = texts[i]!;
    reads?.putText(resolve(dir, f), text);
    return [f, hashText(text)];
  });
}

/** What a miss leaves for the build that follows it. */
export interface LookupLeftovers {
  /** What was globbed and read on the way. */
  reads: InputReads;
  /** Walks of large output trees still running: the memo has their snapshots once settled. */
  walks: Promise<void>[];
}

/**
 * The last build's result when nothing it depends on changed; undefined otherwise. When the
 * inputs changed, the output trees' walks are left running (`left.walks`): the build can read and
 * parse its inputs meanwhile.
 */
export async function lookupBuild(
  cacheDir: string,
  id: CacheIdentity,
  configText: string,
  configDir: string,
  memo?: Snapshots,
  left?: LookupLeftovers,
): Promise<CachedResult | undefined> {
  let entry: Entry;
  try {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- written by this module; format and stamp are checked next
    entry = JSON.parse(await readFile(entryPath(cacheDir, id), 'utf8')) as Entry;
  } catch {
    return undefined;
  }
  if (entry.format !== FORMAT || entry.stamp !== `${stamp()}|${findGitRoot(configDir) ?? ''}`)
    return undefined;
  if (entry.configHash !== hashText(configText)) return undefined;
  // A small tree is checked first, here (a changed one saves hashing the inputs); a large one
  // is walked on a worker thread meanwhile.
  const small = entry.trees.filter((t) => t.files.length < WALK_WORKER_MIN_FILES);
  for (const t of small) if (!sameSnapshot(snapshot(t.dir, memo, t.outside), t.files)) return undefined;
  const walks = prewalk(
    entry.trees.filter((t) => !small.includes(t)),
    memo,
  );
  let same = false;
  try {
    same = await sameInputs(entry, configDir, left?.reads);
  } finally {
    if (!same && left) left.walks.push(walks);
    else await walks;
  }
  if (!same) return undefined;
  for (const t of entry.trees) if (!sameSnapshot(snapshot(t.dir, memo, t.outside), t.files)) return undefined;
  return entry.result;
}

/** A tree the last build left with this many files or more is walked on a worker thread. */
const WALK_WORKER_MIN_FILES = 5000;

/**
 * Puts the snapshots of these (large) trees into the memo, walked on worker threads, so that the
 * inputs are globbed and hashed meanwhile (a no-op build's two costs, run side by side).
 */
async function prewalk(trees: Entry['trees'], memo: Snapshots | undefined): Promise<void> {
  if (!memo) return;
  await Promise.all(
    trees
      .filter((t) => !memo.has(memoKey(t.dir, t.outside)))
      .map(async (t) => {
        const taken = await walkTreeInWorker(t.dir, t.outside);
        if (taken) memo.set(memoKey(t.dir, t.outside), taken);
      }),
  );
}

/** The globs match the same files, with the same bytes. */
async function sameInputs(entry: Entry, configDir: string, reads: InputReads | undefined): Promise<boolean> {
  const files: string[] = [];
  const reporter = new Reporter();
  for (const g of entry.globs) {
    // The patterns are federation.yaml's, which is unchanged: positions are never needed.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- see above: never read
    const located = g.patterns.map((value) => ({ value, ref: undefined as unknown as SourceRef }));
    for (const f of await expandGlobs(located, configDir, reporter, {
      exclude: g.exclude,
      what: g.what,
      reads,
    }))
      files.push(f);
  }
  const unique = [...new Set(files)].sort();
  if (unique.length !== entry.inputs.length || unique.some((f, i) => f !== entry.inputs[i]?.[0]))
    return false;
  const hashes = hashFiles(configDir, unique, reads);
  return hashes !== undefined && hashes.every(([, h], i) => h === entry.inputs[i]?.[1]);
}

/** Records a successful build. `inputs` are the hashes of the bytes compile actually read. */
export async function storeBuild(
  cacheDir: string,
  id: CacheIdentity,
  configText: string,
  configDir: string,
  globs: InputGlobs[],
  inputs: ReadonlyMap<string, string>,
  /** The trees, each with the top-level folders only listed (see snapshot). */
  treeDirs: readonly { dir: string; outside: readonly string[] }[],
  result: CachedResult,
  memo?: Snapshots,
): Promise<void> {
  const entry: Entry = {
    format: FORMAT,
    stamp: `${stamp()}|${findGitRoot(configDir) ?? ''}`,
    configHash: hashText(configText),
    globs,
    inputs: [...inputs.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    trees: treeDirs.map(({ dir, outside }) => ({
      dir,
      outside: [...outside],
      files: snapshot(dir, memo, outside),
    })),
    result,
  };
  const path = entryPath(cacheDir, id);
  await mkdir(join(cacheDir, 'builds'), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(entry));
  await rename(tmp, path);
}
