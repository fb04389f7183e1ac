// The whole flow, in order: load -> check inputs (KubeFed objects against their schemas) ->
// model -> place (own placement, schedule, namespace bound) -> override -> validate -> emit
// (the rendered tree, then the GitOps objects). The library's
// compile() (index.ts) calls loadInputs, checks its arguments against the clusters loaded, then
// compileLoaded: reading the two shows what a build does. Writing is left to the caller, so
// `validate`, `plan` and `build --check` share every step but the last.
import { dirname, resolve } from 'node:path';
import { cmp, Reporter } from './core/diagnostics.js';
import { saveCodeCaches, setValidatorCache } from './core/ajv.js';
import { posOf } from './core/source.js';
import { findGitRoot } from './core/git-root.js';
import { emitClusters } from './emit/emit.js';
import { ARGOCD_DIR } from './core/output-folders.js';
import { argoApplications, fluxKustomizations } from './emit/gitops.js';
import { withSyncWaves } from './emit/sync-waves.js';
import { sharedLayout, type SharedFolder } from './emit/shared-layout.js';
import { projectFile } from './fleet.js';
import { load, type Loaded } from './load/load.js';
import { buildModel, crdScopes, sortResources, type Model } from './model/build-model.js';
import { renderResource } from './override/override.js';
import { place, type Placement, type PlacementMap } from './place.js';
import type { ScheduleMap } from './schedule/schedule.js';
import { checkRules } from './model/rule-usage.js';
import { SYSTEM_NAMESPACES } from './core/kubefed-types.js';
import { checkTypedOverriders } from './override/unused-overriders.js';
import { createRegistry, validateRendered } from './validate/validate.js';
import { checkKubefedInputs, type SchemaErrors } from './validate/kubefed-inputs.js';
import type { SchemaRegistry } from './validate/schema-registry.js';
import { federatedTypes, type TypeTable } from './model/federated-types.js';
import type { Shard } from './shard.js';
import type { InputGlobs } from './build-cache.js';
import type { ClusterSelection } from './cluster-selection.js';
import {
  checkGeneratedGitops,
  loadWellKnownSchemas,
  wellKnownPackage,
  type WellKnownSchema,
} from './validate/well-known-crds.js';
import type {
  Cluster,
  FederationConfig,
  FluxSettings,
  OutputFile,
  RenderedObject,
  Resource,
} from './types.js';
import type { RenderCache, RenderPass } from './render-cache.js';
import type { InputReads } from './load/input-reads.js';

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
  /**
   * build: reuse the last build's objects that this one cannot change (render-cache.ts). A
   * promise is awaited only before rendering: it may wait for the output tree's walk.
   */
  renderCache?: RenderCache | Promise<RenderCache | undefined>;
  /** What the no-op check globbed and read this run (build-cache.ts); load takes it from there. */
  reads?: InputReads;
  /** Called once the inputs are read and parsed, before anything is rendered (the CLI tunes the heap). */
  onLoaded?: (selected: { clusters: number }) => void;
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
  /** The cluster folders a partial build leaves out (the caches only list their folders). */
  outside?: string[];
  /** With a render cache: files of the output tree left as the last build wrote them. */
  kept?: string[];
  /** With a render cache: what to record once the build succeeded. */
  renderPass?: RenderPass;
}

/** Stage load; `loaded` undefined when nothing more can be done (the reporter says why). */
export async function loadInputs(
  opts: CompileOptions,
): Promise<{ compilation: Compilation; loaded?: Loaded }> {
  const reporter = new Reporter(opts.strict ?? false);
  setValidatorCache(opts.cacheDir, { shipped: opts.shippedValidators });
  const configDir = dirname(resolve(opts.cwd, opts.config));
  const compilation: Compilation = { reporter, rendered: [], files: [], clusters: [], configDir };
  const loaded = await load(opts, reporter);
  if (!loaded) return { compilation };
  compilation.config = loaded.config;
  compilation.outDir = loaded.outDir;
  compilation.inputs = loaded.inputs;
  return { compilation, loaded };
}

/** Every stage after load, for the clusters of `selection` (checked by the caller). */
export async function compileLoaded(
  result: Compilation,
  loaded: Loaded,
  selection: ClusterSelection,
  opts: Pick<CompileOptions, 'emit' | 'gitRoot' | 'renderCache'>,
): Promise<Compilation> {
  const { reporter } = result;
  result.clusters = selection.selected.map((c) => c.name);
  result.outside = outsideOf(loaded.config, selection);
  // The run's schemas, for the KubeFed inputs now and the rendered objects at the end.
  const wellKnown = new Map<string, WellKnownSchema>();
  const registry = createRegistry(loaded.config, [...loaded.docs, ...loaded.crdDocs], reporter, wellKnown);

  const kubefed = checkInputs(loaded, registry, reporter);
  const model = modelStage(loaded, kubefed, reporter);
  const placement = place(model, loaded.config, reporter);
  const pass = renderPass(await opts.renderCache, loaded, model, placement, selection, registry, reporter);
  const rendered = override(model, placement, selection, loaded.config, reporter, pass);
  Object.assign(result, { model, ...placement, rendered });
  await validate(rendered, model, placement, selection, loaded.config, registry, wellKnown, reporter, pass);
  if (!reporter.hasErrors()) await emit(result, loaded, model, placement, selection.selected, opts, pass);
  return result;
}

