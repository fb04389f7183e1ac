// Small readers of parsed values whose shape no schema has promised: they narrow by checking,
// so the code that uses them needs no casts.
import type { JsonObject } from '../types.js';
import { isObject } from './cow.js';

/** The value if it is a string. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The value if it is a plain object (a YAML mapping). */
export function obj(v: unknown): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

/** The value if it is an array, its items unknown. */
export function arr(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

/**
 * A value as a message prints it: what `${v}` prints for a scalar or a list of scalars, and JSON
 * for a mapping (where `${v}` would print "[object Object]").
 */
export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => (x === null || x === undefined ? '' : text(x))).join(',');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  if (typeof v === 'function' || typeof v === 'symbol') return v.toString();
  return String(v);
}
