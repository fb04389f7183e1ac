// The write-ahead journal, `<output dir>/.fedrender-journal.json`: written (atomically) before
// the first change and removed after the last, so a build that dies anywhere in between is
// finished or undone by the next one before it does anything else:
//   prepare  - temporary files are being written; roll back (remove them, and new empty folders)
//   commit   - every temporary file is complete; roll forward (rename the rest, delete stale)
//   rollback - a failure after the commit point; put back the old bytes it carries
import { createHash } from 'node:crypto';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { errCode, errno, mapLimit, type WriterFs } from './fs-layer.js';
import { isSafeRelative } from './record.js';

export const JOURNAL_FILE = '.fedrender-journal.json';
const JOURNAL_TMP = `${JOURNAL_FILE}.tmp`;

/** A path in one of the trees: roots[root] + '/' + path. */
export interface Target {
  root: number;
  path: string;
}

export interface Journal {
  version: 1;
  phase: 'prepare' | 'commit' | 'rollback';
  /** The trees, relative to the output directory (`.` for itself). */
  roots: string[];
  /**
   * Files written under a temporary name, renamed over their targets at commit. (Earlier
   * journals listed the `direct` ones here too: recovery ignores their missing temporary names,
   * so either form is read.)
   */
  writes: Target[];
  deletes: Target[];
  /** Folders this build creates, parents first. */
  newDirs: Target[];
  /** Owned folders that are empty once the stale files are gone, children first. */
  dropDirs: Target[];
  /**
   * New files in folders this build made, written under their own names at once (no temporary
   * name, no rename: a cold build of 40,000 files saves as many renames); undone by removal.
   */
  direct?: Target[];
  /** rollback: the bytes to put back (undefined: the file did not exist). */
  restore?: (Target & { content?: string })[];
}

/** The temporary name a file is written under, in its own folder (short, whatever the name). */
export function tmpName(file: string, kind: 'tmp' | 'bak' = 'tmp'): string {
  const h = createHash('sha1').update(basename(file)).digest('hex').slice(0, 16);
  return join(dirname(file), `.fr-${h}.${kind}`);
}

/** Names the writer itself leaves while it works: never reported as the user's files. */
export function isWriterName(name: string): boolean {
  return /^\.fr-[0-9a-f]{16}\.(tmp|bak)$/.test(name);
}

export function abs(roots: readonly string[], t: Target): string {
  const root = roots[t.root];
  if (root === undefined) throw new Error(`writer: no tree ${t.root}`);
  // One join, not one per segment: `path` uses `/` (join turns it into `\\` on Windows).
  return join(root, t.path);
}

