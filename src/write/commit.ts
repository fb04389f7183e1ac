// Committing a plan: each changed file is written under a temporary name in its own folder,
// then renamed over its target; stale owned files are deleted last and owned folders left
// empty removed. A journal written before the first change makes every step recoverable: a
// failure rolls back here, a crash is finished or undone by the next run (journal.ts). The
// output folder itself and everything fedrender does not own are never renamed, replaced,
// chmod-ed or deleted.
import { basename, dirname } from 'node:path';
import { errCode, errno, mapLimit, realFs, spreadByFolder, type WriterFs } from './fs-layer.js';
import {
  abs,
  ignore,
  isWriterName,
  journalRoots,
  mkdirs,
  removeJournal,
  restoreFiles,
  tmpName,
  writeJournal,
  type Journal,
  type Target,
} from './journal.js';
import type { WritePlan } from './plan.js';
import { POOL_MIN_FILES, writeInWorkers, type FileStat } from './write-pool.js';

/** A failed write: `message` says `%p` where the path goes, shown as the caller presents paths. */
export class WriteError extends Error {
  constructor(
    message: string,
    /** Absolute path the failed call was about. */
    readonly path: string,
  ) {
    super(message);
  }
}

/** True when a commit would change anything on disk. */
export function hasWork(plan: WritePlan): boolean {
  return plan.writes.length > 0 || plan.deletes.length > 0 || plan.dropDirs.length > 0;
}

/** What the writer threads read of each file they wrote (write-pool.ts): stats[i] is writes[i]'s. */
export interface WrittenStats {
  writes: readonly WritePlan['writes'][number][];
  stats: readonly FileStat[];
}

/**
 * Applies the plan. On failure it undoes what it did and throws a WriteError naming the path;
 * `stillCommitted` is set when even the undo failed (the next run finishes the build). Returns
 * the written files' stats when the writer threads wrote them (large plans on the real file
 * system), else undefined.
 */
