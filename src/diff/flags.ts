// Safety flags: the changes a reviewer must not miss in a long diff, computed from the groups
// and replica counts. A removed cluster is one flag (not one per object it held); objects that
// leave some clusters and arrive in others are "moved"; replicas are flagged per cluster.
import { cmp } from '../core/diagnostics.js';
import type { Comparison } from './compare.js';
import type { ChangeGroup, DiffObject, FlagKind, SafetyFlag } from './types.js';

const ORDER: FlagKind[] = [
  'cluster-removed',
  'cluster-added',
  'namespace-removed',
  'object-removed',
  'object-moved',
  'replicas-to-zero',
  'replicas-halved',
];

export function describeObject(o: DiffObject): string {
  return `${o.kind} ${o.namespace ? o.namespace + '/' : ''}${o.name}`;
}

function isNamespace(o: DiffObject): boolean {
  return o.kind === 'Namespace' && o.apiVersion === 'v1';
}

function list(names: readonly string[]): string {
  return names.join(', ');
}

export function safetyFlags(groups: readonly ChangeGroup[], cmpn: Comparison): SafetyFlag[] {
  const flags: SafetyFlag[] = [];
  const removedClusters = cmpn.baseClusters.filter((c) => !cmpn.headClusters.includes(c));
  const addedClusters = cmpn.headClusters.filter((c) => !cmpn.baseClusters.includes(c));
  const countIn = (cluster: string, action: 'added' | 'removed') =>
    groups.filter((g) => g.action === action && g.clusters.includes(cluster)).length;
  for (const c of removedClusters)
    flags.push({
      kind: 'cluster-removed',
      message: `cluster ${c} removed: its ${countIn(c, 'removed')} objects are no longer rendered for it`,
      clusters: [c],
    });
  for (const c of addedClusters)
    flags.push({
      kind: 'cluster-added',
      message: `cluster ${c} added with ${countIn(c, 'added')} objects`,
      clusters: [c],
    });
  const stayed = (cs: string[]) => cs.filter((c) => !removedClusters.includes(c));
  const arrived = new Map<string, string[]>();
  for (const g of groups) {
    if (g.action === 'added') {
      const k = describeObject(g.object);
      arrived.set(k, [...(arrived.get(k) ?? []), ...g.clusters.filter((c) => !addedClusters.includes(c))]);
    }
  }
  // Objects in a namespace that leaves a cluster go with it: its flag says so, once.
  const namespaceGone = new Set<string>();
  for (const g of groups)
    if (g.action === 'removed' && isNamespace(g.object))
      for (const c of g.clusters) namespaceGone.add(`${g.object.name}\u0000${c}`);
  for (const g of groups) {
    if (g.action !== 'removed') continue;
    const from = stayed(g.clusters);
    if (from.length === 0) continue;
    const what = describeObject(g.object);
    const namespace = isNamespace(g.object);
    const to = [...new Set(arrived.get(what) ?? [])].sort(cmp);
    const inGoneNamespace = from.every((c) => namespaceGone.has(`${g.object.namespace ?? ''}\u0000${c}`));
    if (inGoneNamespace && to.length === 0) continue;
    flags.push({
      kind: namespace ? 'namespace-removed' : 'object-removed',
      message: namespace
        ? `namespace ${g.object.name} removed from ${list(from)}: everything in it will be deleted there`
        : `${what} removed from ${list(from)} (Argo CD / Flux will prune it)`,
      object: g.object,
      clusters: from,
    });
    if (to.length)
      flags.push({
        kind: 'object-moved',
        message: `${what} moves from ${list(from)} to ${list(to)}`,
        object: g.object,
        clusters: [...from, ...to].sort(cmp),
      });
  }
  for (const r of cmpn.replicas) {
    const rows = r.clusters.filter((c) => !removedClusters.includes(c.cluster));
    const zero = rows.filter((c) => c.from > 0 && c.to === 0);
    const halved = rows.filter((c) => c.to > 0 && c.to * 2 <= c.from);
    const what = describeObject(r.object);
    if (zero.length)
      flags.push({
        kind: 'replicas-to-zero',
        message: `${what} loses all replicas in ${zero.map((c) => `${c.cluster} (${c.from} -> 0)`).join(', ')}`,
        object: r.object,
        clusters: zero.map((c) => c.cluster),
      });
    if (halved.length)
      flags.push({
        kind: 'replicas-halved',
        message: `${what} replicas drop by half or more in ${halved.map((c) => `${c.cluster} (${c.from} -> ${c.to})`).join(', ')}`,
        object: r.object,
        clusters: halved.map((c) => c.cluster),
      });
  }
  return flags
    .map((f, i) => ({ f, i }))
    .sort((a, b) => ORDER.indexOf(a.f.kind) - ORDER.indexOf(b.f.kind) || a.i - b.i)
    .map(({ f }) => f);
}
