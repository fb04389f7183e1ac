// Stage model: parsed documents -> Resources to render, ReplicaSchedulingPreferences and CRDs.
// Plain manifests render as written; a KubeFed Federated<Kind> renders as KubeFed's sync
// controller built the member object: body from spec.template, name and namespace forced from
// the federated object, kind from its type, apiVersion from the template or else the type.
import { cmp, didYouMean, type Reporter } from '../core/diagnostics.js';
import { deepFreeze, isObject } from '../core/cow.js';
import { child, posOf, type SourceRef } from '../core/source.js';
import type { ParsedDoc } from '../core/yaml-source.js';
import { readOverrideList } from '../load/config.js';
import type { FederationConfig, JsonObject, ObjectId, PlacementSpec, Resource } from '../types.js';
import { KUBEFED_SCHEDULING_GROUP, groupOf, isBuiltinClusterScoped } from '../core/kubefed-types.js';
import { ruleMatches } from './match.js';
import { isWellKnownClusterScoped } from '../core/well-known-kinds.js';
import { checkSelector } from '../core/selector-check.js';
import { typeKey, type TypeTable } from './federated-types.js';
import { hasSchemaError, type SchemaErrors } from '../validate/kubefed-inputs.js';
import { inputObjects } from './input-objects.js';
import { obj, str, text } from '../core/json-read.js';
import { stripServerFields, type DumpedFields } from './server-fields.js';

/** A ReplicaSchedulingPreference object, or a native replicaScheduling rule bound to a target. */
export interface SchedulingPreference {
  namespace: string;
  name: string;
  targetKind: string;
  /** As written; the schedule stage checks it (checkSpec) before it reads it. */
  spec: JsonObject;
  ref: SourceRef;
}

export interface Model {
  resources: Resource[];
  preferences: SchedulingPreference[];
  /** CustomResourceDefinitions among the inputs (their schemas apply in validation). */
  crds: ParsedDoc[];
  /** API groups of federated types: their objects are federated objects (KubeFed's schema). */
  federatedGroups: Set<string>;
}

/** group/Kind -> scope, from CRDs among the inputs and validation.crds. */
export type ScopeTable = Map<string, 'Namespaced' | 'Cluster'>;

export function crdScopes(docs: readonly ParsedDoc[]): ScopeTable {
  const scopes: ScopeTable = new Map();
  for (const d of docs) {
    const v = d.value;
    if (
      !isObject(v) ||
      v.kind !== 'CustomResourceDefinition' ||
      groupOf(text(v.apiVersion)) !== 'apiextensions.k8s.io'
    )
      continue;
    const spec = obj(v.spec) ?? {};
    const kind = obj(spec.names)?.kind;
    if (typeof spec.group === 'string' && typeof kind === 'string') {
      scopes.set(`${spec.group}/${kind}`, spec.scope === 'Cluster' ? 'Cluster' : 'Namespaced');
    }
  }
  return scopes;
}

/**
 * `types`: the federated types (federated-types.ts); `schemaErrors`: where KubeFed objects have
 * schema errors (validate/kubefed-inputs.ts), reported already: those parts are not read, so
 * nothing here reports them again, and a ReplicaSchedulingPreference with one is left out.
 */
