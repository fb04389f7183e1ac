// Shared types of the pipeline: the parsed federation, the resources it federates, and what
// each stage hands to the next. Values are plain JSON, deep-frozen once loaded, so per-cluster
// copies can share every subtree they do not change (see core/cow.ts).
import type { SourceRef } from './core/source.js';
import type * as File from './generated/federation-schema.js';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

// Where a field reads as federation.yaml writes it, its type is the one generated from
// schemas/federation.schema.json (src/generated/, `npm run gen:types`): the schema and the code
// cannot drift apart. What is added here is derived: source positions and applied defaults.

export interface Cluster extends Pick<File.Cluster, 'name' | 'server'> {
  labels: NonNullable<File.Cluster['labels']>;
  ref: SourceRef;
  /** Defined by a KubeFedCluster object among the inputs, not by federation.yaml. */
  fromKubeFedCluster?: boolean;
}

/** metav1.LabelSelector; null and absent lists read as empty, as Kubernetes reads them. */
export type LabelSelector = NonNullable<File.LabelSelector>;
export type LabelSelectorRequirement = NonNullable<LabelSelector['matchExpressions']>[number];

/** KubeFed's placement shape. `clusters` present (even empty) wins over `clusterSelector`. */
export type PlacementSpec = File.Placement;

export interface Located<T> {
  value: T;
  ref: SourceRef;
}

/** One patch operation of a `clusterOverrides` list (KubeFed's shape, plus `merge`). */
export interface OverrideOp {
  op: 'add' | 'remove' | 'replace' | 'merge';
  path: string;
  value?: Json;
  hasValue: boolean;
  ref: SourceRef;
}

/**
 * The typed overriders of a native override entry (Karmada's names and shapes). Their items stay
 * JSON: `${cluster.*}` variables in them are expanded per cluster before they are read.
 */
export type TypedOverriders = { [K in (typeof TYPED_OVERRIDERS)[number]]?: Located<JsonObject[]> };

/** The typed overriders in the order SPEC applies them, before the entry's clusterOverrides. */
export const TYPED_OVERRIDERS = [
  'imageOverrider',
  'labelsOverrider',
  'annotationsOverrider',
  'commandOverrider',
  'argsOverrider',
  'envOverrider',
] as const satisfies readonly (keyof File.OverrideEntry)[];

/** One entry of an `overrides` list: which clusters it targets and what it does to them. */
export interface OverrideEntry {
  target: { clusterName: string } | { clusterSelector: LabelSelector };
  ops: OverrideOp[];
  typed: TypedOverriders;
  ref: SourceRef;
  /** Where the entry comes from: the object's own `spec.overrides`, or a federation.yaml rule. */
  origin: 'object' | 'rule';
}

/** An `overrides` list as a unit: duplicate-cluster checks apply within one list. */
export interface OverrideList {
  entries: OverrideEntry[];
  origin: 'object' | 'rule';
  ref: SourceRef;
}

export type MatchSpec = File.Match;

export interface PlacementRule {
  match: MatchSpec;
  placement: PlacementSpec;
  ref: SourceRef;
}

export interface OverrideRule {
  match: MatchSpec;
  list: OverrideList;
  ref: SourceRef;
}

/**
 * One cluster's entry in an RSP's `clusters` (KubeFed's ClusterPreferences). An absent (or null)
 * maxReplicas means unbounded, as KubeFed's nil `*int64`.
 */
export type ClusterPreference = File.ClusterPreference;

/** A replicaScheduling rule's spec, or a ReplicaSchedulingPreference's (same fields). */
export type SchedulingSpec = Omit<NonNullable<File.FederationFile['replicaScheduling']>[number], 'match'>;

export interface SchedulingRule {
  match: MatchSpec;
  spec: SchedulingSpec;
  ref: SourceRef;
}

/** A Federated<Kind> this run understands: the built-in KubeFed types plus `types` entries. */
export interface FederatedType {
  federatedKind: string;
  /** API group of the federated kind (types.kubefed.io unless an FTC says otherwise). */
  federatedGroup: string;
  apiVersion: string;
  kind: string;
  scope: 'Namespaced' | 'Cluster';
  /** A FederatedTypeConfig with `propagation: Disabled`: its objects render nowhere. */
  disabled?: boolean;
  /** Where the type was defined (an FTC among the inputs), for messages. */
  ref?: SourceRef;
}

/** `validation`, every default applied; kubernetesVersion without its `v`, '' = the bundled one. */
export type ValidationSettings = Required<NonNullable<File.FederationFile['validation']>>;

type FileKubeFed = NonNullable<File.FederationFile['kubefed']>;
type FileOutput = NonNullable<File.FederationFile['output']>;
type FileArgoCd = NonNullable<FileOutput['argocd']>;
type FileFlux = NonNullable<FileOutput['flux']>;
type FileSourceRef = NonNullable<FileFlux['sourceRef']>;

// Settings read as written (no default) and those written into the GitOps objects as plain JSON;
// every other field of the schema gets a default, so a new one must be given one in config.ts.
type ArgoCdOptional = 'repoURL' | 'path' | 'syncOptions' | 'labels' | 'annotations';
type ArgoCdJson = 'ignoreDifferences' | 'retry';
type FluxOptional =
  | 'path'
  | 'decryption'
  | 'dependsOn'
  | 'wait'
  | 'timeout'
  | 'retryInterval'
  | 'targetNamespace'
  | 'labels'
  | 'annotations';
