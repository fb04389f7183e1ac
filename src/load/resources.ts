// Stage load/resources: `resources` globs -> parsed YAML documents, in a deterministic order.
// Globs are relative to federation.yaml; `!` patterns exclude, a leading `?` marks a pattern that
// may match nothing. Every matched file must resolve (symlinks followed) inside the project
// folder. Matches are sorted by code unit where they enter, so file-system order never reaches
// the output; reads run a few at a time, so thousands of manifests fit a small open-file limit.
import { readFile } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, posix, relative, resolve, sep } from 'node:path';
import { globby } from 'globby';
import pLimit from 'p-limit';
import { cmp, type Reporter } from '../core/diagnostics.js';
import { errorMessage } from '../core/errors.js';
import { filePos, posOf } from '../core/source.js';
import { cachedDocuments, parseYamlFile, type ParsedDoc, type ParseOptions } from '../core/yaml-source.js';
import { hashText } from './hash.js';
import { parseClean } from './parallel-parse.js';
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

/** Files opened at once: far below any open-file limit (macOS defaults to 256). */
const PARALLEL_FILES = 16;

/** A leading `?` marks an optional pattern: matching no file is not an error. */
const OPTIONAL = '?';

/** Files matched by the globs, relative to `dir`, sorted; a pattern matching nothing is an error. */
export async function expandGlobs(
  patterns: readonly Located<string>[],
  dir: string,
  reporter: Reporter,
  opts: GlobOptions,
): Promise<string[]> {
  const what = opts.what ?? 'resource';
  const negatives = patterns.filter((p) => p.value.startsWith('!')).map((p) => p.value);
  const ignore = opts.exclude.flatMap((e) => [e, `${e}/**`]);
  const root = await realpath(dir).catch(() => dir);
  const limit = pLimit(PARALLEL_FILES);
  const files = new Set<string>();
  for (const p of patterns) {
    if (p.value.startsWith('!')) continue;
    const optional = p.value.startsWith(OPTIONAL);
    const glob = optional ? p.value.slice(OPTIONAL.length) : p.value;
    const problem = patternProblem(glob, optional);
    if (problem) {
      reporter.error('RESOURCE_GLOB', posOf(p.ref), `${what} pattern "${p.value}" ${problem}`);
      continue;
    }
    let found: string[];
    try {
      found = await matchFiles(glob, [...negatives], dir, ignore);
    } catch (e) {
      // A pattern micromatch cannot compile, or a folder the walk cannot read.
      reporter.error('RESOURCE_GLOB', posOf(p.ref), `${what} pattern "${p.value}": ${errorMessage(e)}`);
      continue;
    }
    const checked = await Promise.all(found.map((f) => limit(() => checkMatch(f, dir, root))));
    let matched = 0;
    checked.forEach((c, i) => {
      if (c.ok) {
        files.add(c.path);
        matched++;
      } else if (c.problem) {
        reporter.error(
          'RESOURCE_GLOB',
          posOf(p.ref),
          `${what} pattern "${p.value}" ${c.problem}: ${found[i]}`,
        );
      }
    });
    if (matched > 0 || optional || checked.some((c) => !c.ok && c.problem)) continue;
    // Never a silent pass: a typo would prune every rendered file with exit 0.
    const excluded = negatives.length > 0 && (await matchFiles(glob, [], dir, ignore).catch(() => [])).length;
    reporter.error(
      'RESOURCE_GLOB',
      posOf(p.ref),
      excluded
        ? `${what} pattern "${p.value}" matched only files that a "!" pattern excludes`
        : `${what} pattern "${p.value}" matched no file`,
      `mark a pattern that may match nothing with a leading "?", e.g. "?${glob}"`,
    );
  }
  return [...files].sort(cmp);
}

/** Why a pattern is refused before it is expanded, or undefined. */
function patternProblem(glob: string, optional: boolean): string | undefined {
  if (glob === '') return 'is empty';
  if (optional && glob.startsWith('!'))
    return 'excludes and is optional; an exclude may always match nothing';
  if (isAbsolute(glob) || glob.split('/').includes('..'))
    return 'must stay inside the federation folder (relative, without "..")';
  return undefined;
}

/**
 * Files and symlinks a pattern matches. Wildcards never walk into symlinked folders (a link
 * loop would never end), `node_modules` or dot-folders unless the pattern names them; a folder
 * names its manifests, as with `kubectl apply -f DIR`: .yaml, .yml and .json only.
 */
