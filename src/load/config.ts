// Stage load/config: federation.yaml text -> FederationConfig. The file is checked against
// schemas/federation.schema.json first (errors at their node), then read into typed rules that
// keep a SourceRef for every rule, entry and operation, so later stages can point at them.
import { basename, posix } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { compileCached } from '../core/ajv.js';
import { didYouMean, type Reporter, type SourcePos } from '../core/diagnostics.js';
import { readPackageSchema } from '../core/package-files.js';
import { checkSchema } from '../core/schema-check.js';
import { checkSelector } from '../core/selector-check.js';
import { isLabelSelector } from '../core/selector.js';
import { child, filePos, parsePointer, posOf, prototypePath, ref, type SourceRef } from '../core/source.js';
import { parseYamlFile, type ParsedDoc } from '../core/yaml-source.js';
import { KUBEFED_TYPES, KUBEFED_TYPES_GROUP } from '../core/kubefed-types.js';
import { isObject } from '../core/cow.js';
import { obj } from '../core/json-read.js';
import type * as File from '../generated/federation-schema.js';
import {
  TYPED_OVERRIDERS,
  type Cluster,
  type FederatedType,
  type FederationConfig,
  type Json,
  type OverrideEntry,
  type OverrideList,
  type OverrideOp,
  type OutputSettings,
  type TypedOverriders,
} from '../types.js';

let validateFederation: ValidateFunction<File.FederationFile> | undefined;

export function federationSchema(): object {
  return readPackageSchema('schemas/federation.schema.json');
}

/** Parses and checks federation.yaml; undefined when it cannot be used at all. */
export function parseFederation(
  text: string,
  file: string,
  dir: string,
  reporter: Reporter,
  /** Parses the text (load.ts passes one that goes through the parse cache). */
  parse: (text: string, file: string, reporter: Reporter) => ParsedDoc[] = parseYamlFile,
): FederationConfig | undefined {
  const docs = parse(text, file, reporter);
  const [first, second] = docs;
  if (!first) {
    if (!reporter.hasErrors())
      reporter.error('CONFIG', filePos(file), 'federation file is empty; expected a Federation document');
    return undefined;
  }
  if (second) {
    reporter.error('CONFIG', posOf(ref(second.source)), 'expected one Federation document, found several');
  }
  const { source, value } = first;
  const root = ref(source);
  // The compiled schema is a type guard: past it, the document has the generated types.
  validateFederation ??= compileCached<File.FederationFile>(federationSchema());
  if (!checkSchema(validateFederation, value, root, reporter)) return undefined;
  return readConfig(value, file, dir, root, reporter);
}

function readConfig(
  v: File.FederationFile,
  file: string,
  dir: string,
  root: SourceRef,
  reporter: Reporter,
): FederationConfig {
  const clusters = readClusters(v.clusters, root, reporter);
  checkConfigSelectors(v, root, reporter);
  const defaults = v.defaults ?? {};
  const validation = v.validation ?? {};
  return {
    file,
    dir,
    ref: root,
    clusters,
    resources: (v.resources ?? []).map((g, i) => ({
      value: g,
      ref: child(root, 'resources', i),
    })),
    defaults: {
      placement:
        defaults.placement !== undefined
          ? { value: defaults.placement, ref: child(root, 'defaults', 'placement') }
          : undefined,
      namespace: defaults.namespace ?? 'default',
    },
    placements: (v.placements ?? []).map((r, i) => ({
      match: r.match ?? {},
      placement: r.placement,
      ref: child(root, 'placements', i),
    })),
    overrides: (v.overrides ?? []).map((r, i) => {
      const at = child(root, 'overrides', i);
      return {
        match: r.match ?? {},
        list: readRuleOverrides(r.overrides, child(at, 'overrides'), reporter),
        ref: at,
      };
    }),
    replicaScheduling: (v.replicaScheduling ?? []).map(({ match, ...spec }, i) => ({
      match: match ?? {},
      spec,
      ref: child(root, 'replicaScheduling', i),
    })),
    types: readTypes(v.types ?? {}, root, reporter),
    kubefedScope: v.kubefed?.scope ?? 'Cluster',
    kubefedNamespace: v.kubefed?.namespace ?? 'kube-federation-system',
    managedLabel: v.kubefed?.managedLabel ?? false,
    output: readOutput(v.output ?? {}, child(root, 'output'), dir, reporter),
    validation: {
      kubernetesVersion: (validation.kubernetesVersion ?? '').replace(/^v/, ''),
      crds: validation.crds ?? [],
      strict: validation.strict ?? true,
      schemaLocations: validation.schemaLocations ?? [],
      skipKinds: validation.skipKinds ?? [],
      ignoreMissingSchemas: validation.ignoreMissingSchemas ?? false,
    },
  };
}