type FluxJson = 'postBuild';

/** output.argocd: how each cluster's Argo CD Application reads its rendered directory. */
export interface ArgoCdSettings
  extends
    Required<Omit<FileArgoCd, ArgoCdOptional | ArgoCdJson>>,
    Pick<FileArgoCd, Exclude<ArgoCdOptional, 'path'>> {
  /** The output directory's path in the repository, normalized ('' = its root); unset = computed. */
  path?: string;
  ignoreDifferences?: JsonObject[];
  retry?: JsonObject;
}

/** output.flux: where each cluster's Flux Kustomization is written and what it reads. */
export interface FluxSettings
  extends
    Required<Omit<FileFlux, 'sourceRef' | FluxOptional | FluxJson>>,
    Pick<FileFlux, Exclude<FluxOptional, 'path' | 'decryption'>> {
  sourceRef: Required<Omit<FileSourceRef, 'namespace'>> & Pick<FileSourceRef, 'namespace'>;
  /** As ArgoCdSettings.path. */
  path?: string;
  /** spec.decryption: Flux decrypts SOPS documents with it (set by the pipeline when needed). */
  decryption?: FluxDecryption;
  postBuild?: JsonObject;
}

/** Flux's Kustomization spec.decryption (kustomize.toolkit.fluxcd.io/v1). */
export type FluxDecryption = NonNullable<FileFlux['decryption']>;

export interface OutputSettings extends Required<Omit<FileOutput, 'argocd' | 'flux'>> {
  argocd: ArgoCdSettings;
  flux: FluxSettings;
}

export interface FederationConfig {
  /** federation.yaml's path relative to its folder (its base name) and its folder, absolute. */
  file: string;
  dir: string;
  ref: SourceRef;
  clusters: Cluster[];
  resources: Located<string>[];
  defaults: { placement?: Located<PlacementSpec>; namespace: string };
  placements: PlacementRule[];
  overrides: OverrideRule[];
  replicaScheduling: SchedulingRule[];
  types: FederatedType[];
  /** KubeFed's control-plane scope (default Cluster, KubeFed's default install). */
  kubefedScope: NonNullable<FileKubeFed['scope']>;
  /** KubeFed's own namespace (kubefed.namespace, default kube-federation-system). */
  kubefedNamespace: NonNullable<FileKubeFed['namespace']>;
  /** kubefed.managedLabel: add kubefed.io/managed: "true" after overrides, as KubeFed did. */
  managedLabel: NonNullable<FileKubeFed['managedLabel']>;
  output: OutputSettings;
  validation: ValidationSettings;
}

/** Identity of an object as the API server sees it: duplicates are compared on this. */
export interface ObjectId {
  apiVersion: string;
  group: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** One object to render, from a plain manifest or from a KubeFed Federated<Kind>. */
export interface Resource {
  id: ObjectId;
  scope: 'Namespaced' | 'Cluster';
  /** The body as it renders before overrides: frozen, name/namespace already set. */
  body: JsonObject;
  /** Where `body`'s root sits in its source (the manifest, or `spec.template`). */
  bodyRef: SourceRef;
  /** The whole source object (the manifest, or the Federated<Kind>). */
  ref: SourceRef;
  origin: 'plain' | 'kubefed';
  /** For KubeFed objects, the Federated<Kind>, e.g. FederatedDeployment. */
  federatedKind?: string;
  /** Own placement (KubeFed objects), or the winning rule / default (plain objects). */
  placement: { spec: PlacementSpec; ref: SourceRef; from: 'object' | 'rule' | 'default' | 'all' };
  /** Own overrides first, then matching federation.yaml rules in file order. */
  overrides: OverrideList[];
  /** Set on a FederatedNamespace / Namespace: resources in it go only where it goes. */
  isNamespace: boolean;
  /** A SOPS-encrypted manifest's text: emitted as written, never patched (core/sops.ts). */
  verbatim?: string;
  /** The object opted in with `fedrender.io/allow-secret: "true"` (removed from the body). */
  allowSecret?: boolean;
}

/** Scheduled replicas for one resource in one cluster, with the preference that set them. */
export interface ReplicaOverride {
  replicas: number;
  ref: SourceRef;
  /** A ReplicaSchedulingPreference (KubeFed: replaces placement) or a native rule (within it). */
  origin: 'kubefed' | 'rule';
}

/** A resource rendered for one cluster: `body` shares unchanged subtrees with `resource.body`. */
export interface RenderedObject {
  resource: Resource;
  cluster: Cluster;
  body: JsonObject;
  /** The operations that changed this copy, in order, for mapping a later error to its line. */
  applied: readonly { path: string; ref: SourceRef }[];
}

/** One file of the output, relative to the output directory's parent (the project folder). */
export interface OutputFile {
  path: string;
  /**
   * The file's text. An object's file makes it on each read (emit.ts): the writer reads it as
   * it writes, so serializing overlaps the I/O and no build holds a fleet's texts at once.
   */
  readonly content: string;
}
