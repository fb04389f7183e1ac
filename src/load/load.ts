// Stage load: federation.yaml -> the checked config (KubeFedCluster objects among the inputs
// joined to its clusters), where the build writes, and every input document (resources and
// validation.crds), with what the no-op cache needs to know what was read.
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Reporter } from '../core/diagnostics.js';
import { errCode, errorMessage } from '../core/errors.js';
import { filePos } from '../core/source.js';
import type { ParsedDoc } from '../core/yaml-source.js';
import { stamp, type InputGlobs } from '../build-cache.js';
import { kubefedClusters } from '../model/kubefed-clusters.js';
import type { FederationConfig } from '../types.js';
import { parseFederation } from './config.js';
import {
  checkArgoClusterNames,
  checkFluxDir,
  checkGitopsNames,
  checkOutputDir,
  excluded,
  gitopsRepoPath,
} from './output-location.js';
import type { InputReads } from './input-reads.js';
import { ParseCache } from './parse-cache.js';
import { expandGlobs, loadDocuments, parseCachedFile, stripBom } from './resources.js';

export interface LoadOptions {
  /** Path to federation.yaml (absolute, or relative to `cwd`). */
  config: string;
  cwd: string;
  /** Output directory, absolute or relative to `cwd`; default: output.dir of federation.yaml. */
  outDir?: string;
  /** The git repository's root, when the project is a copy of one. */
  gitRoot?: string;
  /** fedrender's cache folder (the parse cache lives there). */
  cacheDir?: string;
  /** What the no-op check globbed and read this run (build-cache.ts), read from there. */
  reads?: InputReads;
}

export interface Loaded {
  config: FederationConfig;
  /** Absolute output directory. */
  outDir: string;
  /** output.gitops: flux: the absolute directory of the Kustomizations. */
  fluxDir?: string;
  /** The output directory's path in git (output.gitops), as Applications and Kustomizations name it. */
  repoPath?: string;
  /** The documents of `resources`. */
  docs: ParsedDoc[];
  /** The documents of validation.crds that are not also resources. */
  crdDocs: ParsedDoc[];
  /** What was read, for the no-op cache: federation.yaml, the globs, each file's hash. */
  inputs: { configText: string; globs: InputGlobs[]; hashes: Map<string, string> };
}

/**
 * Undefined when federation.yaml cannot be read or is invalid, or the output location is wrong:
 * nothing else is read then. Later problems (a bad manifest) are reported and loading goes on.
 */
export async function load(opts: LoadOptions, reporter: Reporter): Promise<Loaded | undefined> {
  const configPath = resolve(opts.cwd, opts.config);
  const dir = dirname(configPath);
  const file = basename(configPath);
  let text: string;
  try {
    text = stripBom(await readFile(configPath, 'utf8'));
  } catch (e) {
    reporter.error(
      'IO',
      filePos(file),
      `cannot read federation file: ${errCode(e) === 'ENOENT' ? 'no such file' : errorMessage(e)}`,
      'create one with `fedrender init`, or pass -c FILE',
    );
    return undefined;
  }
  // federation.yaml's values come from the parse cache too (its positions are parsed on use).
  const parseCache = opts.cacheDir ? await ParseCache.open(opts.cacheDir, dir, stamp()) : undefined;
  const config = parseFederation(text, file, dir, reporter, (t, f, r) =>
    parseCachedFile(t, f, r, parseCache),
  );
  if (!config) return undefined;

  const outDir = opts.outDir ? resolve(opts.cwd, opts.outDir) : resolve(dir, config.output.dir);
  if (!checkOutputDir(outDir, dir, config, reporter)) return undefined;
  const fluxDir = config.output.gitops === 'flux' ? resolve(dir, config.output.flux.dir) : undefined;
  if (fluxDir && !checkFluxDir(fluxDir, outDir, dir, config, reporter)) return undefined;
  if (config.output.gitops === 'argocd') checkArgoClusterNames(config, reporter);
  if (config.output.gitops !== 'none') checkGitopsNames(config, reporter);
  const repoPath = gitopsRepoPath(outDir, dir, config, reporter, opts.gitRoot);

  // Nothing fedrender writes is read back as input.
  const exclude = [file, ...[outDir, fluxDir].flatMap((d) => (d ? excluded(dir, d) : []))];
  const lax = !config.validation.strict;
  const hashes = new Map<string, string>();
  const { reads } = opts;
  const files = await expandGlobs(config.resources, dir, reporter, {
    exclude,
    duplicateKeysAsWarnings: lax,
    reads,
  });
  const docs = await loadDocuments(files, dir, reporter, {
    exclude,
    duplicateKeysAsWarnings: lax,
    hashes,
    parseCache,
    reads,
  });
  const crdPatterns = config.validation.crds.map((g, i) => ({
    value: g,
    ref: { doc: config.ref.doc, path: ['validation', 'crds', i] },
  }));
  const crdFiles = await expandGlobs(crdPatterns, dir, reporter, { exclude, what: 'validation.crds', reads });
  const inResources = new Set(files);
  const crdDocs = await loadDocuments(
    crdFiles.filter((f) => !inResources.has(f)),
    dir,
    reporter,
    { exclude, hashes, parseCache, reads },
  );
  await parseCache?.save();

  // A dump of a live KubeFed brings its member clusters along.
  config.clusters.push(...kubefedClusters(docs, config.clusters, reporter));
  if (config.output.gitops === 'argocd') checkArgoClusterNames(config, reporter);

  return {
    config,
    outDir,
    ...(fluxDir !== undefined ? { fluxDir } : {}),
    ...(repoPath !== undefined ? { repoPath } : {}),
    docs,
    crdDocs,
    inputs: {
      configText: text,
      globs: [
        { patterns: config.resources.map((p) => p.value), exclude },
        { patterns: crdPatterns.map((p) => p.value), exclude, what: 'validation.crds' },
      ],
      hashes,
    },
  };
}
