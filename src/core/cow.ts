// Copy-on-write JSON: loaded values are deep-frozen once; a per-cluster change copies only the
// containers on the path it touches (the "spine") and shares every other subtree with the base.
// Twenty clusters that each patch /spec/replicas cost twenty small spines, not twenty copies.
import type { Json, JsonObject } from '../types.js';

export function deepFreeze<T extends Json>(value: T): T {
  const v: Json = value;
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return value;
  // Loops, not Object.values: every patched copy's spine comes through here (40,000 at 2,000 x 20).
  if (Array.isArray(v)) for (const x of v) deepFreeze(x);
  else for (const k in v) deepFreeze(v[k]!);
  Object.freeze(v);
  return value;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Shallow copy of a container, unfrozen, so that one level can be changed. */
export function shallowCopy(c: JsonObject): JsonObject;
export function shallowCopy(c: Json[]): Json[];
export function shallowCopy(c: JsonObject | Json[]): JsonObject | Json[];
export function shallowCopy(c: JsonObject | Json[]): JsonObject | Json[] {
  return Array.isArray(c) ? [...c] : { ...c };
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
    const copy: JsonObject | Json[] = shallowCopy(next);
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
