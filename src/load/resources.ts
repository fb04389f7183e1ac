// Stage load/resources: `resources` globs -> parsed YAML documents, in a deterministic order.
// Globs are relative to federation.yaml; `!` patterns exclude, a leading `?` marks a pattern that
// may match nothing. Every matched file must resolve (symlinks followed) inside the project
// folder. Matches are sorted by code unit where they enter, so file-system order never reaches
// the output; files are read one at a time, so thousands of manifests fit any open-file limit.
import { readFileSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { globby } from 'globby';
import pLimit from 'p-limit';
import { cmp, type Reporter } from '../core/diagnostics.js';
import { errorMessage } from '../core/errors.js';
import { filePos, posOf } from '../core/source.js';
import { cachedDocuments, parseYamlFile, type ParsedDoc, type ParseOptions } from '../core/yaml-source.js';
import { hashText } from './hash.js';
import type { InputReads } from './input-reads.js';
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
  /** Expansions and texts the no-op check made this run (input-reads.ts). */
  reads?: InputReads;
}

/** Matches checked at once (realpath, stat): far below any open-file limit (macOS: 256). */
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
  const key = { dir, patterns: patterns.map((p) => p.value), exclude: opts.exclude, what };
  const known = opts.reads?.globbed(key);
  if (known) return known;
  const reported = reporter.diagnostics.length;
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
    let found: Found[];
    try {
      found = await matchFiles(glob, [...negatives], dir, ignore);
    } catch (e) {
      // A pattern micromatch cannot compile, or a folder the walk cannot read.
      reporter.error('RESOURCE_GLOB', posOf(p.ref), `${what} pattern "${p.value}": ${errorMessage(e)}`);
      continue;
    }
    const realDirs = new Map<string, Promise<string>>();
    const checked = await Promise.all(found.map((f) => limit(() => checkMatch(f, dir, root, realDirs))));
    let matched = 0;
    checked.forEach((c, i) => {
      if (c.ok) {
        files.add(c.path);
        matched++;
      } else if (c.problem) {
        reporter.error(
          'RESOURCE_GLOB',
          posOf(p.ref),
          `${what} pattern "${p.value}" ${c.problem}: ${found[i]!.path}`,
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
  const sorted = [...files].sort(cmp);
  if (reporter.diagnostics.length === reported) opts.reads?.putGlob(key, sorted);
  return sorted;
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
): Promise<Found[]> {
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
  return entries
    .filter((e) => !e.dirent.isDirectory())
    .map((e) => ({ path: e.path, file: e.dirent.isFile() }));
}

/** A matched entry; `file`: a regular file, not a symlink (the walk's directory entry says). */
interface Found {
  path: string;
  file: boolean;
}

type Match = { ok: true; path: string } | { ok: false; problem?: string };

/**
 * A matched entry as a project-relative path, when it is a file, or a symlink to one, whose real
 * path stays inside the project folder (absolute paths in braces and links included).
 */
async function checkMatch(
  found: Found,
  dir: string,
  root: string,
  realDirs: Map<string, Promise<string>>,
): Promise<Match> {
  const abs = resolve(dir, found.path);
  let real: string;
  try {
    // A regular file's real path is its folder's plus its name: one realpath per folder, and
    // no stat, instead of two calls per file (~0.3 s at 2,000 files on the critical path).
    real = found.file ? join(await realDir(dirname(abs), realDirs), basename(abs)) : await realpath(abs);
  } catch {
    return { ok: false, problem: 'matches a symlink that points to no file' };
  }
  const inside = relative(root, real);
  if (inside === '' || inside === '..' || inside.startsWith('..' + sep) || isAbsolute(inside))
    return { ok: false, problem: 'matches a file outside the federation folder' };
  if (!found.file) {
    const info = await stat(real).catch(() => undefined);
    if (!info?.isFile()) return { ok: false };
  }
  return { ok: true, path: posix.normalize(relative(dir, abs).split(sep).join('/')) };
}

function realDir(folder: string, memo: Map<string, Promise<string>>): Promise<string> {
  let real = memo.get(folder);
  if (!real) memo.set(folder, (real = realpath(folder)));
  return real;
}

/** Reads and parses every file; documents keep their positions. */
export async function loadDocuments(
  files: readonly string[],
  dir: string,
  reporter: Reporter,
  opts: GlobOptions,
): Promise<ParsedDoc[]> {
  const texts = readTexts(files, dir, opts.reads, (f, e) =>
    reporter.error('IO', filePos(f), `cannot read file: ${errorMessage(e)}`),
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
 * The files' texts (undefined where `failed` was told why); those the no-op check read this run
 * are taken from `reads` instead. Read synchronously, one by one: inputs a checkout or an editor
 * just wrote are in the page cache, where 2,000 sync reads take ~30 ms and the same reads through
 * libuv's pool ~120 ms plus four callbacks each on this thread.
 */
export function readTexts(
  files: readonly string[],
  dir: string,
  reads: InputReads | undefined,
  failed: (file: string, e: unknown) => void,
): (string | undefined)[] {
  return files.map((f) => {
    const abs = resolve(dir, f);
    const known = reads?.takeText(abs);
    if (known !== undefined) return known;
    try {
      return readFileSync(abs, 'utf8');
    } catch (e) {
      failed(f, e);
      return undefined;
    }
  });
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