async function matchFiles(
  glob: string,
  negatives: string[],
  dir: string,
  ignore: string[],
): Promise<string[]> {
  const namesModules = glob.split('/').some((s) => s.includes('node_modules'));
  const entries = await globby([glob, ...negatives], {
    cwd: dir,
    ignore: namesModules ? ignore : [...ignore, '**/node_modules/**'],
    onlyFiles: false,
    objectMode: true,
    dot: false,
    followSymbolicLinks: false,
    expandDirectories: { extensions: ['yaml', 'yml', 'json'] },
  });
  return entries.filter((e) => !e.dirent.isDirectory()).map((e) => e.path);
}

type Match = { ok: true; path: string } | { ok: false; problem?: string };

/**
 * A matched entry as a project-relative path, when it is a file, or a symlink to one, whose real
 * path stays inside the project folder (absolute paths in braces and links included).
 */
async function checkMatch(found: string, dir: string, root: string): Promise<Match> {
  const abs = resolve(dir, found);
  let real: string;
  try {
    real = await realpath(abs);
  } catch {
    return { ok: false, problem: 'matches a symlink that points to no file' };
  }
  const inside = relative(root, real);
  if (inside === '' || inside === '..' || inside.startsWith('..' + sep) || isAbsolute(inside))
    return { ok: false, problem: 'matches a file outside the federation folder' };
  const info = await stat(real).catch(() => undefined);
  if (!info?.isFile()) return { ok: false };
  return { ok: true, path: posix.normalize(relative(dir, abs).split(sep).join('/')) };
}

/** Reads and parses every file, a few at a time; documents keep their positions. */
export async function loadDocuments(
  files: readonly string[],
  dir: string,
  reporter: Reporter,
  opts: GlobOptions,
): Promise<ParsedDoc[]> {
  const limit = pLimit(PARALLEL_FILES);
  const texts = await Promise.all(
    files.map((f) =>
      limit(async () => {
        try {
          // The callback API: fs/promises' FileHandle costs twice the main-thread time per file.
          return await new Promise<string>((ok, fail) =>
            readFile(resolve(dir, f), 'utf8', (e, text) => (e ? fail(e) : ok(text))),
          );
        } catch (e) {
          reporter.error('IO', filePos(f), `cannot read file: ${errorMessage(e)}`);
          return undefined;
        }
      }),
    ),
  );
  const hashes = texts.map((t) => (t === undefined ? undefined : hashText(t)));
  const misses = files.flatMap((_, i) =>
    texts[i] !== undefined && !opts.parseCache?.get(hashes[i]!) ? [i] : [],
  );
  const clean = await parseClean(
    misses.map((i) => stripBom(texts[i]!)),
    misses.map((i) => files[i]!),
  );
  const parsedAt = new Map(misses.map((m, j) => [m, clean[j]]));
  const docs: ParsedDoc[] = [];
  files.forEach((f, i) => {
    const text = texts[i];
    if (text === undefined) return;
    const hash = hashes[i]!;
    opts.hashes?.set(f, hash);
    const parseOpts = { duplicateKeysAsWarnings: opts.duplicateKeysAsWarnings };
    const hit = parsedAt.has(i) ? undefined : opts.parseCache?.get(hash);
    if (hit) {
      for (const d of cachedDocuments(stripBom(text), f, hit)) docs.push(d);
      return;
    }
    const done = parsedAt.get(i);
    if (done && 'values' in done) {
      opts.parseCache?.put(hash, done.values);
      for (const d of cachedDocuments(stripBom(text), f, done.values)) docs.push(d);
      return;
    }
    // A file with diagnostics is parsed again here, so they are reported in file order.
    for (const d of parseRecorded(stripBom(text), f, hash, reporter, opts.parseCache, parseOpts, done?.docs))
      docs.push(d);
  });
  return docs;
}

/**
 * A file parsed here, its values put in the parse cache when parsing reported nothing (SOPS
 * documents keep their own text, verbatim: they are parsed every time). `parsed`: the worker's.
 */
function parseRecorded(
  text: string,
  file: string,
  hash: string,
  reporter: Reporter,
  cache: ParseCache | undefined,
  parseOpts: ParseOptions,
  parsed?: ParsedDoc[],
): ParsedDoc[] {
  const before = reporter.diagnostics.length;
  const docs = parsed ?? parseYamlFile(text, file, reporter, parseOpts);
  if (reporter.diagnostics.length === before && docs.every((d) => d.verbatim === undefined))
    cache?.put(
      hash,
      docs.map((d) => [d.source.index, d.value]),
    );
  return docs;
}

/** One file's documents, from the parse cache when it holds its bytes (federation.yaml). */
export function parseCachedFile(
  text: string,
  file: string,
  reporter: Reporter,
  cache: ParseCache | undefined,
): ParsedDoc[] {
  const hash = hashText(text);
  const hit = cache?.get(hash);
  return hit ? cachedDocuments(text, file, hit) : parseRecorded(text, file, hash, reporter, cache, {});
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
