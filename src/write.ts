// Stage write: the only module that changes the disk. It stages the whole new output tree next
// to the old one, then swaps the two by renaming, so a failed or interrupted build leaves the
// previous output whole. It deletes only files its ownership record says it wrote; anything
// else in the tree is carried over untouched and reported.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  copyFile,
  link,
  lstat,
  mkdir,
  readFile,
  readdir,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { parse } from 'yaml';
import { cmp } from './core/diagnostics.js';
import { serializeDocument } from './core/serialize.js';
import type { OutputFile } from './types.js';

export const RECORD_FILE = '.fedrender-owned.yaml';
const RECORD_HEADER = '# Written by fedrender: the files it owns in this directory. It deletes only these.\n';

export interface WriteScope {
  /** Top-level folders (clusters) being rebuilt; undefined = the whole tree. */
  clusters?: readonly string[];
  /** Files computed from the whole new tree, carried files included (an index of them). */
  derive?: (files: readonly OutputFile[]) => OutputFile[];
}

export interface WritePlan {
  outDir: string;
  /** Every file of the new tree that fedrender owns, record included. */
  files: OutputFile[];
  /** Owned files of the old tree that the new one no longer has. */
  stale: string[];
  /** Files in the tree that fedrender did not write: kept, reported. */
  unowned: string[];
  /** Unowned files that the new tree would overwrite: the build must stop. */
  conflicts: string[];
  /** Current contents of owned paths (for --check diffs and change detection). */
  current: Map<string, string>;
  changed: boolean;
}

interface Record {
  files: { path: string; sha256: string }[];
}

/** Reads the current tree and works out what a build would change. Writes nothing. */
export async function planWrite(
  outDir: string,
  files: readonly OutputFile[],
  scope: WriteScope = {},
): Promise<WritePlan> {
  await recoverInterruptedSwap(outDir);
  const old = await readRecord(outDir);
  const inScope = (p: string) => !scope.clusters || scope.clusters.includes(p.split('/')[0]!);
  const keptOwned = old.filter((p) => !inScope(p));
  const owned = new Set(old);
  const existing = await listTree(outDir);
  const built = new Set(files.map((f) => f.path));
  const carried = await Promise.all(
    keptOwned
      .filter((p) => existing.includes(p) && !built.has(p))
      .map(async (p) => ({ path: p, content: await readFile(join(outDir, p), 'utf8') })),
  );
  // Derived files replace their emitted versions: they see what --cluster carried over.
  const derived = scope.derive?.([...files, ...carried]) ?? [];
  const isDerived = new Set(derived.map((f) => f.path));
  const all = [...files, ...carried]
    .filter((f) => !isDerived.has(f.path))
    .concat(derived)
    .sort((a, b) => cmp(a.path, b.path));
  const newPaths = new Set(all.map((f) => f.path));
  const stale = old.filter((p) => inScope(p) && !newPaths.has(p) && existing.includes(p));
  const unowned = existing.filter((p) => !owned.has(p) && p !== RECORD_FILE && !newPaths.has(p));
  const conflicts = existing.filter((p) => !owned.has(p) && newPaths.has(p));
  const record: OutputFile = { path: RECORD_FILE, content: recordText(all) };
  const current = new Map<string, string>();
  for (const p of [...new Set([...old, ...newPaths, RECORD_FILE])]) {
    if (existing.includes(p) || p === RECORD_FILE) {
      try {
        current.set(p, await readFile(join(outDir, p), 'utf8'));
      } catch {
        // absent: a new file
      }
    }
  }
  const next = [...all, record];
  const changed = stale.length > 0 || next.some((f) => current.get(f.path) !== f.content);
  return { outDir, files: next, stale, unowned, conflicts, current, changed };
}

