// Where each rendered object lands: <cluster>/<namespace>/<kind>-<name>.yaml, or
// <cluster>/_cluster/... for cluster-scoped objects. Every segment is made safe, so no name,
// namespace or cluster name (`..`, `/`, ...) can escape the output directory.
import { cmp } from '../core/diagnostics.js';
import type { RenderedObject } from '../types.js';

export const CLUSTER_SCOPED_DIR = '_cluster';

/**
 * A path segment that is safe on every file system: characters outside [A-Za-z0-9._-] and a
 * segment made only of dots are percent-encoded (reversible, deterministic).
 */
export function safeSegment(s: string): string {
  if (s === '') return '%00';
  let out = '';
  for (const ch of s) {
    out += /^[A-Za-z0-9._-]$/.test(ch)
      ? ch
      : [...Buffer.from(ch, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
  }
  return /^\.+$/.test(out) ? out.replace(/\./g, '%2E') : out;
}

/**
 * File names for one cluster's objects. `<kind>-<name>.yaml` with the lower-case kind; when two
 * objects in one folder share kind and name but not API group, each of them gets the suffix
 * `_<group>` (`_core` for the core group). `_` never appears in valid names or groups, so the
 * suffixed names cannot clash with unsuffixed ones.
 */
export function fileNames(objects: readonly RenderedObject[]): Map<RenderedObject, string> {
  const base = new Map<RenderedObject, string>();
  const groups = new Map<string, Set<string>>();
  for (const o of objects) {
    const id = o.resource.id;
    const dir =
      o.resource.scope === 'Cluster' || id.namespace === undefined
        ? CLUSTER_SCOPED_DIR
        : safeSegment(id.namespace);
    const stem = `${dir}/${safeSegment(id.kind.toLowerCase())}-${safeSegment(id.name)}`;
    base.set(o, stem);
    groups.set(stem, (groups.get(stem) ?? new Set()).add(id.group));
  }
  const out = new Map<RenderedObject, string>();
  for (const [o, stem] of base) {
    const clash = (groups.get(stem)?.size ?? 0) > 1;
    out.set(o, clash ? `${stem}_${safeSegment(o.resource.id.group || 'core')}.yaml` : `${stem}.yaml`);
  }
  return out;
}

/**
 * kustomize's legacy apply order (its SortOrderTransformer): Namespaces, quotas, storage, CRDs,
 * RBAC, config, services, volumes and workloads first, webhooks last, the rest between sorted
 * by group, version and kind; then by namespace and name.
 */
const ORDER_FIRST = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

function rank(kind: string): number {
  const first = ORDER_FIRST.indexOf(kind);
  if (first >= 0) return first - ORDER_FIRST.length;
  const last = ORDER_LAST.indexOf(kind);
  return last >= 0 ? 1 + last : 0;
}

function gvkString(o: RenderedObject): string {
  const { group, apiVersion, kind } = o.resource.id;
  const version = apiVersion.slice(apiVersion.lastIndexOf('/') + 1);
  return [group || '~G', version || '~V', kind || '~K'].join('_');
}

export function compareApplyOrder(a: RenderedObject, b: RenderedObject): number {
  const ra = rank(a.resource.id.kind);
  const rb = rank(b.resource.id.kind);
  if (ra !== rb) return ra - rb;
  const ga = gvkString(a);
  const gb = gvkString(b);
  if (ga !== gb) return cmp(ga, gb);
  const ia = `${a.resource.id.namespace || '~X'}|${a.resource.id.name}`;
  const ib = `${b.resource.id.namespace || '~X'}|${b.resource.id.name}`;
  return cmp(ia, ib);
}
