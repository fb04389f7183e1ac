// Names and labels checked as the API server checks them (apimachinery's validation): object
// names by kind, namespaces as DNS-1123 labels, label keys as qualified names, label values.
// Reported at the source node the value came from, once, not per cluster.
import type { Reporter } from '../core/diagnostics.js';
import { isObject } from '../core/cow.js';
import { formatPointer, posOf, type JsonPath } from '../core/source.js';
import type { RenderedObject } from '../types.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** What a kind's metadata.name must be, as its API validation says. */
function nameRule(group: string, kind: string): { test: (s: string) => boolean; what: string } {
  if (group === '' && kind === 'Namespace')
    return {
      test: (s) => s.length <= 63 && DNS1123_LABEL.test(s),
      what: 'a DNS-1123 label (lower-case letters, digits, "-"; at most 63)',
    };
  if (group === '' && kind === 'Service')
    return {
      test: (s) => s.length <= 63 && DNS1035_LABEL.test(s),
      what: 'a DNS-1035 label (starts with a letter; lower-case letters, digits, "-"; at most 63)',
    };
  if (group === 'rbac.authorization.k8s.io')
    return {
      test: (s) => s !== '.' && s !== '..' && !/[/%]/.test(s) && s.length > 0,
      what: 'a path segment (no "/" or "%", not "." or "..")',
    };
  return {
    test: (s) => s.length <= 253 && DNS1123_SUBDOMAIN.test(s),
    what: 'a DNS-1123 subdomain (lower-case letters, digits, "-" and "."; at most 253)',
  };
}

export function checkNames(rendered: readonly RenderedObject[], reporter: Reporter): void {
  for (const o of rendered) {
    const r = o.resource;
    // Name and namespace come from the federated object's own metadata for KubeFed objects.
    const idAt = (field: string) => posOf(r.ref, ['metadata', field]);
    const rule = nameRule(r.id.group, r.id.kind);
    if (!rule.test(r.id.name))
      reporter.error('INVALID_NAME', idAt('name'), `${r.id.kind} name "${r.id.name}" is not ${rule.what}`);
    if (
      r.id.namespace !== undefined &&
      !(r.id.namespace.length <= 63 && DNS1123_LABEL.test(r.id.namespace))
    ) {
      reporter.error(
        'INVALID_NAME',
        idAt('namespace'),
        `namespace "${r.id.namespace}" is not a DNS-1123 label (lower-case letters, digits, "-"; at most 63)`,
      );
    }
    checkLabels(o, ['metadata', 'labels'], reporter);
    const spec = o.body.spec;
    if (isObject(spec) && isObject(spec.template))
      checkLabels(o, ['spec', 'template', 'metadata', 'labels'], reporter);
  }
}

function checkLabels(o: RenderedObject, path: string[], reporter: Reporter): void {
  let labels: unknown = o.body;
  for (const seg of path) labels = isObject(labels) ? labels[seg] : undefined;
  if (!isObject(labels)) return;
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem)
      reporter.error(
        'INVALID_NAME',
        locate(o, [...path, key], true),
        `label key "${key}" ${keyProblem}${clusterSuffix(o, [...path, key])}`,
      );
    if (typeof value === 'string' && !(value === '' || (value.length <= 63 && QUALIFIED_NAME.test(value)))) {
      reporter.error(
        'INVALID_NAME',
        locate(o, [...path, key], false),
        `label value "${value}" must be at most 63 characters: letters, digits, "-", "_", ".", starting and ending with a letter or digit${clusterSuffix(o, [...path, key])}`,
      );
    }
  }
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !(prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix)))
    return 'has a prefix that is not a DNS-1123 subdomain';
  if (!(name.length <= 63 && QUALIFIED_NAME.test(name)))
    return 'must be a qualified name: at most 63 letters, digits, "-", "_", ".", starting and ending with a letter or digit, with an optional DNS prefix and "/"';
  return undefined;
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

function overrideFor(o: RenderedObject, path: JsonPath) {
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
