// The file-system calls the writer makes, behind one small interface, so tests can inject a
// fault (ENOSPC, EACCES, a crash) at any step; and a bounded map so that no phase opens more
// than a few dozen files at once, whatever the size of the tree.
import * as fs from 'node:fs';
import type { Dirent, Stats } from 'node:fs';

export interface WriterFs {
  lstat(path: string): Promise<Stats>;
  stat(path: string): Promise<Stats>;
  realpath(path: string): Promise<string>;
  readdir(path: string): Promise<Dirent[]>;
  readFile(path: string): Promise<string>;
  writeFile(path: string, text: string, mode?: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
}

// fs's callback API, not fs/promises: a FileHandle per file costs about twice the main-thread
// time, which at 40,000 files is seconds of a build (bench/bench.ts).
function promised<R>(start: (done: (e: Error | null, r: R) => void) => void): Promise<R> {
  return new Promise((resolve, reject) => start((e, r) => (e ? reject(e) : resolve(r))));
}

export const realFs: WriterFs = {
  lstat: (p) => promised((done) => fs.lstat(p, done)),
  stat: (p) => promised((done) => fs.stat(p, done)),
  realpath: (p) => promised((done) => fs.realpath(p, done)),
  readdir: (p) => promised((done) => fs.readdir(p, { withFileTypes: true }, done)),
  readFile: (p) => promised((done) => fs.readFile(p, 'utf8', done)),
  writeFile: (p, text, mode) =>
    promised<void>((done) =>
      fs.writeFile(p, text, { flag: 'w', ...(mode !== undefined ? { mode } : {}) }, (e) =>
        done(e, undefined),
      ),
    ),
  rename: (a, b) => promised<void>((done) => fs.rename(a, b, (e) => done(e, undefined))),
  unlink: (p) => promised<void>((done) => fs.unlink(p, (e) => done(e, undefined))),
  mkdir: (p) => promised<void>((done) => fs.mkdir(p, (e) => done(e, undefined))),
  rmdir: (p) => promised<void>((done) => fs.rmdir(p, (e) => done(e, undefined))),
};

/** How many files the writer reads, writes or lists at once. */
export const IO_CONCURRENCY = 48;

/** Runs fn over items with at most `limit` calls in flight; results keep the items' order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
  limit = IO_CONCURRENCY,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const failed: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length && failed.length === 0) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (e) {
        failed.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  // Rethrown as it came: a system error carries the path the caller reports.
  if (failed.length) throw failed[0];
  return out;
}

/**
 * The items reordered so that neighbours are in different folders: one from each folder in
 * turn, folders and items in their first order. Creating, renaming or deleting a name locks its
 * folder in the kernel; the writer's I/O threads taking files of one folder at a time spin on
 * that lock, which on ext4 cost more system time than the writes themselves (bench/bench.ts).
 */
export function spreadByFolder<T extends { root: number; path: string }>(items: readonly T[]): T[] {
  const folders = new Map<string, T[]>();
  for (const it of items) {
    const key = `${it.root}\u0000${it.path.slice(0, Math.max(0, it.path.lastIndexOf('/')))}`;
    const list = folders.get(key);
    if (list) list.push(it);
    else folders.set(key, [it]);
  }
  const lists = [...folders.values()];
  const out: T[] = [];
  for (let i = 0; out.length < items.length; i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}

// Read in core/errors.ts, shared with the stages that read files.
export { errno, errCode, type ErrnoInfo } from '../core/errors.js';
