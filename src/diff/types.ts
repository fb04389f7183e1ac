// The shapes `fedrender diff` computes and prints: per-cluster object changes (SPEC §6's JSON),
// the same changes grouped across clusters, replica counts before and after, and safety flags.
// Values are plain JSON; Secret data is redacted before anything lands here.
import type { Json } from '../types.js';

/** Identity of an object in a cluster, as SPEC §6's JSON names it. */
export interface DiffObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** One changed field: absent `from` = added, absent `to` = removed. */
export interface FieldChange {
  /** RFC 6901 pointer into the head object (the base object for a removed list item). */
  path: string;
  from?: Json;
  to?: Json;
  /** `file:line:col` of the input that produced the new value (or the place it was removed). */
  source?: string;
}

export type Action = 'added' | 'removed' | 'changed';

export interface ObjectChange {
  cluster: string;
  action: Action;
  object: DiffObject;
  /** For `changed`: the fields. Empty for added and removed objects. */
  fields: FieldChange[];
  /** Added: where the object is defined; removed: what no longer places it here, if known. */
  source?: string;
  /** Removed objects are pruned by Argo CD / Flux when their prune is on. */
  prune?: boolean;
}

/** The same change in several clusters, shown once. */
export interface ChangeGroup {
  action: Action;
  object: DiffObject;
  clusters: string[];
  fields: FieldChange[];
  source?: string;
  /** Clusters that have the object on both sides but not this change, and why when known. */
  skipped: { cluster: string; reason?: string }[];
}

/** Replicas of one workload per cluster; a cluster absent on one side has 0 there. */
export interface ReplicaChange {
  object: DiffObject;
  clusters: { cluster: string; from: number; to: number; source?: string }[];
  total: { from: number; to: number };
}

export type FlagKind =
  | 'cluster-added'
  | 'cluster-removed'
  | 'namespace-removed'
  | 'object-removed'
  | 'object-moved'
  | 'replicas-to-zero'
  | 'replicas-halved';

export interface SafetyFlag {
  kind: FlagKind;
  message: string;
  object?: DiffObject;
  clusters: string[];
}

export interface DiffSummary {
  clustersChanged: number;
  added: number;
  removed: number;
  changed: number;
}

export interface ClusterSummary {
  cluster: string;
  added: number;
  removed: number;
  changed: number;
  /** Present on one side only. */
  status?: 'added' | 'removed';
}

export interface DiffReport {
  base: string;
  head: string;
  summary: DiffSummary;
  clusters: ClusterSummary[];
  flags: SafetyFlag[];
  changes: ObjectChange[];
  groups: ChangeGroup[];
  replicas: ReplicaChange[];
}