/** The folders of the clusters a partial build leaves out, sorted; [] for a full build. */
function outsideOf(config: FederationConfig, { selected, partial }: ClusterSelection): string[] {
  if (!partial) return [];
  const built = new Set(selected.map((c) => c.name));
  return config.clusters
    .map((c) => c.name)
    .filter((n) => !built.has(n))
    .sort(cmp);
}

/** The objects each resource is rendered into: the selected clusters it is placed in. */
function clustersOf(
  r: Resource,
  placement: PlacementMap,
  byName: Map<string, Cluster>,
  config: FederationConfig,
) {
  if (r.isNamespace && isSystemNamespace(r, config)) return [];
  return (placement.get(r) ?? []).map((n) => byName.get(n)).filter((c) => c !== undefined);
}

/**
 * With a render cache, the objects this build can take from the last one (render-cache.ts).
 * Schemas from schemaLocations may change between builds: nothing is reused then, nor with
 * output.layout: shared.
 */
function renderPass(
  cache: RenderCache | undefined,
  loaded: Loaded,
  model: Model,
  { placement, scheduled }: Placement,
  { selected, partial }: ClusterSelection,
  registry: SchemaRegistry,
  reporter: Reporter,
): RenderPass | undefined {
  if (!cache || loaded.config.validation.schemaLocations.length) return undefined;
  // The shared layout compares every cluster's file texts: all of them are made.
  if (loaded.config.output.layout === 'shared') return undefined;
  const byName = new Map(selected.map((c) => [c.name, c]));
  const allByName = new Map(loaded.config.clusters.map((c) => [c.name, c]));
  const pass = cache.begin({
    configText: loaded.inputs.configText,
    configDir: loaded.config.dir,
    outDir: loaded.outDir,
    outside: outsideOf(loaded.config, { selected, partial }),
    hashes: loaded.inputs.hashes,
    docs: loaded.docs,
    resources: model.resources,
    federatedGroups: model.federatedGroups,
    clustersOf: (r) => clustersOf(r, placement, byName, loaded.config).map((c) => c.name),
    // A partial build may take objects from the last full build's entry (render-cache.ts).
    full: partial
      ? {
          options: [reporter.strict, loaded.config.clusters.map((c) => c.name)],
          clustersOf: (r) => clustersOf(r, placement, allByName, loaded.config).map((c) => c.name),
        }
      : undefined,
    // Only built-in kinds: a CRD's CEL rules report some things once per run, at the first
    // object checked, which must then be checked again in every build.
    reusable: (r) => registry.set?.kinds.has(`${r.id.apiVersion}/${r.id.kind}`) === true,
    scheduled: (r) => scheduled.get(r),
    options: [reporter.strict, selected.map((c) => c.name)],
    reporter,
  });
  pass.replay();
  return pass;
}

/** What the model needs of the KubeFed inputs beyond the documents. */
interface KubefedInputs {
  types: TypeTable;
  schemaErrors: SchemaErrors;
}

/** Stage check-inputs: the federated types, and the KubeFed objects checked against their schemas. */
function checkInputs(loaded: Loaded, registry: SchemaRegistry, reporter: Reporter): KubefedInputs {
  const types = federatedTypes(loaded.docs, loaded.config, reporter);
  const groups = new Set([...types.values()].map((t) => t.federatedGroup));
  const schemaErrors = checkKubefedInputs(loaded.docs, registry, loaded.config, groups, reporter);
  return { types, schemaErrors };
}

/** Stage model: the documents -> resources, preferences and CRDs, sorted; unused rules reported. */
function modelStage(loaded: Loaded, kubefed: KubefedInputs, reporter: Reporter): Model {
  const { config, docs, crdDocs } = loaded;
  const model = buildModel(docs, config, crdScopes([...docs, ...crdDocs]), kubefed, reporter);
  sortResources(model.resources);
  checkRules(model.resources, config, reporter);
  return model;
}

/**
 * Stage override: each resource's per-cluster copy, for the selected clusters it is placed in;
 * a full build then reports typed overriders that changed nothing anywhere.
 */