export function buildModel(
  docs: readonly ParsedDoc[],
  config: FederationConfig,
  scopes: ScopeTable,
  kubefed: { types: TypeTable; schemaErrors: SchemaErrors },
  reporter: Reporter,
): Model {
  const { types, schemaErrors } = kubefed;
  const federatedGroups = new Set([...types.values()].map((t) => t.federatedGroup));
  const disabled = new Set<string>();
  const resources: Resource[] = [];
  const preferences: SchedulingPreference[] = [];
  const crds: ParsedDoc[] = [];
  const dumped: DumpedFields = new Map();
  for (const { source, value: raw, at, verbatim } of inputObjects(docs, reporter)) {
    // A SOPS document is emitted as written: nothing is stripped from it.
    const value = verbatim === undefined ? stripServerFields(raw, at, dumped) : raw;
    const { apiVersion, kind } = identity(value);
    const group = groupOf(apiVersion);
    if (kind === 'CustomResourceDefinition' && group === 'apiextensions.k8s.io') crds.push({ source, value });
    if (verbatim !== undefined && (federatedGroups.has(group) || group === KUBEFED_SCHEDULING_GROUP)) {
      reporter.error(
        'SOPS_MAC',
        posOf(at, ['sops'], { key: true }),
        `a SOPS-encrypted ${kind} cannot be rendered: the member object is rebuilt from it, and SOPS's MAC covers the document as written`,
        'encrypt the plain manifest instead and place it with federation.yaml rules',
      );
    } else if (federatedGroups.has(group)) {
      const bad = schemaErrors.get(raw);
      const r = federatedResource(value, at, types, config, reporter, disabled, bad);
      if (r) resources.push(r);
    } else if (group === KUBEFED_SCHEDULING_GROUP && kind === 'ReplicaSchedulingPreference') {
      if (!schemaErrors.has(raw)) preferences.push(preference(value, at, config));
    } else if (group === 'core.kubefed.io' && (kind === 'FederatedTypeConfig' || kind === 'KubeFedCluster')) {
      continue; // types and clusters, read before the model
    } else if (group === 'core.kubefed.io') {
      reporter.warning(
        'UNKNOWN_TYPE',
        posOf(at, ['kind']),
        `${kind} is KubeFed control-plane configuration; fedrender ignores it (fedrender reads FederatedTypeConfig and KubeFedCluster objects, and federation.yaml)`,
      );
    } else {
      const r = plainResource(value, at, scopes, config, reporter, verbatim);
      if (r) resources.push(r);
    }
  }
  for (const d of dumped.values()) {
    const fields = [...d.fields].sort(cmp).join(', ');
    reporter.warning(
      'SERVER_FIELDS',
      posOf(d.at),
      `this file holds fields that the API server sets (${fields}) on ${d.objects} object${d.objects === 1 ? '' : 's'}, as a \`kubectl get -o yaml\` dump does; they are dropped from rendered objects, which GitOps tools would otherwise fight`,
    );
  }
  reportDuplicates(withoutHostNamespaces(resources), reporter);
  // KubeFed's RSP controller still scheduled objects whose type does not propagate; nothing of
  // it reaches a member, so such a preference is not an RSP without a target.
  const active = preferences.filter(
    (p) => !disabled.has(`${p.targetKind}\u0000${p.namespace}\u0000${p.name}`),
  );
  return { resources, preferences: active, crds, federatedGroups };
}

function plainResource(
  v: JsonObject,
  at: SourceRef,
  scopes: ScopeTable,
  config: FederationConfig,
  reporter: Reporter,
  verbatim?: string,
): Resource | undefined {
  const { apiVersion, kind, meta, name } = identity(v);
  let namespace = identity(v).namespace;
  const group = groupOf(apiVersion);
  const scope = scopeOf(group, kind, scopes);
  if (verbatim !== undefined && !sopsScopeOk(v, at, scope, reporter)) return undefined;
  const { metadata, allowSecret } =
    verbatim === undefined ? withoutOptIn(meta, at, reporter) : { metadata: meta };
  const bodyMeta: JsonObject = { ...metadata };
  const body: JsonObject = { ...v, metadata: bodyMeta };
  if (scope === 'Namespaced' && !namespace) {
    // SPEC: namespaced objects without a namespace render into defaults.namespace, field set.
    namespace = config.defaults.namespace;
    bodyMeta.namespace = namespace;
  } else if (scope === 'Cluster' && namespace !== undefined) {
    reporter.warning(
      'INVALID_OBJECT',
      posOf(at, ['metadata', 'namespace']),
      `${kind} is cluster-scoped; metadata.namespace "${namespace}" is dropped`,
    );
    delete bodyMeta.namespace;
    namespace = undefined;
  }
  const id: ObjectId = {
    apiVersion,
    group,
    kind,
    name,
    ...(namespace !== undefined ? { namespace } : {}),
  };
  const r: Resource = {
    id,
    scope,
    body: deepFreeze(body),
    bodyRef: at,
    ref: at,
    origin: 'plain',
    // Every cluster, unless a federation.yaml rule or default says otherwise (the place stage).
    placement: { spec: { clusterSelector: {} }, ref: at, from: 'all' },
    overrides: [],
    isNamespace: group === '' && kind === 'Namespace',
    ...(verbatim !== undefined ? { verbatim } : {}),
    ...(allowSecret ? { allowSecret } : {}),
  };
  r.overrides = config.overrides.filter((o) => ruleMatches(o.match, r)).map((o) => o.list);
  return r;
}

