// Two compilations -> per-cluster object changes and replica counts. Objects are matched by
// cluster and identity (group, kind, namespace, name); bodies are compared field by field
// (object-diff.ts). Every new value names its input (provenance.ts); Secret data never leaves
// here unredacted (redact.ts).
import { cmp } from '../core/diagnostics.js';
import { isObject } from '../core/cow.js';
import { formatPointer, type SourceRef } from '../core/source.js';
import { withoutEmptyMetadataMaps } from '../emit/emit.js';
import type { Compilation } from '../pipeline.js';
import type { Cluster, RenderedObject, Resource } from '../types.js';
import { diffValues } from './object-diff.js';
import { refPos, valueSource } from './provenance.js';
import { redactFields } from './redact.js';
import type { DiffObject, ObjectChange, ReplicaChange } from './types.js';

/** One side of the diff: its compilation (absent when the revision has no federation.yaml). */
export interface Side {
  label: string;
  compilation?: Compilation;
}

export interface Comparison {
  changes: ObjectChange[];
  replicas: ReplicaChange[];
  baseClusters: string[];
  headClusters: string[];
  /** Object key -> clusters that have it on both sides (where a change could have reached). */
  present: Map<string, string[]>;
  /** Object key -> cluster -> its head rendering, for explaining why a change skips a cluster. */
  head: Map<string, Map<string, RenderedObject>>;
  base: Map<string, Map<string, RenderedObject>>;
}

const keys = new WeakMap<Resource, string>();

/** Identity across revisions: group, kind, namespace, name (one Resource renders in many clusters). */
export function objectKey(r: Resource): string {
  let k = keys.get(r);
  if (k === undefined)
    keys.set(r, (k = [r.id.kind, r.id.namespace ?? '', r.id.name, r.id.group].join('\u0000')));
  return k;
}

export function diffObject(r: Resource): DiffObject {
  return {
    apiVersion: r.id.apiVersion,
    kind: r.id.kind,
    ...(r.id.namespace !== undefined ? { namespace: r.id.namespace } : {}),
    name: r.id.name,
  };
}

/** Key -> cluster -> rendered object, for the clusters in `only` (all when undefined). */
function index(c: Compilation | undefined, only: Set<string> | undefined) {
  const out = new Map<string, Map<string, RenderedObject>>();
  for (const o of c?.rendered ?? []) {
    if (only && !only.has(o.cluster.name)) continue;
    const k = objectKey(o.resource);
    let m = out.get(k);
    if (!m) out.set(k, (m = new Map<string, RenderedObject>()));
    m.set(o.cluster.name, o);
  }
  return out;
}

