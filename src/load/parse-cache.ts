// Parsed inputs, kept between runs: the YAML parse with positions is the largest cost of a
// build that changed one file. Per project, one file in the cache folder maps the sha256 of
// each input file's bytes to the JSON values of its documents. A hit skips the parse; the
// document's positions are parsed lazily, only if a diagnostic needs one. Only files that parsed
// without any diagnostic and whose values are plain JSON are kept, so a hit reports nothing
// that a parse would have reported. The whole file is rewritten with the current inputs only.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isObject } from '../core/cow.js';
import type { Json } from '../types.js';
import { hashText } from './hash.js';

const FORMAT = 1;

/** Per content hash: [index of the document in its file, its value] for each non-empty one. */
type Entries = Record<string, [number, Json][]>;

export class ParseCache {
  private readonly next: Entries = {};
  private dirty = false;

  private constructor(
    private readonly path: string,
    private readonly stamp: string,
    private readonly old: Entries,
  ) {}

  /** The cache of the project in `projectDir`; empty when absent, unreadable or stale. */
  static async open(cacheDir: string, projectDir: string, stamp: string): Promise<ParseCache> {
    const path = join(cacheDir, 'parse', `${hashText(projectDir)}.json`);
    let old: Entries = {};
    try {
      const data: unknown = JSON.parse(await readFile(path, 'utf8'));
      if (isObject(data) && data.format === FORMAT && data.stamp === stamp && isObject(data.entries))
        // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- written by save() in this format
        old = data.entries as Entries;
    } catch {
      // absent or unreadable: start empty
    }
    return new ParseCache(path, stamp, old);
  }

  get(hash: string): [number, Json][] | undefined {
    const hit = this.old[hash];
    if (hit) this.next[hash] = hit;
    return hit;
  }

  put(hash: string, docs: [number, Json][]): void {
    if (!docs.every(([, v]) => isPlainJson(v))) return;
    this.next[hash] = docs;
    this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.dirty && Object.keys(this.next).length === Object.keys(this.old).length) return;
    try {
      await mkdir(join(this.path, '..'), { recursive: true });
      const tmp = `${this.path}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(tmp, JSON.stringify({ format: FORMAT, stamp: this.stamp, entries: this.next }));
      await rename(tmp, this.path);
    } catch {
      // A read-only or full cache folder only costs the next run its parse.
    }
  }
}

/** Survives JSON unchanged: finite numbers, strings, booleans, null, arrays, plain objects. */
export function isPlainJson(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every(isPlainJson);
  if (typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const k of Object.keys(v)) {
    if (k === '__proto__' || !isPlainJson(Reflect.get(v, k))) return false;
  }
  return true;
}
