// Semantic diff of two JSON values: the field paths whose values differ, not changed lines.
// Lists that Kubernetes merges by a key (containers and env by name, volumeMounts by mountPath,
// ports by name or port number) are matched by that key, so inserting a container reports one
// added item rather than every later container as changed; other lists are compared by index.
import { cmp } from '../core/diagnostics.js';
import { isObject } from '../core/cow.js';
import type { PathSegment } from '../core/source.js';
import type { Json } from '../types.js';

export interface RawChange {
  path: PathSegment[];
  from?: Json;
  to?: Json;
}

/**
 * Item keys per list field, first usable wins. Kubernetes' patchMergeKey is `name` for
 * containers, env, volumes and imagePullSecrets, `mountPath` for volumeMounts, `containerPort`
 * (pods) or `port` (Services) for ports; ports are matched by `name` first when every port has a
 * unique one, which is how people refer to them.
 */
const LIST_KEYS: Record<string, readonly string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  imagePullSecrets: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  ports: ['name', 'containerPort', 'port'],
};

/** Every differing leaf (or whole subtree present on one side only) between `a` and `b`. */
export function diffValues(a: Json | undefined, b: Json | undefined): RawChange[] {
  const out: RawChange[] = [];
  walk(a, b, [], out);
  return out;
}

/** `path` is the walk's own stack (pushed and popped); a change records a copy. */
function walk(a: Json | undefined, b: Json | undefined, path: PathSegment[], out: RawChange[]): void {
  if (jsonEqual(a, b)) return;
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(cmp);
    for (const k of keys) step(a[k], b[k], k, path, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const key = listKey(path[path.length - 1], a, b);
    if (key) walkKeyed(a, b, key, path, out);
    else {
      for (let i = 0; i < Math.max(a.length, b.length); i++) step(a[i], b[i], i, path, out);
    }
    return;
  }
  out.push({
    path: [...path],
    ...(a !== undefined ? { from: a } : {}),
    ...(b !== undefined ? { to: b } : {}),
  });
}

function step(
  a: Json | undefined,
  b: Json | undefined,
  seg: PathSegment,
  path: PathSegment[],
  out: RawChange[],
) {
  path.push(seg);
  walk(a, b, path, out);
  path.pop();
}

function walkKeyed(a: Json[], b: Json[], key: string, path: PathSegment[], out: RawChange[]): void {
  const keyOf = (item: Json) => (isObject(item) ? item[key] : undefined);
  const before = new Map(a.map((item, i) => [keyOf(item), i]));
  const after = new Set<Json | undefined>();
  b.forEach((item, i) => {
    const k = keyOf(item);
    after.add(k);
    const j = before.get(k);
    step(j === undefined ? undefined : a[j], item, i, path, out);
  });
  a.forEach((item, i) => {
    if (!after.has(keyOf(item))) step(item, undefined, i, path, out);
  });
}

/** The merge key to match `a` and `b` by, when every item on both sides has a unique one. */
function listKey(field: PathSegment | undefined, a: Json[], b: Json[]): string | undefined {
  const candidates = typeof field === 'string' ? LIST_KEYS[field] : undefined;
  if (!candidates) return undefined;
  return candidates.find((k) => uniqueKeys(a, k) && uniqueKeys(b, k));
}

function uniqueKeys(items: Json[], key: string): boolean {
  const seen = new Set<Json>();
  for (const item of items) {
    if (!isObject(item)) return false;
    const k = item[key];
    if ((typeof k !== 'string' && typeof k !== 'number') || seen.has(k)) return false;
    seen.add(k);
  }
  return true;
}

/**
 * Pairs of containers already compared. Rendered objects share unchanged subtrees across
 * clusters (copy-on-write), so the twenty clusters of one object mostly compare the same pairs:
 * each pair is walked once.
 */
const compared = new WeakMap<object, WeakMap<object, boolean>>();

export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  let known = compared.get(a);
  const hit = known?.get(b);
  if (hit !== undefined) return hit;
  let equal: boolean;
  if (Array.isArray(a)) {
    equal = Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  } else if (Array.isArray(b)) {
    equal = false;
  } else {
    const ka = Object.keys(a);
    equal = ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  if (!known) compared.set(a, (known = new WeakMap()));
  known.set(b, equal);
  return equal;
}