export async function commitWrite(
  fs: WriterFs,
  plan: WritePlan,
  isCompromised = () => false,
): Promise<WrittenStats | undefined> {
  if (!hasWork(plan)) return undefined;
  if (plan.problems.length) throw new Error('commitWrite: the plan has problems');
  const { roots } = plan;
  const { outDir } = plan;
  const at = (t: Target) => abs(roots, t);
  const journal: Journal = {
    version: 1,
    phase: 'prepare',
    roots: journalRoots(outDir, roots),
    writes: [],
    deletes: plan.deletes.map(({ root, path }) => ({ root, path })),
    newDirs: plan.newDirs,
    dropDirs: plan.dropDirs,
  };
  // A new file in a folder this build makes cannot replace anything: it is written in place.
  const key = (t: Target) => `${t.root}\u0000${t.path}`;
  const inNewDir = (dirs: ReadonlySet<string>) => (w: Target) =>
    w.path.includes('/') && dirs.has(`${w.root}\u0000${w.path.slice(0, w.path.lastIndexOf('/'))}`);
  let direct = plan.writes
    .filter((w) => w.old === undefined)
    .filter(inNewDir(new Set(plan.newDirs.map(key))));
  let inPlace = new Set(direct);
  // Each write listed once: under `direct` or under `writes` (temporary name, rename). A first
  // build's journal listed its 418,000 files twice at 10,000 x 50 (tens of MB at peak memory).
  const listWrites = () => {
    journal.writes = [];
    journal.direct = [];
    for (const w of plan.writes)
      (inPlace.has(w) ? journal.direct : journal.writes).push({ root: w.root, path: w.path });
  };
  listWrites();
  const madeRoots: string[] = [];
  let committed = false;
  const renamed: WritePlan['writes'] = [];
  const deleted: WritePlan['deletes'] = [];
  let stats: WrittenStats | undefined;
  try {
    for (const r of roots) madeRoots.push(...(await mkdirs(fs, r)));
    await writeJournal(fs, outDir, journal);
    const made = new Set<string>();
    // Level by level (parents first), each level's folders at once: a fleet makes hundreds.
    const depth = (d: Target) => d.path.split('/').length;
    for (const level of [...new Set(plan.newDirs.map(depth))].sort((a, b) => a - b)) {
      await mapLimit(
        plan.newDirs.filter((d) => depth(d) === level),
        async (d) => {
          try {
            await fs.mkdir(at(d));
            made.add(key(d));
          } catch (e) {
            if (errCode(e) !== 'EEXIST') throw e;
          }
        },
      );
    }
    if (made.size < plan.newDirs.length) {
      // A folder appeared since planning: files in it go through a temporary name after all.
      direct = direct.filter(inNewDir(made));
      inPlace = new Set(direct);
      listWrites();
      await writeJournal(fs, outDir, journal);
    }
    const target = (w: WritePlan['writes'][number]) => (inPlace.has(w) ? at(w) : tmpName(at(w)));
    const writes = spreadByFolder(plan.writes);
    if (fs === realFs && writes.length >= POOL_MIN_FILES) {
      stats = { writes, stats: await writeInWorkers(writes, (w) => ({ path: target(w), text: w.content })) };
    } else await mapLimit(writes, (w) => fs.writeFile(target(w), w.content));
    if (isCompromised()) throw new WriteError(`lost the lock on %p to another build`, outDir);
    journal.phase = 'commit';
    await writeJournal(fs, outDir, journal);
    // Not push(...direct): a spread of 400,000 arguments overflows the stack (10,000 x 50).
    for (const w of direct) renamed.push(w);
    committed = true;
    await mapLimit(spreadByFolder(plan.writes.filter((w) => !inPlace.has(w))), async (w) => {
      await fs.rename(tmpName(at(w)), at(w));
      renamed.push(w);
    });
    await mapLimit(spreadByFolder(plan.deletes), async (d) => {
      await ignore(fs.unlink(at(d)), 'ENOENT');
      deleted.push(d);
    });
    for (const d of plan.dropDirs) await ignore(fs.rmdir(at(d)), 'ENOENT', 'ENOTEMPTY', 'EEXIST');
    await removeJournal(fs, outDir);
    return stats;
  } catch (e) {
    const cause = describe(e);
    try {
      if (committed) {
        // Put the old bytes back; the journal carries them, so a crash here is undone too.
        journal.phase = 'rollback';
        journal.restore = [
          ...renamed.map((w) => ({ root: w.root, path: w.path, content: w.old })),
          ...deleted.map((d) => ({ root: d.root, path: d.path, content: d.old })),
        ];
        await writeJournal(fs, outDir, journal);
        await restoreFiles(
          fs,
          journal.restore.map((r) => ({ file: at(r), content: r.content })),
        );
      }
      await mapLimit(plan.writes, (w) => ignore(fs.unlink(tmpName(at(w))), 'ENOENT', 'ENOTDIR'));
      if (!committed) await mapLimit(direct, (w) => ignore(fs.unlink(at(w)), 'ENOENT', 'ENOTDIR'));
      for (const d of [...plan.newDirs].reverse())
        await ignore(fs.rmdir(at(d)), 'ENOENT', 'ENOTEMPTY', 'EEXIST');
      await removeJournal(fs, outDir);
      for (const d of madeRoots.reverse()) await ignore(fs.rmdir(d), 'ENOENT', 'ENOTEMPTY', 'EEXIST');
    } catch (undo) {
      throw new WriteError(
        `${cause.message}; undoing the build failed too (${describe(undo).message.replace('%p', describe(undo).path)}): the next build finishes it`,
        cause.path,
      );
    }
    throw cause;
  }
}

/** One line naming the path: `cannot write rendered/x (EACCES: permission denied)`. */
function describe(e: unknown): WriteError {
  if (e instanceof WriteError) return e;
  const err = errno(e);
  const path = err.dest ?? err.path ?? '';
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted (read-only or immutable)',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENAMETOOLONG: 'name too long',
    ENOTDIR: 'a part of the path is not a folder',
    EISDIR: 'is a folder',
    EBUSY: 'busy',
    EMFILE: 'too many open files',
  };
  const code = err.code;
  const verb =
    err.syscall === 'rename'
      ? 'replace'
      : err.syscall === 'unlink' || err.syscall === 'rmdir'
        ? 'remove'
        : err.syscall === 'mkdir'
          ? 'create'
          : 'write';
  let target = err.syscall === 'rename' && err.dest ? err.dest : (err.path ?? path);
  let what = '%p';
  // A temporary name means nothing to the user: name the folder it was in.
  if (isWriterName(basename(target))) {
    target = dirname(target);
    what = 'into %p';
  }
  return new WriteError(
    code ? `cannot ${verb} ${what} (${code}: ${why[code] ?? err.message})` : String(err.message ?? e),
    target,
  );
}
