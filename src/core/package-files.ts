// Files shipped inside the package (schemas/), found relative to this module whether it runs
// from src/ (ts) or dist/src/ (compiled): walk up to the folder whose package.json is ours.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === 'fedrender') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('fedrender: cannot find the package root from ' + import.meta.url);
    dir = up;
  }
}

export function readPackageJson<T>(relative: string): T {
  return JSON.parse(readFileSync(join(packageRoot(), relative), 'utf8')) as T;
}