/** Every label selector of federation.yaml, as apimachinery parses it (errors at the node). */
function checkConfigSelectors(v: File.FederationFile, root: SourceRef, reporter: Reporter): void {
  const at = (...path: (string | number)[]) => child(root, ...path);
  checkSelector(
    v.defaults?.placement?.clusterSelector,
    at('defaults', 'placement', 'clusterSelector'),
    reporter,
  );
  for (const section of ['placements', 'overrides', 'replicaScheduling'] as const) {
    (v[section] ?? []).forEach((rule, i) => {
      checkSelector(rule.match?.labelSelector, at(section, i, 'match', 'labelSelector'), reporter);
    });
  }
  (v.placements ?? []).forEach((rule, i) => {
    checkSelector(
      rule.placement.clusterSelector,
      at('placements', i, 'placement', 'clusterSelector'),
      reporter,
    );
  });
  (v.overrides ?? []).forEach((rule, i) => {
    rule.overrides.forEach((e, j) => {
      checkSelector(e.clusterSelector, at('overrides', i, 'overrides', j, 'clusterSelector'), reporter);
    });
  });
}

/**
 * `output`, with the GitOps defaults of the tools' own conventions: Argo CD's `argocd`
 * namespace, `default` project and HEAD revision; the `flux-system` namespace and GitRepository
 * that `flux bootstrap` creates, and a `clusters/` folder as in Flux's fleet repositories.
 */
function readOutput(
  output: NonNullable<File.FederationFile['output']>,
  at: SourceRef,
  dir: string,
  reporter: Reporter,
): OutputSettings {
  const gitops = output.gitops ?? 'none';
  const name = output.name ?? defaultProjectName(dir);
  if (gitops !== 'none' && name === '') {
    reporter.error(
      'CONFIG',
      posOf(at, ['gitops']),
      `the folder of federation.yaml gives no project name for the GitOps objects; set output.name`,
      'e.g. output: {name: shop}',
    );
  }
  const argocd = output.argocd ?? {};
  const flux = output.flux ?? {};
  const sourceRef = flux.sourceRef ?? {};
  if (gitops === 'argocd' && argocd.repoURL === undefined) {
    reporter.error(
      'CONFIG',
      posOf(at, ['gitops']),
      'output.gitops: argocd needs output.argocd.repoURL, the git repository Argo CD reads the rendered tree from',
      'e.g. output: {gitops: argocd, argocd: {repoURL: https://github.com/example/fleet.git}}',
    );
  }
  return {
    dir: output.dir ?? 'rendered',
    name,
    layout: output.layout ?? 'clusters',
    gitops,
    allowSecrets: output.allowSecrets ?? false,
    argocd: {
      ...(argocd.repoURL !== undefined ? { repoURL: argocd.repoURL } : {}),
      targetRevision: argocd.targetRevision ?? 'HEAD',
      project: argocd.project ?? 'default',
      namespace: argocd.namespace ?? 'argocd',
      ...readRepoPath(argocd.path, child(at, 'argocd', 'path'), reporter),
      namePrefix: argocd.namePrefix ?? (name ? `${name}-` : ''),
      prune: argocd.prune ?? true,
      selfHeal: argocd.selfHeal ?? true,
      mode: argocd.mode ?? 'application',
      syncWaves: argocd.syncWaves ?? DEFAULT_SYNC_WAVES,
      ...copied({
        syncOptions: argocd.syncOptions,
        labels: argocd.labels,
        annotations: argocd.annotations,
        // Written into each Application as is: plain JSON objects, which isObject tells the type checker.
        ignoreDifferences: argocd.ignoreDifferences?.filter(isObject),
        retry: obj(argocd.retry),
      }),
    },
    flux: {
      dir: flux.dir ?? 'clusters',
      namespace: flux.namespace ?? 'flux-system',
      sourceRef: {
        kind: sourceRef.kind ?? 'GitRepository',
        name: sourceRef.name ?? 'flux-system',
        ...(sourceRef.namespace !== undefined ? { namespace: sourceRef.namespace } : {}),
      },
      interval: flux.interval ?? '10m',
      ...readRepoPath(flux.path, child(at, 'flux', 'path'), reporter),
      ...copied({
        decryption: flux.decryption,
        dependsOn: flux.dependsOn,
        wait: flux.wait,
        timeout: flux.timeout,
        retryInterval: flux.retryInterval,
        targetNamespace: flux.targetNamespace,
        postBuild: obj(flux.postBuild),
        labels: flux.labels,
        annotations: flux.annotations,
      }),
    },
  };
}

