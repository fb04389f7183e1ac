// Fields the API server sets, as a `kubectl get -o yaml` dump of a live cluster carries them:
// status, metadata.uid / resourceVersion / generation / creationTimestamp / managedFields /
// selfLink and kubectl's last-applied annotation. Rendered objects go to git and then to a
// GitOps tool, which would fight them, so they are dropped. `null` and `status: {}` (what
// `kubectl create --dry-run -o yaml` prints) count as not set and are left as written.
import { isObject } from '../core/cow.js';
import { child, posOf, type SourceRef } from '../core/source.js';
import type { Json, JsonObject } from '../types.js';

const META_FIELDS = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
];
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const isSet = (v: Json | undefined) => v !== undefined && v !== null;

/** The server-set fields present on an object, as paths (`status`, `metadata.uid`, ...). */
export function serverFields(v: JsonObject): string[] {
  const found: string[] = [];
  if (isSet(v.status) && !(isObject(v.status) && Object.keys(v.status).length === 0)) found.push('status');
  const meta = isObject(v.metadata) ? v.metadata : {};
  for (const f of META_FIELDS) if (isSet(meta[f])) found.push(`metadata.${f}`);
  if (isObject(meta.annotations) && isSet(meta.annotations[LAST_APPLIED]))
    found.push(`metadata.annotations.${LAST_APPLIED}`);
  return found;
}

/** The object without the fields serverFields finds (copies only what changes). */
export function withoutServerFields(v: JsonObject): JsonObject {
  const found = serverFields(v);
  if (found.length === 0) return v;
  const out: JsonObject = { ...v };
  if (found.includes('status')) delete out.status;
  const meta: JsonObject = { ...(isObject(v.metadata) ? v.metadata : {}) };
  for (const f of META_FIELDS) if (found.includes(`metadata.${f}`)) delete meta[f];
  if (isObject(meta.annotations) && isSet(meta.annotations[LAST_APPLIED])) {
    const annotations = { ...meta.annotations };
    delete annotations[LAST_APPLIED];
    if (Object.keys(annotations).length) meta.annotations = annotations;
    else delete meta.annotations;
  }
  out.metadata = meta;
  return out;
}

/** Per file: where the first server-set field is, which fields, on how many objects. */
export type DumpedFields = Map<string, { at: SourceRef; fields: Set<string>; objects: number }>;

/**
 * The object without server-set fields, on itself and on a template (`spec.template` of a
 * federated object; a dumped FederatedDeployment carries them on the wrapper, a dumped plain
 * object on itself); what was found is counted per file for one warning each.
 */
export function stripServerFields(value: JsonObject, at: SourceRef, dumped: DumpedFields): JsonObject {
  const spec = isObject(value.spec) ? value.spec : undefined;
  const template = spec && isObject(spec.template) ? spec.template : undefined;
  const found = [
    ...serverFields(value),
    ...(template ? serverFields(template).map((f) => `spec.template.${f}`) : []),
  ];
  if (found.length === 0) return value;
  const file = posOf(at).file;
  const d = dumped.get(file) ?? {
    at: child(at, ...(found[0] ?? '').split('.').slice(0, 2)),
    fields: new Set(),
    objects: 0,
  };
  for (const f of found) d.fields.add(f.replace(/^spec\.template\./, ''));
  d.objects++;
  dumped.set(file, d);
  const out = withoutServerFields(value);
  return template && spec ? { ...out, spec: { ...spec, template: withoutServerFields(template) } } : out;
}
