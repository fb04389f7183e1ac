// Stage schedule: ReplicaSchedulingPreferences and native replicaScheduling rules -> replica
// counts per cluster, applied as KubeFed's RSP controller did: the target is placed in every
// candidate (zero-replica ones included) and each gets a /spec/replicas override.
import { cmp, type Reporter } from '../core/diagnostics.js';
import { reportUnknownCluster } from '../load/config.js';
import { isObject } from '../core/cow.js';
import { selectorMatches } from '../core/selector.js';
import { checkSelector } from '../core/selector-check.js';
import { child, posOf, type SourceRef } from '../core/source.js';
import { ruleMatches } from '../model/match.js';
import type { SchedulingPreference } from '../model/build-model.js';
import type { PlacementMap } from '../place.js';
import type {
  Cluster,
  ClusterPreference,
  FederationConfig,
  Json,
  JsonObject,
  ReplicaOverride,
  Resource,
  SchedulingSpec,
} from '../types.js';
import { planReplicas } from './planner.js';

/** Resource -> cluster -> planned replicas. */
export type ScheduleMap = Map<Resource, Map<string, ReplicaOverride>>;

/** KubeFed's RSP controller handled only these targets. */
const RSP_TARGET_KINDS = new Set(['FederatedDeployment', 'FederatedReplicaSet']);

export function scheduleReplicas(
  resources: readonly Resource[],
  preferences: readonly SchedulingPreference[],
  placement: PlacementMap,
  config: FederationConfig,
  reporter: Reporter,
): { placement: PlacementMap; scheduled: ScheduleMap } {
  const out: PlacementMap = new Map(placement);
  const scheduled: ScheduleMap = new Map();
  const nsSelectors = new Map<string, Resource>();
  const nsBounds = new Map<string, Set<string>>();
  for (const r of resources) {
    if (r.isNamespace && r.origin === 'kubefed') nsSelectors.set(r.id.name, r);
    if (r.isNamespace) nsBounds.set(r.id.name, new Set(placement.get(r) ?? []));
  }

  for (const p of preferences) {
    const spec = p.spec;
    if (!checkSpec(spec, p.ref, reporter)) continue;
    if (!RSP_TARGET_KINDS.has(p.targetKind)) {
      reporter.error(
        'RSP_INVALID',
        posOf(p.ref, ['spec', 'targetKind']),
        `targetKind "${p.targetKind}" is not supported; KubeFed schedules FederatedDeployment or FederatedReplicaSet (use a replicaScheduling rule in federation.yaml for other kinds)`,
      );
      continue;
    }
    const target = resources.find(
      (r) =>
        r.federatedKind === p.targetKind && r.id.name === p.name && (r.id.namespace ?? '') === p.namespace,
    );
    if (!target) {
      reporter.error(
        'RSP_NO_TARGET',
        posOf(p.ref, ['metadata', 'name']),
        `ReplicaSchedulingPreference ${p.namespace}/${p.name} has no target: no ${p.targetKind} ${p.namespace}/${p.name} among the inputs`,
      );
      continue;
    }
    let candidates = config.clusters.map((c) => c.name);
    if (spec.intersectWithClusterSelector) {
      const picked = intersectCandidates(p, target, nsSelectors.get(p.namespace), config.clusters, reporter);
      if (!picked) continue;
      candidates = picked;
    }
    apply(
      target,
      spec,
      child(p.ref, 'spec'),
      'kubefed',
      candidates,
      config.clusters,
      out,
      scheduled,
      reporter,
    );
  }

  for (const rule of config.replicaScheduling) {
    if (!checkSpec(rule.spec, rule.ref, reporter, [])) continue;
    const targets = resources.filter((r) => !r.isNamespace && ruleMatches(rule.match, r));
    if (targets.length === 0)
      reporter.strictWarning('UNUSED_RULE', posOf(rule.ref), 'this replicaScheduling rule matches no object');
    for (const r of targets) {
      if (scheduled.has(r)) {
        reporter.warning(
          'RSP_INVALID',
          posOf(rule.ref),
          `${r.id.kind} ${r.id.name} is already scheduled by a ReplicaSchedulingPreference; this rule is ignored for it`,
        );
        continue;
      }
      if (!isScalable(r)) {
        reporter.strictWarning(
          'RSP_INVALID',
          posOf(rule.ref),
          `${r.id.kind} ${r.id.name} has no /spec/replicas to schedule; skipped`,
        );
        continue;
      }
      // Native rules (fedrender's own) schedule within placement: the clusters the object's
      // rule, default or own spec places it in, bounded by its namespace; "*" is each of them.
      const bound = r.scope === 'Namespaced' && r.id.namespace ? nsBounds.get(r.id.namespace) : undefined;
      const candidates = (placement.get(r) ?? []).filter((c) => !bound || bound.has(c));
      apply(r, rule.spec, rule.ref, 'rule', candidates, config.clusters, out, scheduled, reporter);
    }
  }
  return { placement: out, scheduled };
}