/** Namespaces and CRDs in a wave before everything else: what lives in them waits until they are healthy. */
const DEFAULT_SYNC_WAVES: Record<string, number> = { Namespace: -1, CustomResourceDefinition: -1 };

/** The folder name as a DNS-1123 label: `Shop_Front` -> `shop-front`; '' when nothing is left. */
export function defaultProjectName(dir: string): string {
  return basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** The fields that are set, each a copy of what federation.yaml wrote (no shared objects). */
function copied<T extends object>(fields: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k in fields) {
    const v = fields[k];
    if (v !== undefined) out[k] = structuredClone(v);
  }
  return out;
}

/** A path inside the git repository: `/`-separated, without `./`, `..` or a trailing `/`; '' is its root. */
function readRepoPath(raw: string | undefined, at: SourceRef, reporter: Reporter): { path?: string } {
  if (raw === undefined) return {};
  const n = posix.normalize(raw);
  if (n.startsWith('/') || n === '..' || n.startsWith('../')) {
    reporter.error(
      'CONFIG',
      posOf(at),
      `expected a path inside the git repository, relative to its root, found "${raw}"`,
    );
    return {};
  }
  const p = n.replace(/\/+$/, '');
  return { path: p === '.' ? '' : p };
}

function readClusters(list: File.Cluster[], root: SourceRef, reporter: Reporter): Cluster[] {
  const seen = new Set<string>();
  const out: Cluster[] = [];
  list.forEach((c, i) => {
    const at = child(root, 'clusters', i);
    const name = c.name;
    if (seen.has(name)) {
      reporter.error('CONFIG', posOf(at, ['name']), `cluster "${name}" is listed twice`);
      return;
    }
    seen.add(name);
    out.push({
      name,
      labels: c.labels ?? {},
      ...(c.server !== undefined ? { server: c.server } : {}),
      ref: at,
    });
  });
  return out;
}

/** A patch operation as either source writes it: a KubeFed object's JSON, or the schema's type. */
interface RawOp {
  op?: Json;
  path?: Json;
  value?: Json;
}

/** An override entry, likewise; the typed overriders are read on their own (readTyped). */
interface RawEntry {
  clusterName?: Json;
  clusterSelector?: Json;
  clusterOverrides?: Json | readonly RawOp[];
}

/** federation.yaml's `overrides` of one rule: the schema has checked their shapes. */
function readRuleOverrides(raw: File.OverrideEntry[], at: SourceRef, reporter: Reporter): OverrideList {
  const entries: OverrideEntry[] = [];
  raw.forEach((e, i) => {
    const eref = child(at, i);
    const entry = readEntry(e, eref, 'rule', reporter);
    if (entry) entries.push({ ...entry, typed: readTyped(e, eref, reporter) });
  });
  return { entries, origin: 'rule', ref: at };
}

/**
 * A Federated<Kind>'s `spec.overrides`, plain JSON checked here. Each entry targets one
 * `clusterName`; typed overriders and `merge` are federation.yaml's, so here they are errors.
 */
export function readOverrideList(
  raw: Json[] | undefined,
  at: SourceRef,
  origin: 'object',
  reporter: Reporter,
  /** Entries with a schema error, reported already: not read (a KubeFed object's). */
  skip?: (index: number) => boolean,
): OverrideList {
  const entries: OverrideEntry[] = [];
  let unnamed = 0;
  (raw ?? []).forEach((e, i) => {
    if (skip?.(i)) return;
    const eref = child(at, i);
    if (!isObject(e)) {
      reporter.error(
        'INVALID_PATCH',
        posOf(eref),
        'expected an override entry (clusterName and clusterOverrides)',
      );
      return;
    }
    const hasName = typeof e.clusterName === 'string';
    if (!hasName && e.clusterSelector === undefined) {
      // KubeFed's GetOverrides keyed it by cluster "" (no cluster has that name); a second
      // such entry made "cluster \"\" appears more than once" and the object failed.
      if (unnamed++ === 0)
        reporter.warning(
          'INVALID_PATCH',
          posOf(eref),
          'this override entry has no clusterName, so it applies to no cluster; KubeFed ignored it',
        );
      else
        reporter.error(
          'DUPLICATE_OVERRIDE',
          posOf(eref),
          'a second override entry without clusterName: KubeFed rejected the object\'s overrides (cluster "" appears more than once)',
        );
      return;
    }
    const entry = readEntry(e, eref, origin, reporter);
    if (!entry) return;
    for (const name of TYPED_OVERRIDERS) {
      if (e[name] === undefined) continue;
      reporter.error(
        'INVALID_PATCH',
        posOf(eref, [name], { key: true }),
        `${name} is for federation.yaml override rules only; KubeFed overrides take clusterName and clusterOverrides`,
      );
    }
    entries.push({ ...entry, typed: {} });
  });
  return { entries, origin, ref: at };
}

