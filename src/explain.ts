// `fedrender explain KIND/NAME`: why an object lands where it lands. For each cluster it tells
// the placement decision (own spec, rule or default), what scheduling and the namespace bound
// changed, and which overrides applied, each with the file:line it comes from. Pure: text out.
import { cmp } from './core/diagnostics.js';
import { isObject } from './core/cow.js';
import { posOf, type SourceRef } from './core/source.js';
import { fileNames } from './emit/file-names.js';
import type { Compilation } from './pipeline.js';
import type { PlacementSpec, Resource } from './types.js';

export interface ExplainQuery {
  kind: string;
  name: string;
  namespace?: string;
}

/** Resources matching the query: kind case-insensitive, any namespace unless one is given. */
export function findResources(c: Compilation, q: ExplainQuery): Resource[] {
  return (c.model?.resources ?? []).filter(
    (r) =>
      (r.id.kind.toLowerCase() === q.kind.toLowerCase() ||
        r.federatedKind?.toLowerCase() === q.kind.toLowerCase()) &&
      r.id.name === q.name &&
      (q.namespace === undefined || r.id.namespace === q.namespace),
  );
}

export function explainResource(c: Compilation, r: Resource): string {
  const at = (ref: SourceRef) => {
    const p = posOf(ref);
    return `${p.file}:${p.line}:${p.column}`;
  };
  const lines: string[] = [];
  const origin = r.origin === 'kubefed' ? `${r.federatedKind} at ${at(r.ref)}` : `manifest at ${at(r.ref)}`;
  lines.push(
    `${r.id.kind} ${r.id.namespace ? r.id.namespace + '/' : ''}${r.id.name} (${r.id.apiVersion}), from ${origin}`,
  );
  const placed = c.placed?.get(r) ?? [];
  const how = {
    object: 'its own spec.placement',
    rule: 'placement rule',
    default: 'defaults.placement',
    all: 'no rule or default: every cluster',
  }[r.placement.from];
  lines.push(
    `  placement: ${how}${r.placement.from === 'all' ? '' : ` at ${at(r.placement.ref)}`}: ${describePlacement(r.placement.spec)} -> ${list(placed)}`,
  );
  // One story, in the order the pipeline applies it: a KubeFed RSP replaces the placement and
  // the namespace then bounds the result; a native rule schedules within the placement already
  // bounded by the namespace.
  const scheduled = c.scheduled?.get(r);
  const first = scheduled ? [...scheduled.values()][0] : undefined;
  const afterSchedule = c.scheduledPlacement?.get(r) ?? placed;
  const final = c.placement?.get(r) ?? [];
  const scheduling = () => {
    if (!scheduled || !first) return;
    const planned = [...scheduled].map(([n, o]) => `${n}=${o.replicas}`).join(', ');
    const how =
      first.origin === 'rule'
        ? `replicaScheduling rule at ${at(first.ref)}, among the placed clusters ${list(afterSchedule)}`
        : `ReplicaSchedulingPreference at ${at(first.ref)}, which replaces the placement (as KubeFed) with ${list(afterSchedule)}`;
    lines.push(`  scheduling: ${how}: ${planned || '(no cluster)'}`);
  };
  if (first?.origin !== 'rule') scheduling();
  if (r.scope === 'Namespaced' && r.id.namespace !== undefined) {
    const ns = c.model?.resources.find((x) => x.isNamespace && x.id.name === r.id.namespace);
    const before = first?.origin === 'rule' ? placed : afterSchedule;
    const dropped = before.filter((n) => !final.includes(n));
    if (ns) {
      lines.push(
        `  namespace: ${r.id.namespace} is rendered (${ns.federatedKind ?? 'Namespace'} at ${at(ns.ref)}) in ${list(c.placement?.get(ns) ?? [])}${dropped.length ? `; dropped here: ${dropped.join(', ')}` : ''}`,
      );
    } else if (r.origin === 'kubefed' && before.length && final.length === 0) {
      lines.push(
        `  namespace: ${r.id.namespace} has no FederatedNamespace among the inputs; not rendered (kubefed.scope)`,
      );
    } else {
      lines.push(`  namespace: ${r.id.namespace} is not rendered by fedrender; own placement kept`);
    }
  }
  if (first?.origin === 'rule') scheduling();
  for (const cluster of [...c.clusters].sort(cmp)) {
    const rendered = c.rendered.find((o) => o.resource === r && o.cluster.name === cluster);
    if (!rendered) {
      lines.push(`  ${cluster}: not placed`);
      continue;
    }
    const spec = rendered.body.spec;
    const replicas = isObject(spec) && typeof spec.replicas === 'number' ? `, replicas ${spec.replicas}` : '';
    const ops = rendered.applied.map((a) => `${a.path} (${at(a.ref)})`);
    lines.push(`  ${cluster}: placed${replicas}${ops.length ? `; overrides: ${ops.join(', ')}` : ''}`);
  }
  if (c.shared) lines.push(`  output.layout: shared: ${sharedWhere(c, r)}`);
  return lines.join('\n') + '\n';
}

/** Where the shared layout writes the object: one shared folder, or each cluster's own. */
function sharedWhere(c: Compilation, r: Resource): string {
  const mine = c.rendered.filter((o) => o.resource === r);
  if (mine.length === 0) return 'written nowhere';
  const { names } = fileNames(c.rendered.filter((o) => o.cluster.name === mine[0]!.cluster.name));
  const rel = names.get(mine[0]!);
  // A cluster lists at most one shared folder holding a given path.
  const folder = c.shared?.find(
    (f) =>
      f.clusters.includes(mine[0]!.cluster.name) && c.files.some((file) => file.path === `${f.path}/${rel}`),
  );
  if (rel !== undefined && folder)
    return `written once, ${folder.path}/${rel}, listed by ${folder.clusters.join(', ')}`;
  return mine.length === 1
    ? 'in the cluster folder (one cluster has it)'
    : 'in each cluster folder (it differs between clusters)';
}

function describePlacement(spec: PlacementSpec): string {
  if (Array.isArray(spec.clusters)) return `clusters [${spec.clusters.map((c) => c?.name).join(', ')}]`;
  if (spec.clusterSelector === undefined || spec.clusterSelector === null)
    return 'no clusters and no clusterSelector (selects none)';
  return `clusterSelector ${JSON.stringify(spec.clusterSelector)}`;
}

function list(names: readonly string[]): string {
  return names.length ? names.join(', ') : '(no cluster)';
}
