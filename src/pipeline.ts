// The whole flow, in order: load -> model -> place -> schedule -> namespace bound -> override ->
// validate -> emit (the rendered tree, then the GitOps objects). Reading this function shows
// what a build does; writing is left to the caller (index.ts), so `validate`, `plan` and
// `build --check` share every step but the last.
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { cmp, Reporter } from './core/diagnostics.js';
import { errCode, errorMessage } from './core/errors.js';
import { setValidatorCache } from './core/ajv.js';
import { filePos, posOf } from './core/source.js';
import type { ParsedDoc } from './core/yaml-source.js';
import { findGitRoot, pathInside } from './core/git-root.js';
import { realPathLoose, within } from './core/real-path.js';
import { emitClusters } from './emit/emit.js';
import { ARGOCD_DIR, argoApplications, fluxKustomizations } from './emit/gitops.js';
import { withSyncWaves } from './emit/sync-waves.js';
import { sharedLayout, type SharedFolder } from './emit/shared-layout.js';
import { projectFile } from './fleet.js';
import { parseFederation, unknownClusterMessage } from './load/config.js';
import { expandGlobs, loadDocuments, stripBom } from './load/resources.js';
import { buildModel, crdScopes, sortResources, type Model } from './model/build-model.js';
import { renderResource } from './override/override.js';
import { boundByNamespace, placeResources, type PlacementMap } from './place.js';
import { scheduleReplicas, type ScheduleMap } from './schedule/schedule.js';
import { checkRules } from './model/rule-usage.js';
import { kubefedClusters } from './model/kubefed-clusters.js';
import { SYSTEM_NAMESPACES } from './core/kubefed-types.js';
import { checkTypedOverriders } from './override/unused-overriders.js';
import { validateRendered } from './validate/validate.js';
import { shardClusters, type Shard } from './shard.js';
import { stamp, type InputGlobs } from './build-cache.js';
import { ParseCache } from './load/parse-cache.js';
import { checkGeneratedGitops, loadWellKnownSchemas, wellKnownPackage } from './validate/well-known-crds.js';
import type { Cluster, FederationConfig, FluxSettings, OutputFile, RenderedObject } from './types.js';

export interface CompileOptions {
  /** Path to federation.yaml (absolute, or relative to `cwd`). */
  config: string;
  cwd: string;
  /** Output directory, absolute or relative to `cwd`; default: output.dir of federation.yaml. */
  outDir?: string;
  /** Only these clusters (CI matrices). */
  clusters?: string[];
  /** Only the clusters of this shard (`build --shard I/N`); never with `clusters`. */
  shard?: Shard;
  /** Warnings that SPEC marks "an error with --strict" become errors. */
  strict?: boolean;
  /** fedrender's cache folder: compiled validators (core/ajv.ts) and the no-op cache. */
  cacheDir?: string;
  /** false: ignore the validators shipped in dist/validators/ (FEDRENDER_SHIPPED_VALIDATORS=0). */
  shippedValidators?: boolean;
  /** The git repository's root, when the project is a copy of one (diff's base revision). */
  gitRoot?: string;
  /** false: check file names but serialize nothing, leaving `files` empty (diff compares objects). */
  emit?: boolean;
}

export interface Compilation {
  reporter: Reporter;
  config?: FederationConfig;
  model?: Model;
  /** Placement by each resource's own spec / rule, after scheduling, and final (namespace-bound). */
  placed?: PlacementMap;
  scheduledPlacement?: PlacementMap;
  placement?: PlacementMap;
  scheduled?: ScheduleMap;
  rendered: RenderedObject[];
  files: OutputFile[];
  /** Names of the clusters this run renders (all, or those of --cluster). */
  clusters: string[];
  /** Absolute output directory. */
  outDir?: string;
  /** output.gitops: flux: the Kustomizations, relative to their own (absolute) directory. */
  flux?: { dir: string; files: OutputFile[] };
  /** Folder of federation.yaml: diagnostics' file paths are relative to it. */
  configDir: string;
  /** What was read, for the no-op cache: federation.yaml, the globs, each file's hash. */
  inputs?: { configText: string; globs: InputGlobs[]; hashes: Map<string, string> };
  /** output.gitops: argocd: every cluster's Application (a shard's index lists them all). */
  allApplications?: OutputFile[];
  /** output.layout: shared: the shared folders this run's clusters list. */
  shared?: SharedFolder[];
  /** A usage mistake (an unknown --cluster): exit 2, not an input error. */
  usage?: string;
}

