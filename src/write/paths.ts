// Two small guards shared by the writer and the federation.yaml editor.
import { randomBytes } from 'node:crypto';
import { chmod, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { isSafeRelative } from './record.js';

/** Joins and asserts the result stays inside root: the last line of defence against `..`. */
export function inside(root: string, rel: string): string {
  const full = resolve(root, rel);
  if (!isSafeRelative(rel) || !full.startsWith(resolve(root) + sep)) {
    throw new Error(`fedrender: refusing to write outside the output directory: ${rel}`);
  }
  return full;
}

/**
 * Replaces one file atomically (write beside it, then rename), keeping its mode: used for
 * federation.yaml edits. `path` must be the real path (a symlink is followed by the caller).
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const mode = await stat(path).then(
    (s) => s.mode & 0o7777,
    () => undefined,
  );
  const tmp = `${path}.fedrender-tmp-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, text, { flag: 'wx', ...(mode !== undefined ? { mode } : {}) });
    // writeFile's mode is masked by the umask; the file we replace keeps its own.
    if (mode !== undefined) await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
