// Files shipped inside the package (schemas/), found relative to this module whether it runs
// from src/ (ts) or dist/src/ (compiled): walk up to the folder whose package.json is ours.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonObject } from '../types.js';
import { isObject } from './cow.js';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && nameOf(JSON.parse(readFileSync(pj, 'utf8'))) === 'fedrender') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('fedrender: cannot find the package root from ' + import.meta.url);
    dir = up;
  }
}

function nameOf(pkg: unknown): unknown {
  return typeof pkg === 'object' && pkg !== null && 'name' in pkg ? pkg.name : undefined;
}

/** A JSON file of the package, parsed; the caller checks its shape. */
export function readPackageJson(relative: string): unknown {
  return JSON.parse(readFileSync(join(packageRoot(), relative), 'utf8'));
}

/** A JSON Schema shipped in the package; a broken one is a broken package, not a user error. */
export function readPackageSchema(relative: string): JsonObject {
  const schema = readPackageJson(relative);
  if (!isObject(schema)) throw new Error(`fedrender: ${relative} is not a JSON Schema`);
  return schema;
}