export async function compile(opts: CompileOptions): Promise<Compilation> {
  const reporter = new Reporter(opts.strict ?? false);
  setValidatorCache(opts.cacheDir, { shipped: opts.shippedValidators });
  const configPath = resolve(opts.cwd, opts.config);
  const dir = dirname(configPath);
  const result: Compilation = { reporter, rendered: [], files: [], clusters: [], configDir: dir };
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
    return result;
  }

  // load
  const config = parseFederation(text, file, dir, reporter);
  if (!config) return result;
  result.config = config;
  if (opts.outDir?.includes('\0')) {
    // The schema keeps NUL out of output.dir; -o is checked here (a library caller may pass one).
    result.usage = '-o: a path cannot hold a NUL character';
    return result;
  }
  const outDir = opts.outDir ? resolve(opts.cwd, opts.outDir) : resolve(dir, config.output.dir);
  result.outDir = outDir;
  if (!checkOutputDir(outDir, dir, config, reporter)) return result;
  const fluxDir = config.output.gitops === 'flux' ? resolve(dir, config.output.flux.dir) : undefined;
  if (fluxDir && !checkFluxDir(fluxDir, outDir, dir, config, reporter)) return result;
  if (config.output.gitops === 'argocd') checkArgoClusterNames(config, reporter);
  if (config.output.gitops !== 'none') checkGitopsNames(config, reporter);
  const repoPath = gitopsRepoPath(outDir, dir, config, reporter, opts.gitRoot);
  // Nothing fedrender writes is read back as input.
  const exclude = [file, ...[outDir, fluxDir].flatMap((d) => (d ? excluded(dir, d) : []))];
  const lax = !config.validation.strict;
  const hashes = new Map<string, string>();
  const parseCache = opts.cacheDir ? await ParseCache.open(opts.cacheDir, dir, stamp()) : undefined;
  const files = await expandGlobs(config.resources, dir, reporter, { exclude, duplicateKeysAsWarnings: lax });
  const docs = await loadDocuments(files, dir, reporter, {
    exclude,
    duplicateKeysAsWarnings: lax,
    hashes,
    parseCache,
  });
  const crdPatterns = config.validation.crds.map((g, i) => ({
    value: g,
    ref: { doc: config.ref.doc, path: ['validation', 'crds', i] },
  }));
  const crdFiles = await expandGlobs(crdPatterns, dir, reporter, { exclude, what: 'validation.crds' });
  result.inputs = {
    configText: text,
    globs: [
      { patterns: config.resources.map((p) => p.value), exclude },
      { patterns: crdPatterns.map((p) => p.value), exclude, what: 'validation.crds' },
    ],
    hashes,
  };
  const inResources = new Set(files);
  const crdDocs: ParsedDoc[] = await loadDocuments(
    crdFiles.filter((f) => !inResources.has(f)),
    dir,
    reporter,
    { exclude, hashes, parseCache },
  );
  await parseCache?.save();

  // A dump of a live KubeFed brings its member clusters along.
  config.clusters.push(...kubefedClusters(docs, config.clusters, reporter));
  if (config.output.gitops === 'argocd') checkArgoClusterNames(config, reporter);

  // model
  const model = buildModel(docs, config, crdScopes([...docs, ...crdDocs]), reporter);
  sortResources(model.resources);
  result.model = model;
  checkRules(model.resources, config, reporter);

  // place -> schedule -> namespace bound
  const placed = placeResources(model.resources, config, reporter);
  const { placement: scheduledPlacement, scheduled } = scheduleReplicas(
    model.resources,
    model.preferences,
    placed,
    config,
    reporter,
  );
  const placement = boundByNamespace(scheduledPlacement, config, reporter, (r, dropped) => {
    const lost = dropped.reduce((n, c) => n + (scheduled.get(r)?.get(c)?.replicas ?? 0), 0);
    if (lost > 0) {
      reporter.warning(
        'RSP_UNPLACED',
        posOf(r.ref),
        `${lost} scheduled replicas of ${r.id.kind} ${r.id.name} are dropped: namespace "${r.id.namespace}" is not placed in ${dropped.join(', ')}`,
      );
    }
  });
  result.placed = placed;
  result.scheduledPlacement = scheduledPlacement;
  result.placement = placement;
  result.scheduled = scheduled;

  // override
  const unknown = (opts.clusters ?? []).filter((n) => !config.clusters.some((c) => c.name === n));
  if (unknown.length) {
    const known = config.clusters.map((c) => c.name);
    result.usage =
      unknown.map((n) => `--cluster: ${unknownClusterMessage(n, config.clusters).message}`).join('\n') +
      `\nclusters are: ${known.join(', ')}`;
    return result;
  }
  const names = opts.shard
    ? shardClusters(
        config.clusters.map((c) => c.name),
        opts.shard,
      )
    : opts.clusters;
  const partial = opts.shard !== undefined || (opts.clusters?.length ?? 0) > 0;
  const wanted = new Set(names);
  const selected = partial ? config.clusters.filter((c) => wanted.has(c.name)) : config.clusters;
  result.clusters = selected.map((c) => c.name);
  const byName = new Map(selected.map((c) => [c.name, c]));
  for (const r of model.resources) {
    if (r.isNamespace && isSystemNamespace(r, config)) continue;
    const clusters = (placement.get(r) ?? []).map((n) => byName.get(n)).filter((c) => c !== undefined);
    result.rendered.push(
      ...renderResource(r, clusters, scheduled.get(r), config.clusters, reporter, {
        managedLabel: config.managedLabel,
      }),
    );
  }
  if (!partial && !reporter.hasErrors())
    checkTypedOverriders(result.rendered, model.resources, config, reporter);

  // validate
  const wellKnown = await loadWellKnownSchemas(
    model.resources
      .filter((r) => wellKnownPackage(r.id.apiVersion))
      .map((r) => `${r.id.apiVersion}/${r.id.kind}`),
  );
  // A partial build validates what it renders, and the objects placed nowhere (whose mistakes
  // would otherwise go unseen), not the objects of the clusters it leaves out.
  const unrendered = partial
    ? model.resources.filter((r) => (placement.get(r) ?? []).length === 0)
    : model.resources;
  validateRendered(result.rendered, model, config, [...docs, ...crdDocs], reporter, wellKnown, unrendered);

  // emit
  if (!reporter.hasErrors()) {
    const { name } = config.output;
    const objects =
      config.output.gitops === 'argocd'
        ? withSyncWaves(result.rendered, config.output.argocd.syncWaves)
        : result.rendered;
    // emit: false still names every file, so clashes are reported as a build reports them.
    const text = opts.emit !== false;
    result.files = emitClusters(
      objects,
      selected,
      (kept, dropped, path) => {
        const id = (o: RenderedObject) =>
          `${o.resource.id.kind} ${o.resource.id.namespace ? `${o.resource.id.namespace}/` : ''}${o.resource.id.name}`;
        reporter.error(
          'OUTPUT_CONFLICT',
          posOf(dropped.resource.ref),
          `${id(dropped)} (${dropped.resource.id.apiVersion}) and ${id(kept)} (${kept.resource.id.apiVersion}) would be written to one file, ${path}; neither is written`,
          'rename one of them',
        );
      },
      text,
    );
    if (reporter.hasErrors() || !text) result.files = [];
    else if (config.output.layout === 'shared') {
      // A partial build shares exactly what a full build shares: the clusters outside it are
      // rendered too (not validated, not written) to tell which objects are alike everywhere.
      const others = partial ? config.clusters.filter((c) => !wanted.has(c.name)) : [];
      const rest = others.length ? renderedElsewhere(model, config, placement, scheduled, others) : [];
      const layout = sharedLayout(
        [...result.files, ...emitClusters(rest, others)],
        config.clusters.map((c) => c.name),
        result.clusters,
      );
      result.files = layout.files;
      result.shared = layout.folders;
    }
    if (config.output.gitops === 'argocd') {
      result.allApplications = argoApplications(
        config.clusters,
        config.output.argocd,
        repoPath ?? '',
        name,
        config.clusters,
      );
      result.files = [
        ...result.files,
        ...argoApplications(selected, config.output.argocd, repoPath ?? '', name, config.clusters),
      ].sort((a, b) => cmp(a.path, b.path));
    }
    if (config.output.gitops !== 'none' && result.files.length) {
      const root = opts.gitRoot ?? findGitRoot(dir) ?? dirname(dir);
      result.files = [...result.files, projectFile(config, outDir, root)].sort((a, b) => cmp(a.path, b.path));
    }
    if (fluxDir) {
      const flux = withSopsDecryption(config, model, reporter);
      result.flux = { dir: fluxDir, files: fluxKustomizations(selected, flux, repoPath ?? '', name) };
    }
    if (config.output.gitops !== 'none') {
      const generated =
        config.output.gitops === 'argocd'
          ? result.files.filter((f) => f.path.startsWith(`${ARGOCD_DIR}/`))
          : (result.flux?.files ?? []);
      await checkGeneratedGitops(generated, posOf(config.ref, ['output', 'gitops']), reporter);
      if (reporter.hasErrors()) {
        result.files = [];
        result.flux = undefined;
      }
    }
  }
  return result;
}

