// Stage place: Resources -> the clusters each one is rendered in, exactly as KubeFed's sync
// controller computed placement, then bounded by the placement of the resource's namespace.
// Invariant: every returned cluster name is a federation cluster; the sets are sorted.
import { cmp, type Reporter } from './core/diagnostics.js';
import { selectorMatches } from './core/selector.js';
import { child, posOf, type SourceRef } from './core/source.js';
import { reportUnknownCluster } from './load/config.js';
import { SYSTEM_NAMESPACES } from './core/kubefed-types.js';
import type { Cluster, FederationConfig, PlacementSpec, Resource } from './types.js';

/** Resource -> sorted cluster names. */
export type PlacementMap = Map<Resource, string[]>;

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
 * KubeFed's namespace-scoped rule: a namespaced resource whose namespace is itself rendered (a
 * Namespace or FederatedNamespace among the inputs) goes only to clusters that get the
 * namespace. Otherwise it keeps its own placement, with a warning; with `kubefed.scope:
 * Cluster` (KubeFed deployed cluster-wide) such a resource is not rendered at all.
 * default, kube-system and kube-public exist on every cluster and do not warn (scope Namespaced).
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
  const unrendered = new Map<string, Resource[]>();
  const out: PlacementMap = new Map();
  for (const [r, clusters] of placement) {
    const ns = r.id.namespace;
    if (r.scope !== 'Namespaced' || ns === undefined) {
      out.set(r, clusters);
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
    // Deployed cluster-wide, KubeFed propagated nothing in a namespace without a
    // FederatedNamespace, system namespaces included (computeNamespacedPlacement).
    const clusterScope = config.kubefedScope === 'Cluster';
    if (clusterScope || !SYSTEM_NAMESPACES.has(ns)) unrendered.set(ns, [...(unrendered.get(ns) ?? []), r]);
    if (clusterScope) {
      if (clusters.length && onDrop) onDrop(r, clusters);
      out.set(r, []);
    } else {
      out.set(r, clusters);
    }
  }
  for (const [ns, list] of [...unrendered].sort((a, b) => cmp(a[0], b[0]))) {
    const head = list[0];
    if (!head) continue; // never: a list is created with its first resource
    const what =
      list.length === 1
        ? `${head.federatedKind ?? head.id.kind} ${head.id.name}`
        : `${list.length} resources`;
    const effect =
      config.kubefedScope === 'Cluster'
        ? `${list.length === 1 ? 'it is' : 'they are'} not rendered (kubefed.scope: Cluster)`
        : `${list.length === 1 ? 'it keeps its' : 'they keep their'} own placement`;
    reporter.warning(
      'NAMESPACE_NOT_RENDERED',
      posOf(head.ref, ['metadata', 'namespace']),
      `namespace "${ns}" is not rendered (no Namespace or FederatedNamespace for it among the inputs); ${what} in it: ${effect}`,
    );
  }
  return out;
}