export function compare(base: Side, head: Side, only?: string[]): Comparison {
  const sel = only?.length ? new Set(only) : undefined;
  const names = (s: Side) =>
    (s.compilation?.config?.clusters ?? []).map((c) => c.name).filter((n) => !sel || sel.has(n));
  const baseClusters = names(base);
  const headClusters = names(head);
  const b = index(base.compilation, sel);
  const h = index(head.compilation, sel);
  const headResources = new Map((head.compilation?.model?.resources ?? []).map((r) => [objectKey(r), r]));
  const baseResources = new Set((base.compilation?.model?.resources ?? []).map(objectKey));
  const clusterRef = (s: Side, name: string) =>
    s.compilation?.config?.clusters.find((c: Cluster) => c.name === name)?.ref;

  const changes: ObjectChange[] = [];
  const replicas: ReplicaChange[] = [];
  const present = new Map<string, string[]>();
  const keys = [...new Set([...b.keys(), ...h.keys()])].sort(cmp);
  for (const key of keys) {
    const before = b.get(key) ?? new Map<string, RenderedObject>();
    const after = h.get(key) ?? new Map<string, RenderedObject>();
    const clusters = [...new Set([...before.keys(), ...after.keys()])].sort(cmp);
    const both: string[] = [];
    for (const cluster of clusters) {
      const o1 = before.get(cluster);
      const o2 = after.get(cluster);
      if (o1 && o2) {
        both.push(cluster);
        const raw = diffValues(withoutEmptyMetadataMaps(o1.body), withoutEmptyMetadataMaps(o2.body));
        if (raw.length === 0) continue;
        const fields = raw.map((f) => ({
          path: formatPointer(f.path),
          ...('from' in f ? { from: f.from } : {}),
          ...('to' in f ? { to: f.to } : {}),
          source: valueSource(head.compilation!, o2, f.path),
        }));
        const object = diffObject(o2.resource);
        changes.push({ cluster, action: 'changed', object, fields: redactFields(object, fields) });
      } else if (o2) {
        // Why it arrives: a new cluster, a placement that now selects it, or a new object.
        const ref = !baseClusters.includes(cluster)
          ? clusterRef(head, cluster)
          : baseResources.has(key)
            ? o2.resource.placement.ref
            : o2.resource.ref;
        changes.push({
          cluster,
          action: 'added',
          object: diffObject(o2.resource),
          fields: [],
          ...(ref ? { source: refPos(ref) } : {}),
        });
      } else if (o1) {
        // Why it goes: the cluster left, its namespace no longer goes there, the placement no
        // longer selects it, or the object is gone.
        const still = headResources.get(key);
        const gone = !headClusters.includes(cluster);
        const source = gone
          ? refPosOr(clusterRef(base, cluster), base.label)
          : still
            ? refPos(namespaceCause(head.compilation, still, cluster) ?? still.placement.ref)
            : refPos(o1.resource.ref, base.label);
        changes.push({
          cluster,
          action: 'removed',
          object: diffObject(o1.resource),
          fields: [],
          ...(source ? { source } : {}),
          prune: true,
        });
      }
    }
    present.set(key, both);
    const rc = replicaChange(head.compilation, before, after, clusters);
    if (rc) replicas.push(rc);
  }
  changes.sort((x, y) => cmp(x.cluster, y.cluster));
  return { changes, replicas, baseClusters, headClusters, present, head: h, base: b };
}

/**
 * The placement of the resource's namespace, when that is what keeps it from `cluster`: the
 * namespace is rendered but not there (KubeFed's namespace bound, which scheduling follows too).
 */
function namespaceCause(c: Compilation | undefined, r: Resource, cluster: string): SourceRef | undefined {
  if (!c || r.id.namespace === undefined) return undefined;
  const ns = c.model?.resources.find((n) => n.isNamespace && n.id.name === r.id.namespace);
  if (!ns || (c.placement?.get(ns) ?? []).includes(cluster)) return undefined;
  return ns.placement.ref;
}

function refPosOr(ref: Parameters<typeof refPos>[0] | undefined, label: string): string | undefined {
  return ref ? refPos(ref, label) : undefined;
}

/** Kinds whose replicas default to 1 when the field is absent (their API defaulting). */
const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

function replicasOf(o: RenderedObject | undefined): number | undefined {
  if (!o) return undefined;
  const spec = o.body.spec;
  if (isObject(spec) && typeof spec.replicas === 'number') return spec.replicas;
  return SCALABLE.has(o.resource.id.kind) && o.resource.id.group === 'apps' ? 1 : undefined;
}

function replicaChange(
  head: Compilation | undefined,
  before: Map<string, RenderedObject>,
  after: Map<string, RenderedObject>,
  clusters: string[],
): ReplicaChange | undefined {
  const rows: ReplicaChange['clusters'] = [];
  let scalable = false;
  let changed = false;
  for (const cluster of clusters) {
    const r1 = replicasOf(before.get(cluster));
    const o2 = after.get(cluster);
    const r2 = replicasOf(o2);
    if (r1 === undefined && r2 === undefined) continue;
    scalable = true;
    const from = r1 ?? 0;
    const to = r2 ?? 0;
    if (from !== to) changed = true;
    rows.push({
      cluster,
      from,
      to,
      ...(o2 && head && r2 !== undefined ? { source: valueSource(head, o2, ['spec', 'replicas']) } : {}),
    });
  }
  if (!scalable || !changed) return undefined;
  const any = after.values().next().value ?? before.values().next().value!;
  return {
    object: diffObject(any.resource),
    clusters: rows,
    total: { from: rows.reduce((n, r) => n + r.from, 0), to: rows.reduce((n, r) => n + r.to, 0) },
  };
}
