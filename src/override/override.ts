// Stage override: (Resource, its clusters) -> one RenderedObject per cluster. Each cluster patches
// its own copy-on-write copy: the object's own overrides first, then federation.yaml's rules in
// file order, KubeFed's checks first (forbidden paths, a cluster or path listed twice). Within a
// rule's entry, its typed overriders (Karmada's) go first, then its clusterOverrides (SPEC).
import { cmp, type Reporter } from '../core/diagnostics.js';
import { obj } from '../core/json-read.js';
import { selectorMatches } from '../core/selector.js';
import { child, formatPointer, parsePointer, posOf, type JsonPath, type SourceRef } from '../core/source.js';
import { reportUnknownCluster } from '../load/config.js';
import type {
  Cluster,
  Json,
  JsonObject,
  OverrideEntry,
  OverrideList,
  OverrideOp,
  RenderedObject,
  ReplicaOverride,
  Resource,
} from '../types.js';
import { applyPatch } from './apply-patch.js';
import { expandVariables, resolveSelectors } from './native-paths.js';
import { typedItems, typedOverriderOps, type TypedItem } from './typed-overriders.js';

/** KubeFed refuses these: they associate the member object with its federated source. */
const FORBIDDEN_PATHS = new Set(['/metadata/name', '/metadata/namespace', '/metadata/generateName', '/kind']);

export function renderResource(
  r: Resource,
  clusters: readonly Cluster[],
  scheduled: Map<string, ReplicaOverride> | undefined,
  allClusters: readonly Cluster[],
  reporter: Reporter,
  opts: { managedLabel?: boolean } = {},
): RenderedObject[] {
  let valid = true;
  for (const list of r.overrides) valid = checkList(list, allClusters, reporter) && valid;
  // KubeFed refused the whole resource when its overrides were invalid.
  if (!valid) return [];
  if (r.verbatim !== undefined && !unpatched(r, clusters, scheduled, reporter)) return [];
  const out: RenderedObject[] = [];
  for (const cluster of [...clusters].sort((a, b) => cmp(a.name, b.name))) {
    const rendered = renderForCluster(r, cluster, scheduled?.get(cluster.name), reporter);
    if (rendered && opts.managedLabel) rendered.body = withManagedLabel(rendered.body);
    if (rendered) out.push(rendered);
  }
  return out;
}

/**
 * A SOPS-encrypted document is emitted as written: an override or scheduled replicas that would
 * change it in any of its clusters is an error at the operation (once, whatever the clusters).
 */
function unpatched(
  r: Resource,
  clusters: readonly Cluster[],
  scheduled: Map<string, ReplicaOverride> | undefined,
  reporter: Reporter,
): boolean {
  const refs = new Set<SourceRef>();
  for (const cluster of clusters)
    for (const p of opsFor(r, cluster, scheduled?.get(cluster.name)))
      refs.add('item' in p ? p.ref : p.op.ref);
  for (const at of refs) {
    reporter.error(
      'SOPS_MAC',
      posOf(at),
      `this would change SOPS-encrypted ${describe(r)}, whose MAC covers every value as written, so Flux could not decrypt it`,
      'narrow the rule so it does not match this object, or change the encrypted document itself (sops edit)',
    );
  }
  return refs.size === 0;
}

/** Duplicate clusters, duplicate paths, forbidden paths and unknown clusters of one list. */
function checkList(list: OverrideList, clusters: readonly Cluster[], reporter: Reporter): boolean {
  let ok = true;
  const seen = new Set<string>();
  const known = new Set(clusters.map((c) => c.name));
  for (const e of list.entries) {
    if ('clusterName' in e.target) {
      const name = e.target.clusterName;
      if (seen.has(name)) {
        reporter.error(
          'DUPLICATE_OVERRIDE',
          posOf(e.ref, ['clusterName']),
          `cluster "${name}" appears more than once in these overrides`,
        );
        ok = false;
      }
      seen.add(name);
      if (!known.has(name)) {
        const pos = posOf(e.ref, ['clusterName']);
        reportUnknownCluster(reporter, e.origin, pos, name, clusters, { ignored: 'these overrides' });
      }
    }
    const paths = new Set<string>();
    for (const op of e.ops) {
      if (paths.has(op.path)) {
        reporter.error(
          'DUPLICATE_OVERRIDE',
          posOf(op.ref, ['path']),
          `path "${op.path}" appears more than once for ${targetName(e)}`,
        );
        ok = false;
      }
      paths.add(op.path);
      if (FORBIDDEN_PATHS.has(op.path)) {
        reporter.error(
          'FORBIDDEN_PATH',
          posOf(op.ref, ['path']),
          `path "${op.path}" cannot be overridden: name, namespace and kind identify the object`,
        );
        ok = false;
      }
    }
  }
  return ok;
}