/** An entry's target and patch operations; undefined when it has no usable target. */
function readEntry(
  e: RawEntry,
  eref: SourceRef,
  origin: 'object' | 'rule',
  reporter: Reporter,
): Omit<OverrideEntry, 'typed'> | undefined {
  const hasName = typeof e.clusterName === 'string';
  const hasSelector = e.clusterSelector !== undefined;
  if (hasName === hasSelector) {
    reporter.error(
      'INVALID_PATCH',
      posOf(eref),
      hasName
        ? 'an override entry takes clusterName or clusterSelector, not both'
        : 'an override entry needs clusterName or clusterSelector',
    );
    return undefined;
  }
  const ops: OverrideOp[] = [];
  const rawOps = e.clusterOverrides;
  if (rawOps !== undefined && rawOps !== null && !Array.isArray(rawOps)) {
    reporter.error(
      'INVALID_PATCH',
      posOf(eref, ['clusterOverrides']),
      'clusterOverrides must be a list of {op, path, value}',
    );
  }
  (Array.isArray(rawOps) ? rawOps : []).forEach((o, j) => {
    const oref = child(eref, 'clusterOverrides', j);
    const op = readOp(o, oref, origin, reporter);
    if (op) ops.push(op);
  });
  return {
    target:
      typeof e.clusterName === 'string'
        ? { clusterName: e.clusterName }
        : // A null selector, or one that is no selector at all (a KubeFed object's, which
          // build-model reports), selects every cluster, as `{}` does.
          { clusterSelector: isLabelSelector(e.clusterSelector) ? e.clusterSelector : {} },
    ops,
    ref: eref,
    origin,
  };
}

/**
 * The typed overriders of a federation.yaml entry (shapes already checked by the schema). They
 * are fedrender's, after Karmada: a KubeFed object's own overrides never had them.
 */
function readTyped(e: File.OverrideEntry, at: SourceRef, reporter: Reporter): TypedOverriders {
  // An image is picked by a predicate path or by container name, not both at once.
  let imagesOk = true;
  (e.imageOverrider ?? []).forEach((item, i) => {
    const banned = item.predicate && prototypePath(parsePointer(item.predicate.path));
    if (banned) {
      reporter.error(
        'INVALID_PATCH',
        posOf(at, ['imageOverrider', i, 'predicate', 'path']),
        `path "${item.predicate?.path}" is refused: ${banned} reaches JavaScript's object prototypes`,
      );
      imagesOk = false;
    }
    if (item.predicate !== undefined && item.containerName !== undefined) {
      reporter.error(
        'INVALID_PATCH',
        posOf(at, ['imageOverrider', i]),
        'an imageOverrider takes predicate or containerName, not both',
      );
      imagesOk = false;
    }
  });
  const typed: TypedOverriders = {};
  for (const name of TYPED_OVERRIDERS) {
    const list: readonly object[] | undefined = e[name];
    if (list === undefined || (name === 'imageOverrider' && !imagesOk)) continue;
    // Parsed YAML: every item is a plain JSON object, which isObject tells the type checker.
    typed[name] = { value: list.filter(isObject), ref: child(at, name) };
  }
  return typed;
}

const RULE_OPS = ['add', 'remove', 'replace', 'merge'] as const;

/**
 * One patch operation. KubeFed defaulted `op` to replace and passed the rest to its JSON-patch
 * library, which silently mangled a path without a leading `/` or an add/replace without a
 * value; those are rejected here with the line of the operation.
 */
