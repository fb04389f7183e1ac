// Shared types of the pipeline: the parsed federation, the resources it federates, and what
// each stage hands to the next. Values are plain JSON, deep-frozen once loaded, so per-cluster
// copies can share every subtree they do not change (see core/cow.ts).
import type { SourceRef } from './core/source.js';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export interface Cluster {
  name: string;
  labels: Record<string, string>;
  server?: string;
  ref: SourceRef;
  /** Defined by a KubeFedCluster object among the inputs, not by federation.yaml. */
  fromKubeFedCluster?: boolean;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** KubeFed's placement shape. `clusters` present (even empty) wins over `clusterSelector`. */
export interface PlacementSpec {
  clusters?: { name: string }[] | null;
  clusterSelector?: LabelSelector | null;
}

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

/** The typed overriders of a native override entry (Karmada's names and shapes). */
export interface TypedOverriders {
  imageOverrider?: Located<JsonObject[]>;
  labelsOverrider?: Located<JsonObject[]>;
  annotationsOverrider?: Located<JsonObject[]>;
  commandOverrider?: Located<JsonObject[]>;
  argsOverrider?: Located<JsonObject[]>;
  envOverrider?: Located<JsonObject[]>;
}

/** The typed overriders in the order SPEC applies them, before the entry's clusterOverrides. */
export const TYPED_OVERRIDERS = [
  'imageOverrider',
  'labelsOverrider',
  'annotationsOverrider',
  'commandOverrider',
  'argsOverrider',
  'envOverrider',
] as const satisfies readonly (keyof TypedOverriders)[];

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

export interface MatchSpec {
  kinds?: string[];
  namespaces?: string[];
  names?: string[];
  labelSelector?: LabelSelector;
}

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

/** One cluster's entry in an RSP's `clusters` (KubeFed's ClusterPreferences). */
export interface ClusterPreference {
  weight?: number;
  minReplicas?: number;
  /** Absent (or null) means unbounded, as KubeFed's nil `*int64`. */
  maxReplicas?: number;
}

export interface SchedulingSpec {
  totalReplicas: number;
  rebalance?: boolean;
  intersectWithClusterSelector?: boolean;
  clusters?: Record<string, ClusterPreference>;
}

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

export interface ValidationSettings {
  kubernetesVersion: string;
  crds: string[];
  strict: boolean;
  schemaLocations: string[];
  skipKinds: string[];
  ignoreMissingSchemas: boolean;
}

/** output.argocd: how each cluster's Argo CD Application reads its rendered directory. */
export interface ArgoCdSettings {
  /** spec.source.repoURL; required with gitops: argocd (config.ts reports its absence). */
  repoURL?: string;
  targetRevision: string;
  project: string;
  /** Namespace of the Applications: where Argo CD runs. */
  namespace: string;
  /** The output directory's path in the repository, normalized ('' = its root); unset = computed. */
  path?: string;
  namePrefix: string;
  prune: boolean;
  selfHeal: boolean;
  /** One Application per cluster, or one ApplicationSet generating them. */
  mode: 'application' | 'applicationset';
  syncOptions?: string[];
  ignoreDifferences?: JsonObject[];
  retry?: JsonObject;
  /** Kind -> argocd.argoproj.io/sync-wave set on the rendered objects. */
  syncWaves: Record<string, number>;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** output.flux: where each cluster's Flux Kustomization is written and what it reads. */
export interface FluxSettings {
  /** Relative to federation.yaml's folder: <dir>/<cluster>/<output.name>.yaml. */
  dir: string;
  namespace: string;
  sourceRef: { kind: string; name: string; namespace?: string };
  interval: string;
  /** As ArgoCdSettings.path. */
  path?: string;
  /** spec.decryption: Flux decrypts SOPS documents with it (set by the pipeline when needed). */
  decryption?: FluxDecryption;
  dependsOn?: { name: string; namespace?: string }[];
  wait?: boolean;
  timeout?: string;
  retryInterval?: string;
  targetNamespace?: string;
  postBuild?: JsonObject;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Flux's Kustomization spec.decryption (kustomize.toolkit.fluxcd.io/v1). */
export interface FluxDecryption {
  provider: 'sops';
  secretRef?: { name: string };
  serviceAccountName?: string;
}

export interface OutputSettings {
  dir: string;
  /** The project's name in a fleet repository: names its GitOps objects and files. */
  name: string;
  /** shared: objects identical in every cluster that has them are written once, in _shared/. */
  layout: 'clusters' | 'shared';
  gitops: 'none' | 'argocd' | 'flux';
  allowSecrets: boolean;
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
  kubefedScope: 'Namespaced' | 'Cluster';
  /** KubeFed's own namespace (kubefed.namespace, default kube-federation-system). */
  kubefedNamespace: string;
  /** kubefed.managedLabel: add kubefed.io/managed: "true" after overrides, as KubeFed did. */
  managedLabel: boolean;
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
  applied: { path: string; ref: SourceRef }[];
}

/** One file of the output, relative to the output directory's parent (the project folder). */
export interface OutputFile {
  path: string;
  content: string;
}