function targetName(e: OverrideEntry): string {
  return 'clusterName' in e.target ? `cluster "${e.target.clusterName}"` : 'this clusterSelector';
}

function targets(e: OverrideEntry, cluster: Cluster): boolean {
  return 'clusterName' in e.target
    ? e.target.clusterName === cluster.name
    : selectorMatches(e.target.clusterSelector, cluster.labels);
}

interface PlannedOp {
  op: OverrideOp;
  value?: Json;
  native: boolean;
}

/**
 * A typed overrider item (the shared one, as typedItems made it: one per entry, not per copy):
 * its operations depend on the body as it stands when it is reached.
 */
type Planned = PlannedOp | TypedItem;

/**
 * The operations for one cluster, in order. Scheduled replicas replace the value of every
 * `/spec/replicas` operation for the cluster in place, op kept (a `remove` still removes), as
 * KubeFed's RSP controller did, or are appended after the object's own overrides when there is
 * none.
 */
function opsFor(r: Resource, cluster: Cluster, scheduled: ReplicaOverride | undefined): Planned[] {
  const ops: Planned[] = [];
  let replaced = false;
  let ownEnd = 0;
  for (const list of r.overrides) {
    for (const e of list.entries) {
      if (!targets(e, cluster)) continue;
      for (const t of typedItems(e.typed)) ops.push(t);
      for (const op of e.ops) {
        if (scheduled && op.path === '/spec/replicas') {
          // KubeFed's updateOverridesMap sets the value and keeps the op: `remove` stays remove.
          ops.push({
            op: { ...op, op: op.op === 'merge' ? 'replace' : op.op },
            value: op.op === 'remove' ? undefined : scheduled.replicas,
            native: false,
          });
          replaced = true;
        } else {
          ops.push({ op, value: op.value, native: list.origin === 'rule' });
        }
      }
    }
    if (list.origin === 'object') ownEnd = ops.length;
  }
  if (scheduled && !replaced) {
    const op: OverrideOp = {
      op: 'replace',
      path: '/spec/replicas',
      value: scheduled.replicas,
      hasValue: true,
      ref: scheduled.ref,
    };
    ops.splice(r.origin === 'kubefed' ? ownEnd : ops.length, 0, {
      op,
      value: scheduled.replicas,
      native: false,
    });
  }
  return ops;
}

function renderForCluster(
  r: Resource,
  cluster: Cluster,
  scheduled: ReplicaOverride | undefined,
  reporter: Reporter,
): RenderedObject | undefined {
  let body = r.body;
  const applied: { path: string; ref: SourceRef }[] = [];
  let ok = true;
  for (const planned of opsFor(r, cluster, scheduled)) {
    if ('item' in planned) {
      const next = applyTyped(r, cluster, body, planned, applied, reporter);
      if (next) body = next;
      else ok = false;
      continue;
    }
    const { op, value, native } = planned;
    let segments = parsePointer(op.path);
    let v = value;
    if (native) {
      // `[field=value]` path segments and ${cluster.*} variables: native rules only.
      const resolved = resolveSelectors(body, segments);
      if (!resolved.ok) {
        reporter.error(
          'PATCH_FAILED',
          posOf(op.ref, ['path']),
          `cannot apply override to ${describe(r)} in cluster "${cluster.name}": ${resolved.reason}`,
        );
        ok = false;
        continue;
      }
      segments = resolved.segments;
      if (v !== undefined) {
        const expanded = expandVariables(v, cluster, () => child(op.ref, 'value'), reporter);
        if (expanded === undefined) {
          ok = false;
          continue;
        }
        v = expanded;
      }
    }
    const result = applyPatch(body, { op: op.op, segments, value: v });
    if (!result.ok) {
      reporter.error(
        'PATCH_FAILED',
        posOf(op.ref),
        `cannot apply override to ${describe(r)} in cluster "${cluster.name}": ${result.reason}`,
      );
      ok = false;
      continue;
    }
    if (!sameIdentity(r.body, result.root)) {
      reporter.error(
        'FORBIDDEN_PATH',
        posOf(op.ref, ['path']),
        `override at ${op.path} changes the name, namespace or kind of ${describe(r)} in cluster "${cluster.name}"`,
      );
      ok = false;
      continue;
    }
    body = result.root;
    // The resolved pointer ([name=x] selectors replaced by indices), so lookups by path find it.
    applied.push({ path: pointer(segments), ref: op.ref });
  }
  // A pushed-to array keeps room for 16 more: a copy of its size, as hundreds of thousands live on.
  return ok
    ? { resource: r, cluster, body, applied: applied.length ? applied.slice() : NOTHING_APPLIED }
    : undefined;
}

