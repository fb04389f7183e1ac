// Helpers for the writer's tests: a whole-tree snapshot (files, folders even when empty, modes,
// symlinks) and a file-system layer that fails on purpose.
import { lstatSync, readdirSync, readFileSync, readlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { realFs, type WriterFs } from '../src/write/index.js';

/** Every entry under dir: `path -> content | 'dir 700' | '-> target'`; {} when absent. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, p));
      if (st.isSymbolicLink()) out[p] = `-> ${readlinkSync(join(dir, p))}`;
      else if (st.isDirectory()) {
        out[p] = `dir ${(st.mode & 0o777).toString(8)}`;
        walk(p);
      } else out[p] = readFileSync(join(dir, p), 'utf8');
    }
  };
  walk('');
  return out;
}

const MUTATING = new Set(['writeFile', 'rename', 'unlink', 'mkdir', 'rmdir']);

export interface Faulty {
  fs: WriterFs;
  /** Mutating calls made so far. */
  calls: () => number;
}

/**
 * A WriterFs that fails the k-th mutating call (1-based) with `code`. `crash`: that call and
 * every later call of any kind fail, as if the process had died there.
 */
export function faultyFs(k: number, code = 'ENOSPC', crash = false): Faulty {
  let n = 0;
  let dead = false;
  const fail = (name: string, path: unknown) => {
    const e = Object.assign(new Error(`${code}: injected fault, ${name} '${String(path)}'`), {
      code,
      syscall: name === 'writeFile' ? 'open' : name,
      path: String(path),
    });
    return Promise.reject(e);
  };
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(realFs) as [string, (...a: unknown[]) => Promise<unknown>][]) {
    wrapped[name] = (...args: unknown[]) => {
      if (dead) return fail(name, args[0]);
      if (MUTATING.has(name) && ++n === k) {
        if (crash) dead = true;
        return fail(name, args[0]);
      }
      return fn(...args);
    };
  }
  return { fs: wrapped as unknown as WriterFs, calls: () => n };
}