function apply(
  target: Resource,
  spec: CheckedSpec,
  at: SourceRef,
  origin: 'kubefed' | 'rule',
  candidates: string[],
  clusters: readonly Cluster[],
  placement: PlacementMap,
  scheduled: ScheduleMap,
  reporter: Reporter,
): void {
  const prefs = (spec.clusters ?? {}) as Record<string, ClusterPreference>;
  const known = clusters.map((c) => c.name);
  for (const name of Object.keys(prefs).sort(cmp)) {
    if (name === '*' || known.includes(name)) continue;
    const pos = posOf(at, ['clusters', name], { key: true });
    reportUnknownCluster(reporter, origin, pos, name, clusters, {
      what: 'replica preferences name',
      ignored: 'it',
    });
  }
  const key = target.id.namespace ? `${target.id.namespace}/${target.id.name}` : target.id.name;
  const plan = planReplicas({ totalReplicas: spec.totalReplicas, clusters: prefs, candidates, key });
  if (plan.unplaced > 0) {
    reporter.warning(
      'RSP_UNPLACED',
      posOf(at),
      `${plan.unplaced} of ${spec.totalReplicas} replicas of ${target.id.kind} ${target.id.name} cannot be placed (caps, zero weights or no candidates)`,
    );
  }
  // As KubeFed's RSP plugin: placement becomes every candidate, zero-replica ones included.
  placement.set(target, [...plan.replicas.keys()].sort(cmp));
  const perCluster = new Map<string, ReplicaOverride>();
  for (const [c, n] of plan.replicas) perCluster.set(c, { replicas: n, ref: at, origin });
  scheduled.set(target, perCluster);
}

/**
 * Candidates of `intersectWithClusterSelector`, as KubeFed's RSP plugin (GetResourceClusters ->
 * ComputeNamespacedPlacement with selectorOnly): the target's clusterSelector intersected with
 * its FederatedNamespace's, `clusters` lists ignored. Undefined when KubeFed applied nothing: the
 * FederatedNamespace lookup failed, a selector did not parse, or no cluster was selected.
 */
function intersectCandidates(
  p: SchedulingPreference,
  target: Resource,
  ns: Resource | undefined,
  clusters: readonly Cluster[],
  reporter: Reporter,
): string[] | undefined {
  const at = posOf(p.ref, ['spec', 'intersectWithClusterSelector']);
  const what = `${p.targetKind} ${p.namespace}/${p.name}`;
  const kept = `the preference is not applied and ${what} keeps its own placement and template replicas`;
  if (!ns) {
    reporter.warning(
      'RSP_NOT_APPLIED',
      at,
      `intersectWithClusterSelector reads the FederatedNamespace "${p.namespace}", and there is none among the inputs; KubeFed's lookup failed, so ${kept}`,
    );
    return undefined;
  }
  const sides = [target, ns];
  let valid = true;
  for (const r of sides)
    valid =
      checkSelector(r.placement.spec.clusterSelector, child(r.placement.ref, 'clusterSelector'), reporter) &&
      valid;
  if (!valid) return undefined;
  const picked = clusters
    .filter((c) => sides.every((r) => selectorMatches(r.placement.spec.clusterSelector, c.labels)))
    .map((c) => c.name);
  if (picked.length === 0) {
    reporter.warning(
      'RSP_NOT_APPLIED',
      at,
      `no cluster is selected by the clusterSelectors of ${what} and its FederatedNamespace (a clusters list does not count here); KubeFed scheduled nothing, so ${kept}`,
    );
    return undefined;
  }
  return picked;
}

function isScalable(r: Resource): boolean {
  if (['Deployment', 'ReplicaSet', 'StatefulSet'].includes(r.id.kind)) return true;
  const spec = r.body.spec;
  return isObject(spec) && 'replicas' in spec;
}

/**
 * What checkSpec checks: the numbers the planner reads. The booleans are read as KubeFed's
 * (absent is false) wherever they are used.
 */
type CheckedSpec = Pick<SchedulingSpec, 'totalReplicas' | 'clusters'> & {
  intersectWithClusterSelector?: Json;
};

/**
 * Numbers must be non-negative integers in int32 range (the planner's domain). The shapes are
 * the schemas' (federation.yaml's, and a ReplicaSchedulingPreference's, checked before the
 * model: one with a schema error never gets here); this checks only what they leave open.
 */
function checkSpec(
  spec: SchedulingSpec | JsonObject,
  at: SourceRef,
  reporter: Reporter,
  prefix: (string | number)[] = ['spec'],
): spec is (SchedulingSpec | JsonObject) & CheckedSpec {
  let ok = true;
  const bad = (path: (string | number)[], what: string) => {
    reporter.error('RSP_INVALID', posOf(child(at, ...prefix), path), what);
    ok = false;
  };
  const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 2147483647;
  if (!isCount(spec.totalReplicas))
    bad(
      ['totalReplicas'],
      `totalReplicas must be a non-negative integer, found ${JSON.stringify(spec.totalReplicas)}`,
    );
  for (const [name, pref] of Object.entries(isObject(spec.clusters) ? spec.clusters : {})) {
    if (!isObject(pref)) continue;
    for (const f of ['weight', 'minReplicas', 'maxReplicas'] as const) {
      const v = pref[f];
      if (v === undefined || (v === null && f === 'maxReplicas')) continue;
      if (!isCount(v))
        bad(['clusters', name, f], `${f} must be a non-negative integer, found ${JSON.stringify(v)}`);
    }
  }
  return ok;
}
