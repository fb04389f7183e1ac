// Names checked as the API server checks them (apimachinery's validation): object names by kind,
// namespaces as DNS-1123 labels. Labels and annotations are ObjectMeta rules (api-rules.ts).
// Reported at the source node the value came from, once, not per cluster.
import type { Reporter } from '../core/diagnostics.js';
import { formatPointer, posOf, type JsonPath } from '../core/source.js';
import type { RenderedObject } from '../types.js';
import {
  DNS1123_LABEL_WHAT,
  DNS1123_SUBDOMAIN_WHAT,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isPathSegmentName,
} from './k8s-syntax.js';

/**
 * What a kind's metadata.name must be, as its API validation says: ValidateNamespaceName
 * (NameIsDNSLabel), ValidateServiceName (NameIsDNS1035Label), ValidateRBACName
 * (IsValidPathSegmentName), ValidateCronJobCreate (at most 52, the Job name suffix needs 11);
 * every other built-in kind and every custom resource (apiextensions' validator):
 * NameIsDNSSubdomain. A CRD's own name is checked with its schema (crd-schemas.ts).
 */
function nameRule(group: string, kind: string): { test: (s: string) => boolean; what: string } {
  if (group === '' && kind === 'Namespace') return { test: isDns1123Label, what: DNS1123_LABEL_WHAT };
  if (group === '' && kind === 'Service')
    return {
      test: isDns1035Label,
      what: 'a DNS-1035 label (starts with a letter; lower-case letters, digits, "-"; at most 63)',
    };
  if (group === 'rbac.authorization.k8s.io')
    return { test: isPathSegmentName, what: 'a path segment (no "/" or "%", not "." or "..")' };
  if (group === 'batch' && kind === 'CronJob')
    return {
      test: (s) => s.length <= 52 && isDns1123Subdomain(s),
      what: 'a DNS-1123 subdomain of at most 52 characters (the names of its Jobs add 11)',
    };
  return { test: isDns1123Subdomain, what: DNS1123_SUBDOMAIN_WHAT };
}

export function checkNames(rendered: readonly RenderedObject[], reporter: Reporter): void {
  for (const o of rendered) checkName(o, reporter);
}

/** One rendered object's name and namespace. */
export function checkName(o: RenderedObject, reporter: Reporter): void {
  const r = o.resource;
  // Name and namespace come from the federated object's own metadata for KubeFed objects.
  const idAt = (field: string) => posOf(r.ref, ['metadata', field]);
  const rule = nameRule(r.id.group, r.id.kind);
  if (!rule.test(r.id.name))
    reporter.error('INVALID_NAME', idAt('name'), `${r.id.kind} name "${r.id.name}" is not ${rule.what}`);
  if (r.id.namespace !== undefined && !isDns1123Label(r.id.namespace)) {
    reporter.error(
      'INVALID_NAME',
      idAt('namespace'),
      `namespace "${r.id.namespace}" is not a DNS-1123 label (lower-case letters, digits, "-"; at most 63)`,
    );
  }
}

/**
 * Where a rendered value came from: the last override operation that wrote it or one of its
 * parents, else the object's source node (the manifest, or the Federated<Kind>'s template).
 */
export function locate(o: RenderedObject, path: JsonPath, key: boolean) {
  const op = overrideFor(o, path);
  if (op) return posOf(op.ref);
  return posOf(o.resource.bodyRef, path, { key });
}

/** Whether an override operation wrote the value at `path` (or a parent of it). */
export function overridden(o: RenderedObject, path: JsonPath): boolean {
  return overrideFor(o, path) !== undefined;
}

/** The last override operation that wrote `path` or one of its parents in this copy. */
export function overrideFor(o: RenderedObject, path: JsonPath) {
  const pointer = formatPointer(path);
  for (let i = o.applied.length - 1; i >= 0; i--) {
    const applied = o.applied[i]!;
    if (pointer === applied.path || pointer.startsWith(applied.path + '/')) return applied;
  }
  return undefined;
}

/** Names the cluster when an override put the value there (it differs per cluster). */
export function clusterSuffix(o: RenderedObject, path: JsonPath): string {
  return overrideFor(o, path) ? ` (cluster "${o.cluster.name}")` : '';
}
