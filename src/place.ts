// Stage place: Resources -> the clusters each one is rendered in. Every placement decision is
// made here, in KubeFed's order: the placement each resource asks for (its own spec.placement,
// else the last matching federation.yaml rule, else defaults.placement, else every cluster),
// computed as KubeFed's sync controller did; then replica scheduling (schedule/, which may
// replace it); then the bound of the resource's namespace.
// Invariant: every returned cluster name is a federation cluster; the sets are sorted.
import { cmp, type Reporter } from './core/diagnostics.js';
import { selectorMatches } from './core/selector.js';
import { child, posOf, type SourceRef } from './core/source.js';
import type { Model } from './model/build-model.js';
import { ruleMatches } from './model/match.js';
import { scheduleReplicas, type ScheduleMap } from './schedule/schedule.js';
import { reportUnknownCluster } from './load/config.js';
import { SYSTEM_NAMESPACES } from './core/kubefed-types.js';
import type { Cluster, FederationConfig, PlacementSpec, Resource } from './types.js';

/** Resource -> sorted cluster names. */
export type PlacementMap = Map<Resource, string[]>;

export interface Placement {
  /** By each resource's own spec, rule or default. */
  placed: PlacementMap;
  /** After replica scheduling (a ReplicaSchedulingPreference replaces the placement). */
  scheduledPlacement: PlacementMap;
  /** Final: bounded by each namespaced resource's namespace. */
  placement: PlacementMap;
  scheduled: ScheduleMap;
}

export function place(model: Model, config: FederationConfig, reporter: Reporter): Placement {
  for (const r of model.resources) if (r.origin === 'plain') r.placement = ruleFor(r, config);
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
  return { placed, scheduledPlacement, placement, scheduled };
}

/** A plain manifest's placement: the last matching rule wins, else defaults.placement, else every cluster. */
function ruleFor(r: Resource, config: FederationConfig): Resource['placement'] {
  const rule = [...config.placements].reverse().find((p) => ruleMatches(p.match, r));
  if (rule) return { spec: rule.placement, ref: child(rule.ref, 'placement'), from: 'rule' };
  if (config.defaults.placement)
    return { spec: config.defaults.placement.value, ref: config.defaults.placement.ref, from: 'default' };
  return r.placement;
}

export function placeResources(
  resources: readonly Resource[],
  config: FederationConfig,
  reporter: Reporter,
): PlacementMap {
  const out: PlacementMap = new Map();
  for (const r of resources) {
    // Unknown names in federation.yaml's own rules are errors; in KubeFed objects KubeFed
    // silently dropped them, so they warn (errors under --strict).
    const severity = r.placement.from === 'object' ? 'kubefed' : 'rule';
    out.set(r, computePlacement(r.placement.spec, r.placement.ref, config.clusters, reporter, severity));
  }
  return out;
}

/**
 * KubeFed's placement: a `clusters` list that is present, even empty, wins over
 * `clusterSelector`; a selector `{}` selects every cluster, an absent or null one none.
 */
export function computePlacement(
  spec: PlacementSpec,
  at: SourceRef,
  clusters: readonly Cluster[],
  reporter: Reporter,
  severity: 'kubefed' | 'rule',
): string[] {
  if (Array.isArray(spec.clusters)) {
    const known = new Set(clusters.map((c) => c.name));
    const picked = new Set<string>();
    spec.clusters.forEach((c, i) => {
      const name = c?.name;
      if (typeof name !== 'string') return;
      if (known.has(name)) {
        picked.add(name);
        return;
      }
      const pos = posOf(child(at, 'clusters', i, 'name'));
      reportUnknownCluster(reporter, severity, pos, name, clusters, { ignored: 'it' });
    });
    return [...picked].sort(cmp);
  }
  return clusters
    .filter((c) => selectorMatches(spec.clusterSelector, c.labels))
    .map((c) => c.name)
    .sort(cmp);
}

/**
 * KubeFed's namespace rule (ComputeNamespacedPlacement): a namespaced resource whose namespace
 * is itself rendered (a Namespace or FederatedNamespace among the inputs) goes only to clusters
 * that get the namespace. Otherwise a plain manifest keeps its own placement, with a warning
 * (none in default, kube-system, kube-public). A Federated<Kind> follows `kubefed.scope`:
 * Cluster (KubeFed's default install) propagated nothing there; Namespaced propagated only
 * objects in `kubefed.namespace` (placed as they say when no FederatedNamespace bounds them) and
 * no cluster-scoped type at all (the FTC controller never started their sync controllers).
 */
