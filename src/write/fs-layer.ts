// The file-system calls the writer makes, behind one small interface, so tests can inject a
// fault (ENOSPC, EACCES, a crash) at any step; and a bounded map so that no phase opens more
// than a few dozen files at once, whatever the size of the tree.
import * as fsp from 'node:fs/promises';
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

export const realFs: WriterFs = {
  lstat: (p) => fsp.lstat(p),
  stat: (p) => fsp.stat(p),
  realpath: (p) => fsp.realpath(p),
  readdir: (p) => fsp.readdir(p, { withFileTypes: true }),
  readFile: (p) => fsp.readFile(p, 'utf8'),
  writeFile: (p, text, mode) =>
    fsp.writeFile(p, text, { flag: 'w', ...(mode !== undefined ? { mode } : {}) }),
  rename: (a, b) => fsp.rename(a, b),
  unlink: (p) => fsp.unlink(p),
  mkdir: (p) => fsp.mkdir(p).then(() => undefined),
  rmdir: (p) => fsp.rmdir(p),
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

/** The fields of a Node.js system error, read without trusting its type. */
export interface ErrnoInfo {
  code?: string;
  path?: string;
  dest?: string;
  syscall?: string;
  message: string;
}

export function errno(e: unknown): ErrnoInfo {
  const get = (k: string): string | undefined => {
    const v: unknown = e !== null && typeof e === 'object' ? Reflect.get(e, k) : undefined;
    return typeof v === 'string' ? v : undefined;
  };
  return {
    code: get('code'),
    path: get('path'),
    dest: get('dest'),
    syscall: get('syscall'),
    message: get('message') ?? String(e),
  };
}

export function errCode(e: unknown): string | undefined {
  return errno(e).code;
}