function readOp(
  o: Json | RawOp,
  at: SourceRef,
  origin: 'object' | 'rule',
  reporter: Reporter,
): OverrideOp | undefined {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    reporter.error('INVALID_PATCH', posOf(at), 'expected a patch operation {op, path, value}');
    return undefined;
  }
  // KubeFed's ApplyJSONPatch turned an empty op into replace, as it did an absent one.
  const op = o.op === undefined || o.op === null || o.op === '' ? 'replace' : o.op;
  // `merge` is fedrender's, for federation.yaml rules; KubeFed's JSON patch knew only these three.
  const ops: readonly OverrideOp['op'][] = origin === 'rule' ? RULE_OPS : RULE_OPS.slice(0, 3);
  const known = ops.find((k) => k === op);
  if (known === undefined) {
    const more =
      origin === 'object' && op === 'merge' ? ' (merge is for federation.yaml override rules only)' : '';
    reporter.error(
      'INVALID_PATCH',
      posOf(at, ['op']),
      `unsupported op "${typeof op === 'string' ? op : JSON.stringify(op)}"; expected ${ops.slice(0, -1).join(', ')} or ${ops[ops.length - 1]}${more}`,
    );
    return undefined;
  }
  if (typeof o.path !== 'string') {
    reporter.error(
      'INVALID_PATCH',
      posOf(at, 'path' in o ? ['path'] : []),
      'a patch operation needs a string path',
    );
    return undefined;
  }
  if (!o.path.startsWith('/')) {
    reporter.error(
      'INVALID_PATCH',
      posOf(at, ['path']),
      `path "${o.path}" must start with "/" (a JSON pointer such as /spec/replicas)`,
    );
    return undefined;
  }
  const banned = prototypePath(parsePointer(o.path));
  if (banned) {
    reporter.error(
      'INVALID_PATCH',
      posOf(at, ['path']),
      `path "${o.path}" is refused: ${banned} reaches JavaScript's object prototypes (fast-json-patch refuses it too)`,
    );
    return undefined;
  }
  const hasValue = 'value' in o && o.value !== undefined;
  if (known !== 'remove' && !hasValue) {
    reporter.error('INVALID_PATCH', posOf(at), `op "${known}" at ${o.path} needs a value`);
    return undefined;
  }
  return { op: known, path: o.path, value: o.value, hasValue, ref: at };
}

function readTypes(
  raw: NonNullable<File.FederationFile['types']>,
  root: SourceRef,
  reporter: Reporter,
): FederatedType[] {
  const out: FederatedType[] = [];
  const byKind = Object.entries(raw).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [federatedKind, entry] of byKind) {
    const spec = typeof entry === 'string' ? { apiVersion: entry } : entry;
    const kind = spec.kind ?? federatedKind.slice('Federated'.length);
    if (KUBEFED_TYPES.some((t) => t.federatedKind === federatedKind)) {
      reporter.warning(
        'CONFIG',
        posOf(root, ['types', federatedKind], { key: true }),
        `${federatedKind} is a KubeFed default type; this entry replaces it`,
      );
    }
    out.push({
      federatedKind,
      federatedGroup: KUBEFED_TYPES_GROUP,
      apiVersion: spec.apiVersion,
      kind,
      scope: spec.scope ?? 'Namespaced',
    });
  }
  return out;
}

/** Reports a cluster name that the federation does not have, with a did-you-mean. */
export function unknownClusterMessage(
  name: string,
  clusters: readonly Cluster[],
): { message: string; hint?: string } {
  const guess = didYouMean(
    name,
    clusters.map((c) => c.name),
  );
  return {
    message: `unknown cluster "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
    hint: `clusters are: ${clusters.map((c) => c.name).join(', ')}`,
  };
}

/**
 * One rule for every unknown cluster name (SPEC §4): an error in federation.yaml's own rules; in
 * a KubeFed object (origin 'kubefed' or 'object'), which KubeFed ignored, a warning (an error under --strict) that says so.
 * `what` prefixes the message ("replica preferences name"), `ignored` names what KubeFed skipped.
 */
export function reportUnknownCluster(
  reporter: Reporter,
  origin: 'rule' | 'kubefed' | 'object',
  pos: SourcePos,
  name: string,
  clusters: readonly Cluster[],
  wording: { what?: string; ignored: string },
): void {
  const found = unknownClusterMessage(name, clusters);
  const message = wording.what ? `${wording.what} ${found.message}` : found.message;
  if (origin === 'rule') reporter.error('UNKNOWN_CLUSTER', pos, message, found.hint);
  else
    reporter.strictWarning(
      'UNKNOWN_CLUSTER',
      pos,
      `${message}; KubeFed ignored ${wording.ignored}`,
      found.hint,
    );
}
