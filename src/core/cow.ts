// Copy-on-write JSON: loaded values are deep-frozen once; a per-cluster change copies only the
// containers on the path it touches (the "spine") and shares every other subtree with the base.
// Twenty clusters that each patch /spec/replicas cost twenty small spines, not twenty copies.
import type { Json, JsonObject } from '../types.js';

export function deepFreeze<T extends Json>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v as Json);
    Object.freeze(value);
  }
  return value;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Shallow copy of a container, unfrozen, so that one level can be changed. */
export function shallowCopy<T extends JsonObject | Json[]>(c: T): T {
  return (Array.isArray(c) ? [...c] : { ...c }) as T;
}

/**
 * Copies the containers along `segments` (root included) and returns the new root and the
 * copied container at the end of the path, or the index of the first missing segment.
 */
export function copySpine(
  root: JsonObject,
  segments: readonly string[],
): { root: JsonObject; target: JsonObject | Json[] } | { missingAt: number } {
  const newRoot = shallowCopy(root);
  let cur: JsonObject | Json[] = newRoot;
  for (const [i, seg] of segments.entries()) {
    const next: Json | undefined = Array.isArray(cur) ? cur[arrayIndex(seg, cur.length)] : cur[seg];
    if (typeof next !== 'object' || next === null) return { missingAt: i };
    const copy: JsonObject | Json[] = shallowCopy(next as JsonObject | Json[]);
    if (Array.isArray(cur)) cur[arrayIndex(seg, cur.length)] = copy;
    else cur[seg] = copy;
    cur = copy;
  }
  return { root: newRoot, target: cur };
}

/** An array index segment, or -1 when it is not a valid in-range index. */
export function arrayIndex(seg: string, length: number): number {
  if (!/^(0|[1-9][0-9]*)$/.test(seg)) return -1;
  const n = Number(seg);
  return n < length ? n : -1;
}
