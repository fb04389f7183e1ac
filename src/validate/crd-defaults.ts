// Structural defaulting, as the API server does it to a custom resource before it validates:
// a property with a `default` that an existing object lacks is set to it. Without this, schemas
// that branch on a defaulted field (Gateway API's `addresses[].type`, default IPAddress, under
// oneOf) would refuse objects the API server accepts.
import { isObject } from '../core/cow.js';
import type { Json, JsonObject } from '../types.js';

/** `value` with the defaults of `schema` (an openAPIV3Schema) filled in; unchanged parts shared. */
export function withDefaults(value: Json, schema: unknown): Json {
  if (!isObject(schema)) return value;
  if (Array.isArray(value)) {
    const items = schema.items;
    if (!isObject(items)) return value;
    const mapped = value.map((v) => withDefaults(v, items));
    return mapped.every((x, i) => x === value[i]) ? value : mapped;
  }
  if (!isObject(value)) return value;
  const props = isObject(schema.properties) ? schema.properties : undefined;
  const additional = isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
  let out: JsonObject | undefined;
  for (const [k, v] of Object.entries(value)) {
    const sub = props && k in props ? props[k] : additional;
    const d = withDefaults(v, sub);
    if (d !== v) (out ??= { ...value })[k] = d;
  }
  for (const [k, s] of Object.entries(props ?? {})) {
    if (k in value || !isObject(s) || s.default === undefined || s.default === null) continue;
    (out ??= { ...value })[k] = withDefaults(structuredClone(s.default), s);
  }
  return out ?? value;
}