/**
 * One typed overrider item: its ${cluster.*} expanded, turned into patch operations against the
 * body as it stands, each applied copy-on-write and recorded against the item's line. Undefined
 * (reported at the item, naming the cluster) when it cannot apply.
 */
function applyTyped(
  r: Resource,
  cluster: Cluster,
  body: JsonObject,
  t: TypedItem,
  applied: { path: string; ref: SourceRef }[],
  reporter: Reporter,
): JsonObject | undefined {
  let item = t.item;
  if (item.value !== undefined) {
    const value = expandVariables(item.value, cluster, () => child(t.ref, 'value'), reporter);
    if (value === undefined) return undefined;
    item = { ...item, value };
  }
  const failed = (reason: string) => {
    reporter.error(
      'PATCH_FAILED',
      posOf(t.ref),
      `cannot apply ${t.name} to ${describe(r)} in cluster "${cluster.name}": ${reason}`,
    );
    return undefined;
  };
  const planned = typedOverriderOps(t.name, item, body);
  if (!planned.ok) return failed(planned.reason);
  const records: { path: string; ref: SourceRef }[] = [];
  for (const p of planned.ops) {
    const result = applyPatch(body, p);
    if (!result.ok) return failed(result.reason);
    body = result.root;
    records.push({ path: pointer(p.segments), ref: t.ref });
  }
  // An imageOverrider's predicate path may point anywhere, /metadata/name included.
  if (!sameIdentity(r.body, body)) {
    reporter.error(
      'FORBIDDEN_PATH',
      posOf(t.ref),
      `${t.name} changes the name, namespace or kind of ${describe(r)} in cluster "${cluster.name}"`,
    );
    return undefined;
  }
  for (const x of records) applied.push(x);
  return body;
}

/** KubeFed's AddManagedLabel, after every override: its controllers act only on labelled objects. */
function withManagedLabel(body: JsonObject): JsonObject {
  const result = applyPatch(body, {
    op: 'merge',
    segments: ['metadata', 'labels'],
    value: { [MANAGED_LABEL]: 'true' },
  });
  return result.ok ? result.root : body;
}

export const MANAGED_LABEL = 'kubefed.io/managed';

function sameIdentity(a: JsonObject, b: JsonObject): boolean {
  const am = obj(a.metadata) ?? {};
  const bm = obj(b.metadata) ?? {};
  return a.kind === b.kind && am.name === bm.name && am.namespace === bm.namespace;
}

/** How messages name a resource: as the user wrote it (FederatedDeployment shop/web). */
export function describe(r: Resource): string {
  return `${r.federatedKind ?? r.id.kind} ${r.id.namespace ? r.id.namespace + '/' : ''}${r.id.name}`;
}

const NOTHING_APPLIED: RenderedObject['applied'] = Object.freeze([]);

const pointers = new Map<string, string>();

/**
 * The pointer's text, one string per distinct text: every cluster's copy records the same few
 * paths, and the records live until the files are written (hundreds of thousands at fleet scale).
 */
function pointer(segments: JsonPath): string {
  const text = formatPointer(segments);
  const known = pointers.get(text);
  if (known !== undefined) return known;
  if (pointers.size < 100_000) pointers.set(text, text);
  return text;
}
