// Where the build writes, checked before anything is read: the output directory and the Flux
// directory must not hold the inputs or each other, the names fedrender generates from cluster
// names must be valid, and the output's path in git must be known for GitOps objects to name it.
import { isAbsolute, relative, sep } from 'node:path';
import type { Reporter } from '../core/diagnostics.js';
import { findGitRoot, pathInside } from '../core/git-root.js';
import { realPathLoose, within } from '../core/real-path.js';
import { posOf } from '../core/source.js';
import { ARGOCD_DIR } from '../emit/gitops.js';
import type { FederationConfig } from '../types.js';

/** A folder under the project, as globs exclude it. */
export function excluded(dir: string, target: string): string[] {
  const rel = relative(dir, target).split(sep).join('/');
  return rel.startsWith('..') || isAbsolute(rel) ? [] : [rel];
}

/** `<output dir>/argocd/` holds the Applications: no cluster folder may be named so. */
export function checkArgoClusterNames(config: FederationConfig, reporter: Reporter): void {
  const clash = config.clusters.find((c) => c.name === ARGOCD_DIR);
  if (clash) {
    reporter.error(
      'CONFIG',
      posOf(clash.ref, ['name']),
      `cluster "${ARGOCD_DIR}" would render into the folder of the Argo CD Applications (output.gitops: argocd); rename the cluster`,
    );
  }
}

/**
 * Generated names must be valid: `<namePrefix><cluster>` a DNS-1123 subdomain of at most 253
 * characters (Application names), and an ApplicationSet's clusters all with a server or none.
 */
export function checkGitopsNames(config: FederationConfig, reporter: Reporter): void {
  const s = config.output.argocd;
  if (config.output.gitops !== 'argocd' || s.mode !== 'applicationset') return;
  const withServer = config.clusters.filter((c) => c.server !== undefined);
  if (withServer.length > 0 && withServer.length < config.clusters.length) {
    const without = config.clusters.find((c) => c.server === undefined)!;
    reporter.error(
      'CONFIG',
      posOf(without.ref, ['name']),
      `cluster "${without.name}" has no server, but ${withServer[0]!.name} has one: the ApplicationSet's template has one destination field (output.argocd.mode: applicationset)`,
      'give every cluster a server, or none (then Argo CD finds each cluster by its registered name)',
    );
  }
}

/**
 * The output directory's path in the git repository, which Applications and Kustomizations
 * name: output.<tool>.path, or else the output directory relative to the nearest folder holding
 * `.git` (federation.yaml's folder when there is none).
 */
export function gitopsRepoPath(
  outDir: string,
  dir: string,
  config: FederationConfig,
  reporter: Reporter,
  gitRoot: string | undefined,
): string | undefined {
  const mode = config.output.gitops;
  if (mode === 'none') return undefined;
  const explicit = config.output[mode].path;
  if (explicit !== undefined) return explicit;
  const root = gitRoot ?? findGitRoot(dir);
  const path = pathInside(root ?? dir, outDir);
  if (path === undefined) {
    const rel = (p: string) => relative(dir, p).split(sep).join('/') || '.';
    const where = root
      ? `the git repository at ${rel(root)}`
      : "federation.yaml's folder (there is no .git above it)";
    reporter.error(
      'CONFIG',
      posOf(config.ref, ['output', mode]),
      `output directory ${rel(outDir)} is outside ${where}, so its path in git is unknown`,
      `set output.${mode}.path to the output directory's path in the repository`,
    );
  }
  return path;
}

/** The Flux directory may hold neither federation.yaml nor the output directory, nor lie in it. */
export function checkFluxDir(
  fluxDir: string,
  outDir: string,
  dir: string,
  config: FederationConfig,
  reporter: Reporter,
): boolean {
  const realDir = realPathLoose(dir);
  const realFlux = realPathLoose(fluxDir);
  const realOut = realPathLoose(outDir);
  const problem = within(realDir, realFlux)
    ? 'contains federation.yaml'
    : within(realFlux, realOut)
      ? 'is inside the output directory'
      : within(realOut, realFlux)
        ? 'contains the output directory'
        : undefined;
  if (!problem) return true;
  const rel = relative(dir, fluxDir).split(sep).join('/') || '.';
  reporter.error(
    'OUTPUT_CONFLICT',
    posOf(config.ref, ['output', 'flux', 'dir']),
    `Flux directory ${rel} ${problem}; choose a folder of its own such as "clusters"`,
  );
  return false;
}

/** The output directory must not hold the inputs (compared as real paths: `/`, symlinks). */
export function checkOutputDir(
  outDir: string,
  dir: string,
  config: FederationConfig,
  reporter: Reporter,
): boolean {
  if (within(realPathLoose(dir), realPathLoose(outDir))) {
    reporter.error(
      'OUTPUT_CONFLICT',
      posOf(config.ref, ['output', 'dir']),
      `output directory ${outDir} contains federation.yaml; choose a folder of its own such as "rendered"`,
    );
    return false;
  }
  return true;
}
