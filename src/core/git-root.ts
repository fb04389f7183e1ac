// Paths as a git repository sees them. Argo CD and Flux address the rendered tree by its path
// from the repository's root, so GitOps output needs that root: the nearest folder holding
// `.git`, a folder in a clone, a file in a worktree or submodule.
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** The nearest folder from `start` upwards (inclusive) that holds `.git`; undefined if none. */
export function findGitRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** `target` relative to `root`, `/`-separated, '' for the root itself; undefined when outside it. */
export function pathInside(root: string, target: string): string | undefined {
  const rel = relative(root, target);
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith('..' + sep) || rel.startsWith('/') || /^[A-Za-z]:/.test(rel))
    return undefined;
  return rel.split(sep).join('/');
}

/** A repository path below `base` ('' = the root): `base/segment`, or `segment` at the root. */
export function repoJoin(base: string, segment: string): string {
  return base === '' ? segment : `${base}/${segment}`;
}
