// One JSON-patch operation applied copy-on-write: the containers on the operation's path are
// copied, the rest of the object stays shared with the base. Semantics follow the JSON-patch
// library KubeFed used (evanphx/json-patch v4.12) where it differs from RFC 6902: `replace` of a
// missing key in an existing object adds it; array indices are read with Go's strconv.Atoi
// (`01`, `+1`) and may be negative, counted from the end (SupportNegativeIndices).
import fjp, { type Operation } from 'fast-json-patch';
import { copySpine, deepFreeze, isObject } from '../core/cow.js';
import { formatPointer } from '../core/source.js';
import type { Json, JsonObject } from '../types.js';

const { applyOperation, JsonPatchError } = fjp;

export type PatchResult = { ok: true; root: JsonObject } | { ok: false; reason: string };

export interface PatchOp {
  op: 'add' | 'remove' | 'replace' | 'merge';
  /** Already resolved: no `[field=value]` selectors left. */
  segments: string[];
  value?: Json;
}

export function applyPatch(root: JsonObject, p: PatchOp): PatchResult {
  if (p.segments.length === 0)
    return { ok: false, reason: 'the path must name a field, not the whole object' };
  const canonical = canonicalIndices(root, p);
  if (typeof canonical === 'string') return { ok: false, reason: canonical };
  p = { ...p, segments: canonical };
  const parentSegs = p.segments.slice(0, -1);
  const key = p.segments[p.segments.length - 1]!; // segments is not empty (checked above)
  const spine = copySpine(root, parentSegs);
  if ('missingAt' in spine) {
    return {
      ok: false,
      reason: `${formatPointer(p.segments.slice(0, spine.missingAt + 1))} does not exist or is not an object or array`,
    };
  }
  const parent = spine.target;
  let op: 'add' | 'remove' | 'replace' = p.op === 'merge' ? 'replace' : p.op;
  let value = p.value;
  if (p.op === 'merge') {
    // RFC 7386 merge of the value into what is there (absent counts as {}).
    const current = Array.isArray(parent) ? parent[Number(key)] : parent[key];
    value = mergePatch(current, p.value ?? null);
    if (!Array.isArray(parent)) op = 'add';
  }
  if (op === 'replace' && isObject(parent) && !(key in parent)) op = 'add';
  // A scalar set on, or a key removed from, a map (labels, images, replicas): what the library
  // would do, without its per-operation validation (every fleet object takes a few per cluster).
  if (isObject(parent) && !bannedKey(p.segments)) {
    if (op === 'remove' && key in parent) {
      delete parent[key];
      return { ok: true, root: deepFreeze(spine.root) };
    }
    if (op !== 'remove' && value !== undefined && (value === null || typeof value !== 'object')) {
      parent[key] = value;
      return { ok: true, root: deepFreeze(spine.root) };
    }
  }
  try {
    const path = formatPointer(p.segments);
    const operation: Operation = op === 'remove' ? { op, path } : { op, path, value };
    applyOperation(spine.root, operation, true, true);
  } catch (e) {
    if (e instanceof JsonPatchError) return { ok: false, reason: explain(e.name, p, parent, key) };
    throw e;
  }
  return { ok: true, root: deepFreeze(spine.root) };
}

/** Keys fast-json-patch refuses (it throws a TypeError): left to it. */
function bannedKey(segments: readonly string[]): boolean {
  return segments.some(
    (s, i) => s === '__proto__' || (s === 'prototype' && segments[i - 1] === 'constructor'),
  );
}

/** Go's strconv.Atoi: optional sign, decimal digits, leading zeros allowed. */
const ATOI = /^[+-]?[0-9]+$/;

/**
 * The path with every array index rewritten as evanphx/json-patch v4.12 resolves it
 * (partialArray get/set/add/remove), or why it does not resolve. A negative index counts from
 * the end: -1 is the last item, and for `add` (one slot longer) the position after it.
 */
function canonicalIndices(root: JsonObject, p: PatchOp): string[] | string {
  const out: string[] = [];
  let cur: Json | undefined = root;
  for (const [i, seg] of p.segments.entries()) {
    const last = i === p.segments.length - 1;
    if (!Array.isArray(cur)) {
      out.push(seg);
      cur = isObject(cur) ? cur[seg] : undefined;
      continue;
    }
    const path = formatPointer(p.segments.slice(0, i + 1));
    if (last && p.op === 'add' && seg === '-') {
      out.push(seg);
      break;
    }
    if (!ATOI.test(seg)) return `${path}: "${seg}" is not an array index`;
    // add inserts, so it may address one slot past the end; the others need an existing item.
    const size = last && p.op === 'add' ? cur.length + 1 : cur.length;
    let idx = Number(seg);
    if (idx < 0) idx += size;
    if (idx < 0 || idx >= size)
      return `${path}: index "${seg}" is out of range (the array has ${cur.length} item${cur.length === 1 ? '' : 's'})`;
    out.push(String(idx));
    cur = cur[idx];
  }
  return out;
}

function explain(name: string, p: PatchOp, parent: JsonObject | Json[], key: string): string {
  const path = formatPointer(p.segments);
  switch (name) {
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
      return Array.isArray(parent)
        ? `${path}: index "${key}" is out of range (the array has ${parent.length} item${parent.length === 1 ? '' : 's'})`
        : `${path}: "${key}" is not a valid index`;
    case 'OPERATION_PATH_UNRESOLVABLE':
      return `${path} does not exist`;
    case 'OPERATION_PATH_CANNOT_ADD':
      return `cannot add at ${path}: its parent does not exist`;
    default:
      return `${path}: ${name.toLowerCase().replace(/_/g, ' ')}`;
  }
}

/** RFC 7386 JSON merge patch, returning new objects (inputs are frozen and stay untouched). */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    // A key such as __proto__ (valid in ConfigMap data) is a field here, never the prototype.
    else
      Object.defineProperty(out, k, {
        value: mergePatch(Object.hasOwn(out, k) ? out[k] : undefined, v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}