/** SPEC §2: the per-object opt-in for a plain Secret; fedrender's own, so never rendered. */
export const ALLOW_SECRET_ANNOTATION = 'fedrender.io/allow-secret';

/** `metadata` without the opt-in annotation, and whether it said "true". */
function withoutOptIn(
  meta: JsonObject,
  at: SourceRef,
  reporter: Reporter,
): { metadata: JsonObject; allowSecret?: boolean } {
  const annotations = meta.annotations;
  if (!isObject(annotations) || !(ALLOW_SECRET_ANNOTATION in annotations)) return { metadata: meta };
  const value = annotations[ALLOW_SECRET_ANNOTATION];
  if (value !== 'true' && value !== 'false') {
    reporter.error(
      'INVALID_OBJECT',
      posOf(at, ['metadata', 'annotations', ALLOW_SECRET_ANNOTATION]),
      `${ALLOW_SECRET_ANNOTATION} must be "true" or "false", found ${JSON.stringify(value)}`,
    );
  }
  const rest = { ...annotations };
  delete rest[ALLOW_SECRET_ANNOTATION];
  return { metadata: { ...meta, annotations: rest }, allowSecret: value === 'true' };
}

/**
 * A SOPS document is emitted as written, so the namespace fedrender would set or drop must
 * already be right: defaulting or dropping it would break the MAC.
 */
function sopsScopeOk(v: JsonObject, at: SourceRef, scope: Resource['scope'], reporter: Reporter): boolean {
  const { kind, meta, name } = identity(v);
  const hint = 'decrypt it, fix metadata.namespace and encrypt it again (sops edit does both)';
  if (scope === 'Namespaced' && !meta.namespace) {
    reporter.error(
      'SOPS_MAC',
      posOf(at, ['metadata'], { key: true }),
      `SOPS-encrypted ${kind} ${name} has no metadata.namespace; setting it would break the document's MAC, so Flux could not decrypt it`,
      hint,
    );
    return false;
  }
  if (scope === 'Cluster' && meta.namespace !== undefined) {
    reporter.error(
      'SOPS_MAC',
      posOf(at, ['metadata', 'namespace']),
      `SOPS-encrypted ${kind} ${name} is cluster-scoped; dropping its metadata.namespace would break the document's MAC`,
      hint,
    );
    return false;
  }
  return true;
}

function scopeOf(group: string, kind: string, scopes: ScopeTable): 'Namespaced' | 'Cluster' {
  if (isBuiltinClusterScoped(group, kind)) return 'Cluster';
  return scopes.get(`${group}/${kind}`) ?? (isWellKnownClusterScoped(group, kind) ? 'Cluster' : 'Namespaced');
}

