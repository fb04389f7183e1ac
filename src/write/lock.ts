// Locks that survive crashes (proper-lockfile): a lock is a folder whose mtime its holder
// refreshes every second; one not refreshed for STALE_MS belongs to a dead process and is taken
// over. So builds into one tree, and edits of one federation.yaml, take turns, and a build
// killed with SIGKILL delays the next one by a few seconds at most.
import lockfile from 'proper-lockfile';
import { errno } from './fs-layer.js';

/** The lock of a build, inside the output folder it guards (never beside it: not ours). */
export const LOCK_NAME = '.fedrender.lock';
const STALE_MS = 6000;
const UPDATE_MS = 1000;

export type Locked<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Runs fn holding the lock `lockPath` (a folder) for `target`. `compromised()` turns true if
 * another process took the lock over (this one stalled for longer than STALE_MS).
 */
export async function withLock<T>(
  target: string,
  lockPath: string,
  fn: (compromised: () => boolean) => Promise<T>,
  waitMs = 180_000,
): Promise<Locked<T>> {
  let lost = false;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, {
      lockfilePath: lockPath,
      realpath: false,
      stale: STALE_MS,
      update: UPDATE_MS,
      retries: { retries: Math.ceil(waitMs / 500), minTimeout: 50, maxTimeout: 500, factor: 1.3 },
      onCompromised: () => {
        lost = true;
      },
    });
  } catch (e) {
    const { code, message } = errno(e);
    return {
      ok: false,
      message:
        code === 'ELOCKED'
          ? `another fedrender process still holds ${lockPath} after ${waitMs / 1000} s`
          : `cannot lock ${lockPath} (${code ?? message})`,
    };
  }
  try {
    return { ok: true, value: await fn(() => lost) };
  } finally {
    if (!lost) await release().catch(() => undefined);
  }
}
