// Stage load/config: federation.yaml text -> FederationConfig. The file is checked against
// schemas/federation.schema.json first (errors at their node), then read into typed rules that
// keep a SourceRef for every rule, entry and operation, so later stages can point at them.
import { basename, posix } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { compileCached } from '../core/ajv.js';
import { didYouMean, type Reporter, type SourcePos } from '../core/diagnostics.js';
import { readPackageJson } from '../core/package-files.js';
import { checkSchema } from '../core/schema-check.js';
import { checkSelector } from '../core/selector-check.js';
import { child, filePos, parsePointer, posOf, prototypePath, ref, type SourceRef } from '../core/source.js';
import { parseYamlFile } from '../core/yaml-source.js';
import { KUBEFED_TYPES, KUBEFED_TYPES_GROUP } from '../core/kubefed-types.js';
import { isObject } from '../core/cow.js';
import {
  TYPED_OVERRIDERS,
  type ArgoCdSettings,
  type Cluster,
  type FederatedType,
  type FederationConfig,
  type FluxDecryption,
  type FluxSettings,
  type Json,
  type JsonObject,
  type MatchSpec,
  type OverrideEntry,
  type OverrideList,
  type OverrideOp,
  type OutputSettings,
  type PlacementSpec,
  type SchedulingSpec,
  type TypedOverriders,
} from '../types.js';

let validateFederation: ValidateFunction | undefined;

export function federationSchema(): object {
  return readPackageJson<object>('schemas/federation.schema.json');
}

/** Parses and checks federation.yaml; undefined when it cannot be used at all. */
export function parseFederation(
  text: string,
  file: string,
  dir: string,
  reporter: Reporter,
): FederationConfig | undefined {
  const docs = parseYamlFile(text, file, reporter);
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
  validateFederation ??= compileCached(federationSchema());
  if (!checkSchema(validateFederation, value, root, reporter)) return undefined;
  return readConfig(value as JsonObject, file, dir, root, reporter);
}

function readConfig(
  v: JsonObject,
  file: string,
  dir: string,
  root: SourceRef,
  reporter: Reporter,
): FederationConfig {
  const clusters = readClusters(v, root, reporter);
  checkConfigSelectors(v, root, reporter);
  const defaults = (v.defaults ?? {}) as JsonObject;
  const output = (v.output ?? {}) as JsonObject;
  const validation = (v.validation ?? {}) as JsonObject;
  const kubefed = (v.kubefed ?? {}) as JsonObject;
  return {
    file,
    dir,
    ref: root,
    clusters,
    resources: ((v.resources ?? []) as string[]).map((g, i) => ({
      value: g,
      ref: child(root, 'resources', i),
    })),
    defaults: {
      placement:
        defaults.placement !== undefined
          ? { value: defaults.placement as PlacementSpec, ref: child(root, 'defaults', 'placement') }
          : undefined,
      namespace: (defaults.namespace as string | undefined) ?? 'default',
    },
    placements: ((v.placements ?? []) as JsonObject[]).map((r, i) => ({
      match: (r.match ?? {}) as MatchSpec,
      placement: r.placement as PlacementSpec,
      ref: child(root, 'placements', i),
    })),
    overrides: ((v.overrides ?? []) as JsonObject[]).map((r, i) => {
      const at = child(root, 'overrides', i);
      return {
        match: (r.match ?? {}) as MatchSpec,
        list: readOverrideList(r.overrides as Json[], child(at, 'overrides'), 'rule', reporter),
        ref: at,
      };
    }),
    replicaScheduling: ((v.replicaScheduling ?? []) as JsonObject[]).map((r, i) => ({
      match: (r.match ?? {}) as MatchSpec,
      spec: {
        totalReplicas: r.totalReplicas as number,
        rebalance: r.rebalance as boolean | undefined,
        intersectWithClusterSelector: r.intersectWithClusterSelector as boolean | undefined,
        clusters: (r.clusters ?? undefined) as SchedulingSpec['clusters'],
      },
      ref: child(root, 'replicaScheduling', i),
    })),
    types: readTypes(v.types as JsonObject | undefined, root, reporter),
    kubefedScope: (kubefed.scope as 'Namespaced' | 'Cluster' | undefined) ?? 'Cluster',
    kubefedNamespace: (kubefed.namespace as string | undefined) ?? 'kube-federation-system',
    managedLabel: (kubefed.managedLabel as boolean | undefined) ?? false,
    output: readOutput(output, child(root, 'output'), dir, reporter),
    validation: {
      kubernetesVersion: String(validation.kubernetesVersion ?? '').replace(/^v/, ''),
      crds: (validation.crds ?? []) as string[],
      strict: (validation.strict as boolean | undefined) ?? true,
      schemaLocations: (validation.schemaLocations ?? []) as string[],
      skipKinds: (validation.skipKinds ?? []) as string[],
      ignoreMissingSchemas: (validation.ignoreMissingSchemas as boolean | undefined) ?? false,
    },
  };
}