function federatedResource(
  v: JsonObject,
  at: SourceRef,
  types: TypeTable,
  config: FederationConfig,
  reporter: Reporter,
  disabled: Set<string>,
  schemaErrors?: readonly string[],
): Resource | undefined {
  const flagged = (pointer: string) => hasSchemaError(schemaErrors, pointer);
  const { kind: fedKind, meta, name } = identity(v);
  const fedGroup = groupOf(identity(v).apiVersion);
  const type = types.get(typeKey(fedGroup, fedKind));
  if (!type) {
    const kinds = [...types.values()]
      .filter((t) => t.federatedGroup === fedGroup)
      .map((t) => t.federatedKind);
    const guess = didYouMean(fedKind, kinds);
    reporter.error(
      'UNKNOWN_TYPE',
      posOf(at, ['kind']),
      `unknown federated type ${fedKind}${guess ? ` (did you mean ${guess}?)` : ''}`,
      guess
        ? undefined
        : `name its target under \`types\` in federation.yaml, e.g. types: {${fedKind}: ${suggestApiVersion(fedKind.slice('Federated'.length))}}`,
    );
    return undefined;
  }
  if (type.disabled) {
    const ns = identity(v).namespace;
    disabled.add(`${fedKind}\u0000${ns ? ns : config.defaults.namespace}\u0000${name}`);
    const p = type.ref ? posOf(type.ref) : undefined;
    reporter.warning(
      'UNKNOWN_TYPE',
      posOf(at, ['kind']),
      `${fedKind} ${name} is not rendered: its FederatedTypeConfig${p ? ` (${p.file}:${p.line})` : ''} has propagation: Disabled`,
    );
    return undefined;
  }
  const spec = isObject(v.spec) ? v.spec : {};
  const specRef = child(at, 'spec');
  const templateRef = child(specRef, 'template');
  if (spec.template !== undefined && !isObject(spec.template)) {
    if (!flagged('/spec/template'))
      reporter.error('INVALID_OBJECT', posOf(templateRef), `${fedKind} spec.template must be an object`);
    return undefined;
  }
  const template = spec.template ?? {};
  const isNamespace = type.kind === 'Namespace' && groupOf(type.apiVersion) === '';
  let namespace = identity(v).namespace;
  if (isNamespace) {
    // KubeFed federates a namespace with a FederatedNamespace named after it, inside it.
    if (namespace !== undefined && namespace !== name) {
      reporter.error(
        'NAMESPACE_MISMATCH',
        posOf(at, ['metadata', 'name']),
        `a FederatedNamespace must be named after the namespace it lives in: expected name "${namespace}", found "${name}"`,
      );
      return undefined;
    }
    namespace = name;
  } else if (type.scope === 'Namespaced') {
    namespace ??= config.defaults.namespace;
  } else {
    namespace = undefined;
  }
  const optIn = withoutOptIn(meta, at, reporter).allowSecret;
  const own = withoutOptIn(isObject(template.metadata) ? template.metadata : {}, templateRef, reporter);
  const tmeta: JsonObject = { ...own.metadata };
  // KubeFed's sync controller never propagated template annotations or finalizers; overrides
  // may still add annotations.
  for (const field of ['annotations', 'finalizers'] as const) {
    const val = tmeta[field];
    if (
      val !== undefined &&
      !(isObject(val) && Object.keys(val).length === 0) &&
      !(Array.isArray(val) && val.length === 0)
    ) {
      reporter.warning(
        'DROPPED_FIELD',
        posOf(templateRef, ['metadata', field], { key: true }),
        `template metadata.${field} is dropped, as KubeFed never propagated it; use an override to set ${field}`,
      );
    }
    delete tmeta[field];
  }
  tmeta.name = name;
  if (!isNamespace && namespace !== undefined) tmeta.namespace = namespace;
  else delete tmeta.namespace;
  const apiVersion =
    typeof template.apiVersion === 'string' && template.apiVersion ? template.apiVersion : type.apiVersion;
  const body: JsonObject = { ...template, apiVersion, kind: type.kind, metadata: tmeta };
  const group = groupOf(apiVersion);
  const placementRaw = spec.placement;
  // A placement with a schema error places nowhere (KubeFed's API server refused such objects).
  const placementBad = flagged('/spec/placement');
  const placement: PlacementSpec = isObject(placementRaw) && !placementBad ? placementRaw : {};
  const r: Resource = {
    id: {
      apiVersion,
      group,
      kind: type.kind,
      name,
      ...(isNamespace || namespace === undefined ? {} : { namespace }),
    },
    scope: isNamespace ? 'Cluster' : type.scope,
    body: deepFreeze(body),
    bodyRef: templateRef,
    ref: at,
    origin: 'kubefed',
    federatedKind: fedKind,
    placement: { spec: placement, ref: child(specRef, 'placement'), from: 'object' },
    overrides: [],
    isNamespace,
    ...(optIn || own.allowSecret ? { allowSecret: true } : {}),
  };
  if (isNamespace) r.id.namespace = undefined;
  const ownOverrides = readOverrideList(
    Array.isArray(spec.overrides) ? spec.overrides : undefined,
    child(specRef, 'overrides'),
    'object',
    reporter,
    (i) => flagged(`/spec/overrides/${i}`),
  );
  for (const e of ownOverrides.entries) {
    if ('clusterSelector' in e.target)
      reporter.error(
        'INVALID_PATCH',
        posOf(e.ref, ['clusterSelector'], { key: true }),
        'KubeFed overrides target a clusterName; clusterSelector is only for federation.yaml rules',
      );
  }
  r.overrides = [ownOverrides, ...config.overrides.filter((o) => ruleMatches(o.match, r)).map((o) => o.list)];
  // KubeFed parses the selector only when no clusters list decides (and for an RSP's intersect).
  // Its other mistakes are still reported (a schema error is never reported twice).
  if (isObject(placementRaw) && !Array.isArray(placementRaw.clusters))
    checkSelector(placementRaw.clusterSelector, child(specRef, 'placement', 'clusterSelector'), reporter);
  if (
    !placementBad &&
    !Array.isArray(placement.clusters) &&
    (placement.clusterSelector === undefined || placement.clusterSelector === null)
  ) {
    const what =
      placementRaw === undefined
        ? 'no spec.placement'
        : 'neither placement.clusters nor placement.clusterSelector';
    reporter.warning(
      'NO_PLACEMENT',
      posOf(at, placementRaw === undefined ? ['spec'] : ['spec', 'placement'], {
        key: placementRaw !== undefined,
      }),
      `${fedKind} ${name} has ${what}, so KubeFed placed it in no cluster`,
    );
  }
  return r;
}