/** Stages the new tree beside the old one and swaps them. No-op when nothing changed. */
export async function commitWrite(plan: WritePlan): Promise<void> {
  if (!plan.changed) return;
  if (plan.conflicts.length) throw new Error('commitWrite: refusing to overwrite unowned files');
  const { outDir } = plan;
  const stage = `${outDir}.fedrender-stage`;
  const old = `${outDir}.fedrender-old`;
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  for (const f of plan.files) {
    const target = inside(stage, f.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.content);
  }
  // Carry over whatever fedrender does not own, exactly as it is.
  for (const p of plan.unowned) await carry(join(outDir, p), inside(stage, p));
  if (existsSync(outDir)) {
    await rm(old, { recursive: true, force: true });
    await rename(outDir, old);
    await rename(stage, outDir);
    await rm(old, { recursive: true, force: true });
  } else {
    await mkdir(dirname(outDir), { recursive: true });
    await rename(stage, outDir);
  }
}

/** A build stopped between the two renames left `<out>.fedrender-old`: put it back. */
async function recoverInterruptedSwap(outDir: string): Promise<void> {
  const old = `${outDir}.fedrender-old`;
  if (!existsSync(old)) return;
  if (!existsSync(outDir)) await rename(old, outDir);
  else await rm(old, { recursive: true, force: true });
  await rm(`${outDir}.fedrender-stage`, { recursive: true, force: true });
}

async function readRecord(outDir: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(outDir, RECORD_FILE), 'utf8');
  } catch {
    return [];
  }
  const rec = parse(text) as Record | null;
  // Only paths that stay inside the output directory are honoured: a hand-edited record must
  // not make fedrender delete files elsewhere.
  return (rec?.files ?? []).map((f) => f.path).filter((p) => typeof p === 'string' && isSafeRelative(p));
}

function recordText(files: readonly OutputFile[]): string {
  const list = files.map((f) => ({
    path: f.path,
    sha256: createHash('sha256').update(f.content).digest('hex'),
  }));
  return (
    RECORD_HEADER +
    serializeDocument({ apiVersion: 'fedrender.io/v1alpha1', kind: 'OwnedFiles', files: list })
  );
}

/** Every file (and symlink) under dir, relative, `/`-separated, sorted; [] when dir is absent. */
async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p);
      else out.push(p);
    }
  };
  await walk('');
  return out.sort(cmp);
}

async function carry(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const st = await lstat(from);
  if (st.isSymbolicLink()) await symlink(await readlink(from), to);
  else await link(from, to).catch(() => copyFile(from, to));
}

function isSafeRelative(p: string): boolean {
  return p !== '' && !p.startsWith('/') && !p.split('/').some((s) => s === '..' || s === '.' || s === '');
}

/** Joins and asserts the result stays inside root: the last line of defence against `..`. */
export function inside(root: string, rel: string): string {
  const full = resolve(root, rel);
  if (!isSafeRelative(rel) || !full.startsWith(resolve(root) + sep)) {
    throw new Error(`fedrender: refusing to write outside the output directory: ${rel}`);
  }
  return full;
}

/** Replaces one file atomically (write beside it, then rename): used for federation.yaml edits. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.fedrender-tmp-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** A lock older than this was left by a build that died; it is taken over. */
const STALE_LOCK_MS = 10 * 60_000;
const LOCK_WAIT_MS = 120_000;

/**
 * Runs `fn` holding `<dir>.fedrender-lock` for every dir (taken in sorted order, so two builds
 * never wait on each other crosswise). mkdir is atomic: exactly one build gets each lock.
 */
export async function withLocks<T>(
  dirs: readonly string[],
  fn: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; message: string }> {
  const held: string[] = [];
  try {
    for (const dir of [...dirs].sort(cmp)) {
      const lock = `${dir}.fedrender-lock`;
      const got = await acquire(lock);
      if (!got)
        return {
          ok: false,
          message: `another fedrender build has held ${lock} for over ${LOCK_WAIT_MS / 1000} s`,
        };
      held.push(lock);
    }
    return { ok: true, value: await fn() };
  } finally {
    for (const lock of held.reverse()) await rm(lock, { recursive: true, force: true });
  }
}

async function acquire(lock: string): Promise<boolean> {
  await mkdir(dirname(lock), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(lock);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const st = await stat(lock).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > STALE_LOCK_MS) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
}