/**
 * The objects of the clusters a partial build leaves out, as a full build renders them (sync
 * waves included), for the shared layout's comparison only: their problems are not this build's.
 */
function renderedElsewhere(
  model: Model,
  config: FederationConfig,
  placement: PlacementMap,
  scheduled: ScheduleMap,
  others: readonly Cluster[],
): RenderedObject[] {
  const quiet = new Reporter();
  const byName = new Map(others.map((c) => [c.name, c]));
  const out: RenderedObject[] = [];
  for (const r of model.resources) {
    if (r.isNamespace && isSystemNamespace(r, config)) continue;
    const clusters = (placement.get(r) ?? []).map((n) => byName.get(n)).filter((c) => c !== undefined);
    if (clusters.length === 0) continue;
    out.push(
      ...renderResource(r, clusters, scheduled.get(r), config.clusters, quiet, {
        managedLabel: config.managedLabel,
      }),
    );
  }
  return config.output.gitops === 'argocd' ? withSyncWaves(out, config.output.argocd.syncWaves) : out;
}

/**
 * Flux applies SOPS documents only with spec.decryption: when the inputs hold some and
 * output.flux.decryption is absent, the Kustomizations get `provider: sops`, with a warning.
 */
function withSopsDecryption(config: FederationConfig, model: Model, reporter: Reporter): FluxSettings {
  const flux = config.output.flux;
  const encrypted = model.resources.filter((r) => r.verbatim !== undefined);
  if (flux.decryption || !encrypted[0]) return flux;
  const first = posOf(encrypted[0].ref);
  reporter.warning(
    'CONFIG',
    posOf(config.ref, ['output', 'gitops']),
    `${encrypted.length} SOPS-encrypted document${encrypted.length === 1 ? '' : 's'} (the first at ${first.file}:${first.line}) but no output.flux.decryption; the Kustomizations get decryption: {provider: sops}`,
    'set output.flux.decryption (provider: sops, secretRef.name: the Secret holding the private key, e.g. sops-age)',
  );
  return { ...flux, decryption: { provider: 'sops' } };
}

/** Namespaces every member has (KubeFed's own included): never emitted as Namespace objects. */
function isSystemNamespace(r: { id: { name: string } }, config: FederationConfig): boolean {
  return SYSTEM_NAMESPACES.has(r.id.name) || r.id.name === config.kubefedNamespace;
}

/** A folder under the project, as globs exclude it. */
function excluded(dir: string, target: string): string[] {
  const rel = relative(dir, target).split(sep).join('/');
  return rel.startsWith('..') || isAbsolute(rel) ? [] : [rel];
}

/** `<output dir>/argocd/` holds the Applications: no cluster folder may be named so. */
function checkArgoClusterNames(config: FederationConfig, reporter: Reporter): void {
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
function checkGitopsNames(config: FederationConfig, reporter: Reporter): void {
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
function gitopsRepoPath(
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
function checkFluxDir(
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
function checkOutputDir(outDir: string, dir: string, config: FederationConfig, reporter: Reporter): boolean {
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