/** Every label selector of federation.yaml, as apimachinery parses it (errors at the node). */
function checkConfigSelectors(v: JsonObject, root: SourceRef, reporter: Reporter): void {
  const at = (...path: (string | number)[]) => child(root, ...path);
  const defaults = (v.defaults ?? {}) as JsonObject;
  const placement = (defaults.placement ?? {}) as JsonObject;
  checkSelector(placement.clusterSelector, at('defaults', 'placement', 'clusterSelector'), reporter);
  for (const section of ['placements', 'overrides', 'replicaScheduling'] as const) {
    ((v[section] ?? []) as JsonObject[]).forEach((rule, i) => {
      const match = (rule.match ?? {}) as JsonObject;
      checkSelector(match.labelSelector, at(section, i, 'match', 'labelSelector'), reporter);
      if (section === 'placements') {
        const p = (rule.placement ?? {}) as JsonObject;
        checkSelector(p.clusterSelector, at(section, i, 'placement', 'clusterSelector'), reporter);
      }
      if (section === 'overrides') {
        ((rule.overrides ?? []) as Json[]).forEach((e, j) => {
          if (e !== null && typeof e === 'object' && !Array.isArray(e))
            checkSelector(e.clusterSelector, at(section, i, 'overrides', j, 'clusterSelector'), reporter);
        });
      }
    });
  }
}

/**
 * `output`, with the GitOps defaults of the tools' own conventions: Argo CD's `argocd`
 * namespace, `default` project and HEAD revision; the `flux-system` namespace and GitRepository
 * that `flux bootstrap` creates, and a `clusters/` folder as in Flux's fleet repositories.
 */