export async function writeJournal(fs: WriterFs, outDir: string, j: Journal): Promise<void> {
  const tmp = join(outDir, JOURNAL_TMP);
  try {
    await fs.writeFile(tmp, JSON.stringify(j));
    await fs.rename(tmp, join(outDir, JOURNAL_FILE));
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
}

export async function removeJournal(fs: WriterFs, outDir: string): Promise<void> {
  await ignore(fs.unlink(join(outDir, JOURNAL_FILE)), 'ENOENT');
}

export async function hasJournal(fs: WriterFs, outDir: string): Promise<boolean> {
  return exists(fs, join(outDir, JOURNAL_FILE));
}

async function exists(fs: WriterFs, path: string): Promise<boolean> {
  return fs.lstat(path).then(
    () => true,
    () => false,
  );
}

export function journalRoots(outDir: string, roots: readonly string[]): string[] {
  return roots.map((r) => relative(outDir, r).split(sep).join('/') || '.');
}

/**
 * Finishes or undoes an interrupted build. `roots` are today's trees; a journal naming a tree
 * that is no longer configured is refused rather than followed (it could point anywhere).
 * Returns a message on failure; nothing when there was nothing to do or it is done.
 */
export async function recover(fs: WriterFs, roots: readonly string[]): Promise<string | undefined> {
  const outDir = roots[0];
  if (outDir === undefined) return undefined;
  let text: string;
  try {
    // A journal that was being replaced when the build died: the old one (if any) still holds.
    if (await exists(fs, join(outDir, JOURNAL_TMP))) await fs.unlink(join(outDir, JOURNAL_TMP));
    text = await fs.readFile(join(outDir, JOURNAL_FILE));
  } catch (e) {
    if (errCode(e) === 'ENOENT' || errCode(e) === 'ENOTDIR') return undefined;
    return `cannot read ${join(outDir, JOURNAL_FILE)}: ${String(errCode(e) ?? e)}`;
  }
  let j: Journal;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isJournal(parsed)) throw new Error('unknown version');
    j = parsed;
  } catch {
    return `${join(outDir, JOURNAL_FILE)} is damaged; an interrupted build cannot be finished: restore the output folder from git and delete that file`;
  }
  const map = j.roots.map((r) => roots.findIndex((x) => resolve(outDir, r) === resolve(x)));
  const bad = j.roots.find((_, i) => (map[i] ?? -1) < 0);
  if (bad !== undefined)
    return `${join(outDir, JOURNAL_FILE)} belongs to an interrupted build that wrote into ${bad}, which is no longer configured; restore the output from git and delete that file`;
  const at = (t: Target) => {
    if (!isSafeRelative(t.path)) throw new Error(`unsafe path in journal: ${t.path}`);
    return abs(roots, { root: map[t.root] ?? -1, path: t.path });
  };
  try {
    if (j.phase === 'prepare') {
      await mapLimit(j.writes, (t) => ignore(fs.unlink(tmpName(at(t))), 'ENOENT', 'ENOTDIR'));
      await mapLimit(j.direct ?? [], (t) => ignore(fs.unlink(at(t)), 'ENOENT', 'ENOTDIR'));
      for (const d of [...j.newDirs].reverse())
        await ignore(fs.rmdir(at(d)), 'ENOENT', 'ENOTEMPTY', 'EEXIST');
    } else if (j.phase === 'commit') {
      await mapLimit(j.writes, (t) => ignore(fs.rename(tmpName(at(t)), at(t)), 'ENOENT'));
      await mapLimit(j.deletes, (t) => ignore(fs.unlink(at(t)), 'ENOENT'));
      for (const d of j.dropDirs) await ignore(fs.rmdir(at(d)), 'ENOENT', 'ENOTEMPTY', 'EEXIST');
    } else {
      await restoreFiles(
        fs,
        (j.restore ?? []).map((r) => ({ file: at(r), content: r.content })),
      );
      await mapLimit(j.writes, (t) => ignore(fs.unlink(tmpName(at(t))), 'ENOENT', 'ENOTDIR'));
      for (const d of [...j.newDirs].reverse())
        await ignore(fs.rmdir(at(d)), 'ENOENT', 'ENOTEMPTY', 'EEXIST');
    }
    await removeJournal(fs, outDir);
  } catch (e) {
    const { code, message, path } = errno(e);
    return `cannot finish the interrupted build recorded in ${join(outDir, JOURNAL_FILE)}: ${code ?? message}${path ? ` at ${path}` : ''}`;
  }
  return undefined;
}

function isStrings(x: unknown): boolean {
  return Array.isArray(x) && x.every((r) => typeof r === 'string');
}

function isJournal(v: unknown): v is Journal {
  if (v === null || typeof v !== 'object') return false;
  const o = (k: string): unknown => Reflect.get(v, k);
  const targets = (x: unknown) =>
    Array.isArray(x) &&
    x.every(
      (t) =>
        t !== null &&
        typeof t === 'object' &&
        typeof Reflect.get(t, 'path') === 'string' &&
        typeof Reflect.get(t, 'root') === 'number',
    );
  return (
    o('version') === 1 &&
    ['prepare', 'commit', 'rollback'].includes(String(o('phase'))) &&
    isStrings(o('roots')) &&
    ['writes', 'deletes', 'newDirs', 'dropDirs'].every((k) => targets(o(k))) &&
    (o('restore') === undefined || targets(o('restore'))) &&
    (o('direct') === undefined || targets(o('direct')))
  );
}

/** Puts old bytes back (or removes a file that did not exist), each by write-then-rename. */
export async function restoreFiles(
  fs: WriterFs,
  files: readonly { file: string; content?: string }[],
): Promise<void> {
  await mapLimit(files, async ({ file, content }) => {
    if (content === undefined) return ignore(fs.unlink(file), 'ENOENT');
    await mkdirs(fs, dirname(file));
    const bak = tmpName(file, 'bak');
    await fs.writeFile(bak, content);
    await fs.rename(bak, file);
  });
}

/** mkdir -p that reports the folders it made, parents first. */
export async function mkdirs(fs: WriterFs, dir: string): Promise<string[]> {
  const made: string[] = [];
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      const st = await fs.stat(d);
      if (!st.isDirectory())
        throw Object.assign(new Error(`not a folder: ${d}`), { code: 'ENOTDIR', path: d });
      break;
    } catch (e) {
      if (errCode(e) !== 'ENOENT' || dirname(d) === d) throw e;
      missing.push(d);
    }
  }
  for (const d of missing.reverse()) {
    await ignore(fs.mkdir(d), 'EEXIST');
    made.push(d);
  }
  return made;
}

export async function ignore(p: Promise<unknown>, ...codes: string[]): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!codes.includes(errCode(e) ?? '')) throw e;
  }
}