function override(
  model: Model,
  { placement, scheduled }: Placement,
  { selected, partial }: ClusterSelection,
  config: FederationConfig,
  reporter: Reporter,
  pass?: RenderPass,
): RenderedObject[] {
  const byName = new Map(selected.map((c) => [c.name, c]));
  const rendered: RenderedObject[] = [];
  for (const r of model.resources) {
    if ((r.isNamespace && isSystemNamespace(r, config)) || pass?.reused.has(r)) continue;
    pass?.attribute(r);
    rendered.push(
      ...renderResource(
        r,
        clustersOf(r, placement, byName, config),
        scheduled.get(r),
        config.clusters,
        reporter,
        {
          managedLabel: config.managedLabel,
        },
      ),
    );
  }
  pass?.attribute(undefined);
  if (!partial && !reporter.hasErrors())
    checkTypedOverriders(rendered, model.resources, config, reporter, pass?.reusedApplied());
  return rendered;
}

/** Stage validate: the rendered objects, and the ones placed nowhere, against their schemas. */
async function validate(
  rendered: readonly RenderedObject[],
  model: Model,
  { placement }: Placement,
  { partial }: ClusterSelection,
  config: FederationConfig,
  registry: SchemaRegistry,
  wellKnown: Map<string, WellKnownSchema>,
  reporter: Reporter,
  pass: RenderPass | undefined,
): Promise<void> {
  // A partial build validates what it renders, and the objects placed nowhere (whose mistakes
  // would otherwise go unseen), not the objects of the clusters it leaves out.
  const unrendered = (
    partial ? model.resources.filter((r) => (placement.get(r) ?? []).length === 0) : model.resources
  ).filter((r) => !pass?.reused.has(r));
  const kinds = model.resources
    .filter((r) => wellKnownPackage(r.id.apiVersion))
    .map((r) => `${r.id.apiVersion}/${r.id.kind}`);
  for (const [kind, v] of await loadWellKnownSchemas(kinds)) wellKnown.set(kind, v);
  validateRendered(rendered, model, config, registry, reporter, unrendered, {
    reused: pass?.reusedPlacements(),
    onResource: pass && ((r) => pass.attribute(r)),
  });
  saveCodeCaches();
  pass?.setRendered(rendered);
  pass?.end();
}

/** Stage emit: the rendered tree's files, then the GitOps objects (Applications, Kustomizations). */
async function emit(
  result: Compilation,
  loaded: Loaded,
  model: Model,
  placement: Placement,
  selected: Cluster[],
  opts: Pick<CompileOptions, 'emit' | 'gitRoot'>,
  pass: RenderPass | undefined,
): Promise<void> {
  const { reporter } = result;
  const { config, outDir, fluxDir, repoPath } = loaded;
  const dir = result.configDir;
  const { name } = config.output;
  // The reused objects' copies are named with the others (clash groups span them) but not
  // serialized: their files are on disk as they would be written (render-cache.ts).
  const all = pass
    ? [...result.rendered, ...pass.standIns(new Map(selected.map((c) => [c.name, c])))]
    : result.rendered;
  const objects =
    config.output.gitops === 'argocd' ? withSyncWaves(all, config.output.argocd.syncWaves) : all;
  const kept = pass && { has: (o: RenderedObject) => pass.reused.has(o.resource), paths: [] as string[] };
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
    kept,
  );
  if (kept) result.kept = kept.paths;
  if (pass) result.renderPass = pass;
  if (reporter.hasErrors() || !text) result.files = result.kept = [];
  else if (config.output.layout === 'shared') sharedStage(result, model, placement, config, selected);
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
      result.files = result.kept = [];
      result.flux = undefined;
    }
  }
}

/**
 * Stage emit, output.layout: shared: the objects alike in several clusters move to _shared/.
 * A partial build shares exactly what a full build shares: the clusters it leaves out are
 * rendered too, as a full build renders them, but only compared (neither validated nor
 * written; their problems are not this build's, so they go to a reporter of their own).
 */
function sharedStage(
  result: Compilation,
  model: Model,
  placement: Placement,
  config: FederationConfig,
  selected: Cluster[],
): void {
  const built = new Set(selected.map((c) => c.name));
  const others = config.clusters.filter((c) => !built.has(c.name));
  let rest: OutputFile[] = [];
  if (others.length) {
    const objects = override(model, placement, { selected: others, partial: true }, config, new Reporter());
    rest = emitClusters(
      config.output.gitops === 'argocd' ? withSyncWaves(objects, config.output.argocd.syncWaves) : objects,
      others,
    );
  }
  const layout = sharedLayout(
    [...result.files, ...rest],
    config.clusters.map((c) => c.name),
    result.clusters,
  );
  result.files = layout.files;
  result.shared = layout.folders;
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