function readOutput(output: JsonObject, at: SourceRef, dir: string, reporter: Reporter): OutputSettings {
  const gitops = (output.gitops as OutputSettings['gitops'] | undefined) ?? 'none';
  const name = (output.name as string | undefined) ?? defaultProjectName(dir);
  if (gitops !== 'none' && name === '') {
    reporter.error(
      'CONFIG',
      posOf(at, ['gitops']),
      `the folder of federation.yaml gives no project name for the GitOps objects; set output.name`,
      'e.g. output: {name: shop}',
    );
  }
  const argocd = (output.argocd ?? {}) as JsonObject;
  const flux = (output.flux ?? {}) as JsonObject;
  const sourceRef = (flux.sourceRef ?? {}) as JsonObject;
  if (gitops === 'argocd' && argocd.repoURL === undefined) {
    reporter.error(
      'CONFIG',
      posOf(at, ['gitops']),
      'output.gitops: argocd needs output.argocd.repoURL, the git repository Argo CD reads the rendered tree from',
      'e.g. output: {gitops: argocd, argocd: {repoURL: https://github.com/example/fleet.git}}',
    );
  }
  return {
    dir: (output.dir as string | undefined) ?? 'rendered',
    name,
    layout: (output.layout as OutputSettings['layout'] | undefined) ?? 'clusters',
    gitops,
    allowSecrets: (output.allowSecrets as boolean | undefined) ?? false,
    argocd: {
      ...(argocd.repoURL !== undefined ? { repoURL: argocd.repoURL as string } : {}),
      targetRevision: (argocd.targetRevision as string | undefined) ?? 'HEAD',
      project: (argocd.project as string | undefined) ?? 'default',
      namespace: (argocd.namespace as string | undefined) ?? 'argocd',
      ...readRepoPath(argocd.path, child(at, 'argocd', 'path'), reporter),
      namePrefix: (argocd.namePrefix as string | undefined) ?? (name ? `${name}-` : ''),
      prune: (argocd.prune as boolean | undefined) ?? true,
      selfHeal: (argocd.selfHeal as boolean | undefined) ?? true,
      mode: (argocd.mode as ArgoCdSettings['mode'] | undefined) ?? 'application',
      syncWaves: (argocd.syncWaves as Record<string, number> | undefined) ?? DEFAULT_SYNC_WAVES,
      ...pick<ArgoCdSettings>(argocd, ['syncOptions', 'ignoreDifferences', 'retry', 'labels', 'annotations']),
    },
    flux: {
      dir: (flux.dir as string | undefined) ?? 'clusters',
      namespace: (flux.namespace as string | undefined) ?? 'flux-system',
      sourceRef: {
        kind: (sourceRef.kind as string | undefined) ?? 'GitRepository',
        name: (sourceRef.name as string | undefined) ?? 'flux-system',
        ...(sourceRef.namespace !== undefined ? { namespace: sourceRef.namespace as string } : {}),
      },
      interval: (flux.interval as string | undefined) ?? '10m',
      ...readRepoPath(flux.path, child(at, 'flux', 'path'), reporter),
      ...(isObject(flux.decryption) ? { decryption: flux.decryption as unknown as FluxDecryption } : {}),
      ...pick<FluxSettings>(flux, [
        'dependsOn',
        'wait',
        'timeout',
        'retryInterval',
        'targetNamespace',
        'postBuild',
        'labels',
        'annotations',
      ]),
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

/** The fields of `o` that are set (the schema has checked their shapes), as they are. */
function pick<T>(o: JsonObject, keys: readonly (keyof T & string)[]): Partial<T> {
  const out: JsonObject = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = structuredClone(o[k]);
  return out as Partial<T>;
}

/** A path inside the git repository: `/`-separated, without `./`, `..` or a trailing `/`; '' is its root. */
function readRepoPath(raw: Json | undefined, at: SourceRef, reporter: Reporter): { path?: string } {
  if (typeof raw !== 'string') return {};
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

function readClusters(v: JsonObject, root: SourceRef, reporter: Reporter): Cluster[] {
  const seen = new Set<string>();
  const out: Cluster[] = [];
  ((v.clusters ?? []) as JsonObject[]).forEach((c, i) => {
    const at = child(root, 'clusters', i);
    const name = c.name as string;
    if (seen.has(name)) {
      reporter.error('CONFIG', posOf(at, ['name']), `cluster "${name}" is listed twice`);
      return;
    }
    seen.add(name);
    out.push({
      name,
      labels: (c.labels ?? {}) as Record<string, string>,
      ...(c.server !== undefined ? { server: c.server as string } : {}),
      ref: at,
    });
  });
  return out;
}

/**
 * An `overrides` list, from federation.yaml or a Federated<Kind>'s `spec.overrides`. Each entry
 * targets one `clusterName` (KubeFed) or a `clusterSelector` (native rules only).
 */
export function readOverrideList(
  raw: Json[] | undefined,
  at: SourceRef,
  origin: 'object' | 'rule',
  reporter: Reporter,
): OverrideList {
  const entries: OverrideEntry[] = [];
  let unnamed = 0;
  (raw ?? []).forEach((e, i) => {
    const eref = child(at, i);
    if (e === null || typeof e !== 'object' || Array.isArray(e)) {
      reporter.error(
        'INVALID_PATCH',
        posOf(eref),
        'expected an override entry (clusterName and clusterOverrides)',
      );
      return;
    }
    const hasName = typeof e.clusterName === 'string';
    const hasSelector = e.clusterSelector !== undefined;
    if (origin === 'object' && !hasName && !hasSelector) {
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
    if (hasName === hasSelector) {
      reporter.error(
        'INVALID_PATCH',
        posOf(eref),
        hasName
          ? 'an override entry takes clusterName or clusterSelector, not both'
          : 'an override entry needs clusterName or clusterSelector',
      );
      return;
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
    entries.push({
      target: hasName
        ? { clusterName: e.clusterName as string }
        : { clusterSelector: (e.clusterSelector ?? {}) as never },
      ops,
      typed: readTyped(e, eref, origin, reporter),
      ref: eref,
      origin,
    });
  });
  return { entries, origin, ref: at };
}

/**
 * The typed overriders of an entry (shapes already checked by the schema). They are fedrender's,
 * after Karmada: a KubeFed object's own overrides never had them, so there they are an error.
 */
function readTyped(
  e: JsonObject,
  at: SourceRef,
  origin: 'object' | 'rule',
  reporter: Reporter,
): TypedOverriders {
  const typed: TypedOverriders = {};
  for (const name of TYPED_OVERRIDERS) {
    const list = e[name];
    if (list === undefined) continue;
    if (origin === 'object') {
      reporter.error(
        'INVALID_PATCH',
        posOf(at, [name], { key: true }),
        `${name} is for federation.yaml override rules only; KubeFed overrides take clusterName and clusterOverrides`,
      );
      continue;
    }
    const items = list as JsonObject[];
    let ok = true;
    items.forEach((item, i) => {
      // An image is picked by a predicate path or by container name, not both at once.
      const predicate = (item.predicate ?? {}) as JsonObject;
      const banned = typeof predicate.path === 'string' && prototypePath(parsePointer(predicate.path));
      if (banned) {
        reporter.error(
          'INVALID_PATCH',
          posOf(at, [name, i, 'predicate', 'path']),
          `path "${predicate.path as string}" is refused: ${banned} reaches JavaScript's object prototypes`,
        );
        ok = false;
      }
      if (name === 'imageOverrider' && item.predicate !== undefined && item.containerName !== undefined) {
        reporter.error(
          'INVALID_PATCH',
          posOf(at, [name, i]),
          'an imageOverrider takes predicate or containerName, not both',
        );
        ok = false;
      }
    });
    if (ok) typed[name] = { value: items, ref: child(at, name) };
  }
  return typed;
}

/**
 * One patch operation. KubeFed defaulted `op` to replace and passed the rest to its JSON-patch
 * library, which silently mangled a path without a leading `/` or an add/replace without a
 * value; those are rejected here with the line of the operation.
 */
function readOp(
  o: Json,
  at: SourceRef,
  origin: 'object' | 'rule',
  reporter: Reporter,
): OverrideOp | undefined {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    reporter.error('INVALID_PATCH', posOf(at), 'expected a patch operation {op, path, value}');
    return undefined;
  }
  // KubeFed's ApplyJSONPatch turned an empty op into replace, as it did an absent one.
  const op = (o.op === undefined || o.op === null || o.op === '' ? 'replace' : o.op) as string;
  // `merge` is fedrender's, for federation.yaml rules; KubeFed's JSON patch knew only these three.
  const ops = origin === 'rule' ? ['add', 'remove', 'replace', 'merge'] : ['add', 'remove', 'replace'];
  if (!ops.includes(op)) {
    const more =
      origin === 'object' && op === 'merge' ? ' (merge is for federation.yaml override rules only)' : '';
    reporter.error(
      'INVALID_PATCH',
      posOf(at, ['op']),
      `unsupported op "${op}"; expected ${ops.slice(0, -1).join(', ')} or ${ops[ops.length - 1]}${more}`,
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
  if (op !== 'remove' && !hasValue) {
    reporter.error('INVALID_PATCH', posOf(at), `op "${op}" at ${o.path} needs a value`);
    return undefined;
  }
  return { op: op as OverrideOp['op'], path: o.path, value: o.value, hasValue, ref: at };
}

function readTypes(raw: JsonObject | undefined, root: SourceRef, reporter: Reporter): FederatedType[] {
  const out: FederatedType[] = [];
  for (const federatedKind of Object.keys(raw ?? {}).sort()) {
    const entry = raw![federatedKind];
    const spec = typeof entry === 'string' ? { apiVersion: entry } : (entry as JsonObject);
    const kind = (spec.kind as string | undefined) ?? federatedKind.slice('Federated'.length);
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
      apiVersion: spec.apiVersion as string,
      kind,
      scope: (spec.scope as 'Namespaced' | 'Cluster' | undefined) ?? 'Namespaced',
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
