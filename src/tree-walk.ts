// Walking an output tree for the caches: every file (and folder) with [size, mtime, inode], the
// caches' proof that a tree is as a build left it. A large tree (33,700 files at 2,000 x 20) is
// ~300 ms of lstat calls: the no-op check walks it on a worker thread (tree-walk-worker.ts)
// while the main thread globs and hashes the inputs.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from './core/package-files.js';
import type { FileStat } from './write/write-pool.js';

/** Every file (and folder, ending in `/`) of a tree with [size, mtime, inode], sorted by path. */
export type TreeSnapshot = [string, number, number, number][];

/**
 * Every file under dir with [size, mtime, inode], sorted; [] when dir is absent. Under the
 * top-level folders named in `outside` (the clusters a partial build leaves out) only folders
 * are listed. A file in `known` (the stats the writer threads read as they wrote it) is listed
 * with those, not stated again: after a first build only its folders and any file it did not
 * write are.
 */
export function walkTree(
  dir: string,
  outside: ReadonlySet<string>,
  known?: ReadonlyMap<string, FileStat>,
): TreeSnapshot {
  const out: TreeSnapshot = [];
  // A folder's mtime changes when a file is written into it (temp file, rename) or deleted:
  // foldersUnchanged compares them. The tree's own folder holds the lock.
  const folder = (p: string, st: { mtimeMs: number; ino: number }, foldersOnly: boolean) => {
    out.push([`${p}/`, 0, st.mtimeMs, st.ino]);
    walk(p, foldersOnly);
  };
  const walk = (rel: string, foldersOnly: boolean) => {
    const at = rel ? join(dir, rel) : dir;
    if (foldersOnly) {
      let entries;
      try {
        entries = readdirSync(at, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = `${rel}/${e.name}`;
        if (e.isDirectory()) folder(p, lstatSync(join(dir, p)), true);
      }
      return;
    }
    // Names only: every entry but a known file is stated anyway, and the stat says what it is.
    let names;
    try {
      names = readdirSync(at);
    } catch {
      return;
    }
    for (const name of names) {
      const p = rel ? `${rel}/${name}` : name;
      const k = known?.get(p);
      if (k) {
        out.push([p, k[0], k[1], k[2]]);
        continue;
      }
      const st = lstatSync(join(dir, p));
      if (st.isDirectory()) folder(p, st, !rel && outside.has(name));
      else out.push([p, st.size, st.mtimeMs, st.ino]);
    }
  };
  walk('', false);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** walkTree on a worker thread; undefined when the worker could not run (walk here then). */
export function walkTreeInWorker(dir: string, outside: readonly string[]): Promise<TreeSnapshot | undefined> {
  return new Promise((resolve) => {
    try {
      // From the package root, not this module: the CLI runs as one bundle (scripts/bundle.js).
      const w = new Worker(join(packageRoot(), 'dist', 'src', 'tree-walk-worker.js'), {
        workerData: { dir, outside },
      });
      // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- tree-walk-worker.ts posts walkTree's result as JSON
      w.once('message', (json: string) => resolve(JSON.parse(json) as TreeSnapshot));
      w.once('error', () => resolve(undefined));
      w.once('exit', () => resolve(undefined));
    } catch {
      resolve(undefined);
    }
  });
}

/**
 * Files from which a first build's new tree is walked on two threads: below it, starting the
 * workers and moving the snapshot across costs what it saves (33,700 files: ~300 ms either way).
 */
export const TWO_WORKER_WALK_MIN_FILES = 100_000;

/**
 * walkTree on two worker threads, each stating the files of half the top-level folders (the
 * other half it only lists): the walk after a cold build of 418,000 files is ~3 s of lstat calls
 * on one thread. Undefined when a worker could not run.
 */
export async function walkTreeInTwoWorkers(
  dir: string,
  outside: readonly string[],
): Promise<TreeSnapshot | undefined> {
  let tops: string[];
  try {
    tops = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !outside.includes(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
  const halves = [tops.filter((_, i) => i % 2 === 0), tops.filter((_, i) => i % 2 === 1)];
  const [a, b] = await Promise.all([
    walkTreeInWorker(dir, [...outside, ...halves[1]!]),
    walkTreeInWorker(dir, [...outside, ...halves[0]!]),
  ]);
  return a && b ? mergeSnapshots(a, b) : undefined;
}

/** Two sorted snapshots as one; an entry in both (a folder, a top-level file) is taken once. */
export function mergeSnapshots(a: TreeSnapshot, b: TreeSnapshot): TreeSnapshot {
  const out: TreeSnapshot = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x[0] < y[0])) {
      out.push(x!);
      i++;
    } else if (x === undefined || y[0] < x[0]) {
      out.push(y);
      j++;
    } else {
      out.push(x);
      i++;
      j++;
    }
  }
  return out;
}
