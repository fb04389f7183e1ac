// Stage load/resources: `resources` globs -> parsed YAML documents, in a deterministic order.
// Globs are relative to federation.yaml; `!` patterns exclude. Matches are sorted by code unit
// where they enter, so file-system order never reaches the output.
import { readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { globby } from 'globby';
import { cmp, type Reporter } from '../core/diagnostics.js';
import { filePos, posOf } from '../core/source.js';
import { cachedDocuments, parseYamlFile, type ParsedDoc } from '../core/yaml-source.js';
import { hashText } from './hash.js';
import type { ParseCache } from './parse-cache.js';
import type { Located } from '../types.js';

export interface GlobOptions {
  /** Paths (relative to dir, `/`-separated) never treated as inputs: federation.yaml, the output. */
  exclude: string[];
  duplicateKeysAsWarnings?: boolean;
  /** What the patterns are, for messages: `resource` (default) or `crds`. */
  what?: string;
  /** Filled with path -> sha256 of each file read (the no-op cache's key). */
  hashes?: Map<string, string>;
  /** Parsed values of files seen before, by content hash. */
  parseCache?: ParseCache;
}

/** Files matched by the globs, relative to `dir`, sorted; a pattern matching nothing is reported. */
export async function expandGlobs(
  patterns: readonly Located<string>[],
  dir: string,
  reporter: Reporter,
  opts: GlobOptions,
): Promise<string[]> {
  const negatives = patterns.filter((p) => p.value.startsWith('!')).map((p) => p.value);
  const ignore = opts.exclude.flatMap((e) => [e, `${e}/**`]);
  const files = new Set<string>();
  for (const p of patterns) {
    if (p.value.startsWith('!')) continue;
    if (p.value.startsWith('/') || p.value.split('/').includes('..')) {
      reporter.error(
        'RESOURCE_GLOB',
        posOf(p.ref),
        `${opts.what ?? 'resource'} pattern "${p.value}" must stay inside the federation folder`,
      );
      continue;
    }
    // A folder names its manifests, as with `kubectl apply -f DIR`: .yaml, .yml and .json only.
    const found = await globby([p.value, ...negatives], {
      cwd: dir,
      ignore,
      onlyFiles: true,
      dot: false,
      followSymbolicLinks: false,
      expandDirectories: { extensions: ['yaml', 'yml', 'json'] },
    });
    if (found.length === 0) {
      reporter.strictWarning(
        'RESOURCE_GLOB',
        posOf(p.ref),
        `${opts.what ?? 'resource'} pattern "${p.value}" matched no file`,
      );
    }
    for (const f of found) files.add(f.split(sep).join('/'));
  }
  return [...files].sort(cmp);
}

/** Reads and parses every file; documents keep their positions. */
export async function loadDocuments(
  files: readonly string[],
  dir: string,
  reporter: Reporter,
  opts: GlobOptions,
): Promise<ParsedDoc[]> {
  const texts = await Promise.all(
    files.map(async (f) => {
      try {
        return await readFile(join(dir, f), 'utf8');
      } catch (e) {
        reporter.error('IO', filePos(f), `cannot read file: ${(e as Error).message}`);
        return undefined;
      }
    }),
  );
  const docs: ParsedDoc[] = [];
  files.forEach((f, i) => {
    const text = texts[i];
    if (text === undefined) return;
    const hash = hashText(text);
    opts.hashes?.set(f, hash);
    const parseOpts = { duplicateKeysAsWarnings: opts.duplicateKeysAsWarnings };
    const hit = opts.parseCache?.get(hash);
    if (hit) {
      docs.push(...cachedDocuments(stripBom(text), f, hit));
      return;
    }
    const before = reporter.diagnostics.length;
    const parsed = parseYamlFile(stripBom(text), f, reporter, parseOpts);
    // SOPS documents keep their own text (verbatim): they are parsed every time.
    if (reporter.diagnostics.length === before && parsed.every((d) => d.verbatim === undefined))
      opts.parseCache?.put(
        hash,
        parsed.map((d) => [d.source.index, d.value]),
      );
    docs.push(...parsed);
  });
  return docs;
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