export function boundByNamespace(
  placement: PlacementMap,
  config: FederationConfig,
  reporter: Reporter,
  onDrop?: (r: Resource, dropped: string[]) => void,
): PlacementMap {
  const nsClusters = new Map<string, Set<string>>();
  for (const [r, clusters] of placement) {
    if (r.isNamespace) nsClusters.set(r.id.name, new Set(clusters));
  }
  const limited = config.kubefedScope === 'Namespaced';
  const unrendered = new Map<string, Resource[]>();
  const out: PlacementMap = new Map();
  const drop = (r: Resource, clusters: string[]) => {
    if (clusters.length && onDrop) onDrop(r, clusters);
    out.set(r, []);
  };
  for (const [r, clusters] of placement) {
    const ns = r.id.namespace;
    const kubefed = r.origin === 'kubefed';
    if (kubefed && limited && r.scope === 'Cluster') {
      reporter.warning(
        'NAMESPACE_NOT_RENDERED',
        posOf(r.ref, ['kind']),
        `${describeOne(r)} is not rendered: a namespace-scoped KubeFed (kubefed.scope: Namespaced) never propagated cluster-scoped types`,
      );
      drop(r, clusters);
      continue;
    }
    if (r.scope !== 'Namespaced' || ns === undefined) {
      out.set(r, clusters);
      continue;
    }
    if (kubefed && limited && ns !== config.kubefedNamespace) {
      reporter.warning(
        'NAMESPACE_NOT_RENDERED',
        posOf(r.ref, ['metadata', 'namespace']),
        `${describeOne(r)} is not rendered: a namespace-scoped KubeFed (kubefed.scope: Namespaced) propagated only objects in its own namespace "${config.kubefedNamespace}" (kubefed.namespace)`,
      );
      drop(r, clusters);
      continue;
    }
    const bound = nsClusters.get(ns);
    if (bound) {
      const kept = clusters.filter((c) => bound.has(c));
      const dropped = clusters.filter((c) => !bound.has(c));
      if (dropped.length && onDrop) onDrop(r, dropped);
      out.set(r, kept);
      continue;
    }
    if (kubefed && !limited) {
      // Deployed cluster-wide, KubeFed propagated nothing in a namespace without a
      // FederatedNamespace, system namespaces included.
      unrendered.set(`${ns}\u0000kubefed`, [...(unrendered.get(`${ns}\u0000kubefed`) ?? []), r]);
      drop(r, clusters);
      continue;
    }
    // Plain manifests, and a namespace-scoped KubeFed's own namespace, which exists everywhere.
    if (!kubefed && !SYSTEM_NAMESPACES.has(ns))
      unrendered.set(`${ns}\u0000plain`, [...(unrendered.get(`${ns}\u0000plain`) ?? []), r]);
    out.set(r, clusters);
  }
  for (const [key, list] of [...unrendered].sort((a, b) => cmp(a[0], b[0]))) {
    const [ns = '', kind] = key.split('\u0000');
    const first = list[0];
    if (!first) continue; // never: a list is created with its first resource
    const what = list.length === 1 ? describeOne(first) : `${list.length} resources`;
    const pos = posOf(first.ref, ['metadata', 'namespace']);
    const head = `namespace "${ns}" is not rendered (no Namespace or FederatedNamespace for it among the inputs)`;
    if (kind === 'plain')
      reporter.warning(
        'NAMESPACE_NOT_RENDERED',
        pos,
        `${head}; ${what} in it: ${list.length === 1 ? 'it keeps its' : 'they keep their'} own placement`,
      );
    else
      reporter.strictWarning(
        'NAMESPACE_NOT_RENDERED',
        pos,
        `${head}; ${what} in it: ${list.length === 1 ? 'it is' : 'they are'} not rendered, as a cluster-wide KubeFed (kubefed.scope: Cluster) propagated nothing there`,
      );
  }
  return out;
}

function describeOne(r: Resource): string {
  return `${r.federatedKind ?? r.id.kind} ${r.id.name}`;
}
