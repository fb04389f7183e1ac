// Fields the API server sets, as a `kubectl get -o yaml` dump of a live cluster carries them:
// status, metadata.uid / resourceVersion / generation / creationTimestamp / managedFields /
// selfLink and kubectl's last-applied annotation. Rendered objects go to git and then to a
// GitOps tool, which would fight them, so they are dropped. `null` and `status: {}` (what
// `kubectl create --dry-run -o yaml` prints) count as not set and are left as written.
import { isObject } from '../core/cow.js';
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