/** A schema-valid ReplicaSchedulingPreference (it has a spec and a targetKind). */
function preference(v: JsonObject, at: SourceRef, config: FederationConfig): SchedulingPreference {
  const { name, namespace } = identity(v);
  const spec = obj(v.spec) ?? {};
  return {
    namespace: namespace ?? config.defaults.namespace,
    name,
    targetKind: text(spec.targetKind ?? ''),
    spec,
    ref: at,
  };
}

/**
 * KubeFed's own layout (example/sample1) applies a plain Namespace to the host cluster beside
 * the FederatedNamespace inside it: the FederatedNamespace decides what members get, so the
 * plain Namespace yields to it (in place, keeping the array shared with the caller).
 */
function withoutHostNamespaces(resources: Resource[]): Resource[] {
  const federated = new Set(
    resources.filter((r) => r.isNamespace && r.origin === 'kubefed').map((r) => r.id.name),
  );
  for (let i = resources.length - 1; i >= 0; i--) {
    const r = resources[i];
    if (r && r.isNamespace && r.origin === 'plain' && federated.has(r.id.name)) resources.splice(i, 1);
  }
  return resources;
}

/** The same (group, kind, namespace, name) twice is an error at the second, naming the first. */
function reportDuplicates(resources: readonly Resource[], reporter: Reporter): void {
  const seen = new Map<string, Resource>();
  for (const r of resources) {
    const key = [r.id.group, r.id.kind, r.id.namespace ?? '', r.id.name].join('\u0000');
    const first = seen.get(key);
    if (first) {
      const p = posOf(first.ref);
      const as = (x: Resource) => (x.federatedKind ? ` (as ${x.federatedKind})` : '');
      reporter.error(
        'DUPLICATE_OBJECT',
        posOf(r.ref),
        `${r.id.kind} ${r.id.namespace ? r.id.namespace + '/' : ''}${r.id.name}${as(r)} is defined twice; first at ${p.file}:${p.line}:${p.column}${as(first)}`,
      );
    } else {
      seen.set(key, r);
    }
  }
}

export function sortResources(resources: Resource[]): Resource[] {
  return resources.sort((a, b) => cmp(resourceKey(a), resourceKey(b)));
}

export function resourceKey(r: Resource): string {
  return [r.id.group, r.id.kind, r.id.namespace ?? '', r.id.name].join('\u0000');
}

/** A plausible target apiVersion for a Federated<Kind> hint: the built-in group of that kind. */
function suggestApiVersion(kind: string): string {
  const groups: Record<string, string> = {
    StatefulSet: 'apps/v1',
    DaemonSet: 'apps/v1',
    CronJob: 'batch/v1',
    Role: 'rbac.authorization.k8s.io/v1',
    RoleBinding: 'rbac.authorization.k8s.io/v1',
    PersistentVolumeClaim: 'v1',
    LimitRange: 'v1',
    ResourceQuota: 'v1',
    HorizontalPodAutoscaler: 'autoscaling/v2',
    NetworkPolicy: 'networking.k8s.io/v1',
    PodDisruptionBudget: 'policy/v1',
    StorageClass: 'storage.k8s.io/v1',
  };
  return groups[kind] ?? 'example.com/v1';
}

/**
 * apiVersion, kind, metadata, its name and namespace of an input object, which inputObjects has
 * checked to be strings (server fields stripped since, the identity kept).
 */
function identity(v: JsonObject): {
  apiVersion: string;
  kind: string;
  meta: JsonObject;
  name: string;
  namespace?: string;
} {
  const meta = obj(v.metadata) ?? {};
  const namespace = str(meta.namespace);
  return {
    apiVersion: str(v.apiVersion) ?? '',
    kind: str(v.kind) ?? '',
    meta,
    name: str(meta.name) ?? '',
    ...(namespace !== undefined ? { namespace } : {}),
  };
}
