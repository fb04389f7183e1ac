// Extensions of native override rules beyond KubeFed: a path segment `[field=value]` selects the
// array element whose field has that value, and `${cluster.name}`, `${cluster.server}`,
// `${cluster.labels.<key>}` expand in override values.
import { text } from '../core/json-read.js';
import type { Reporter } from '../core/diagnostics.js';
import { isObject } from '../core/cow.js';
import { posOf, type SourceRef } from '../core/source.js';
import type { Cluster, Json } from '../types.js';

const SELECTOR = /^\[([^=\]]+)=(.*)\]$/;

export function resolveSelectors(
  root: Json,
  segments: readonly string[],
): { ok: true; segments: string[] } | { ok: false; reason: string } {
  const out: string[] = [];
  let cur: Json | undefined = root;
  for (const seg of segments) {
    const m = SELECTOR.exec(seg);
    if (m) {
      if (!Array.isArray(cur))
        return { ok: false, reason: `/${out.join('/')} is not a list, so [${m[1]}=${m[2]}] selects nothing` };
      const idx: number = cur.findIndex((el) => isObject(el) && text(el[m[1]!]) === m[2]);
      if (idx < 0) return { ok: false, reason: `no element of /${out.join('/')} has ${m[1]}=${m[2]}` };
      out.push(String(idx));
      cur = cur[idx];
      continue;
    }
    out.push(seg);
    cur = Array.isArray(cur) ? cur[Number(seg)] : isObject(cur) ? cur[seg] : undefined;
  }
  return { ok: true, segments: out };
}

const VARIABLE = /\$\{([^}]*)\}/g;

/**
 * A value's expansion per cluster, for values that are objects: one override rule's value is
 * expanded for every object it applies to (a cluster label on 2,000 objects), the same each time.
 * Only expansions that succeeded are kept; a failed one is expanded (and reported) again.
 */
const expansions = new WeakMap<object, WeakMap<Cluster, Json>>();

/**
 * The value with variables expanded; undefined (reported at `at()`) when one is unknown. Values
 * come from parsed documents, which no stage changes (they are copied on write): an expansion
 * can be reused.
 */
export function expandVariables(
  value: Json,
  cluster: Cluster,
  at: () => SourceRef,
  reporter: Reporter,
): Json | undefined {
  if (typeof value === 'string' && !value.includes('${')) return value;
  if (typeof value !== 'object' || value === null) return expandOnce(value, cluster, at, reporter);
  let byCluster = expansions.get(value);
  const known = byCluster?.get(cluster);
  if (known !== undefined) return known;
  const out = expandOnce(value, cluster, at, reporter);
  if (out === undefined) return undefined;
  if (!byCluster) expansions.set(value, (byCluster = new WeakMap()));
  byCluster.set(cluster, out);
  return out;
}

function expandOnce(
  value: Json,
  cluster: Cluster,
  at: () => SourceRef,
  reporter: Reporter,
): Json | undefined {
  let failed = false;
  const walk = (v: Json, path: (string | number)[]): Json => {
    if (typeof v === 'string') {
      return v.replace(VARIABLE, (whole, name: string) => {
        const resolved = variable(name.trim(), cluster);
        if (resolved === undefined) {
          reporter.error('UNKNOWN_VARIABLE', posOf(at(), path), unresolved(whole, name.trim(), cluster));
          failed = true;
          return whole;
        }
        return resolved;
      });
    }
    // Unchanged values keep their identity, so a value without variables stays shared (and
    // serialized once) across clusters.
    if (Array.isArray(v)) {
      const out = v.map((x, i) => walk(x, [...path, i]));
      return out.every((x, i) => x === v[i]) ? v : out;
    }
    if (isObject(v)) {
      const entries = Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])] as const);
      return entries.every(([k, x]) => x === v[k]) ? v : Object.fromEntries(entries);
    }
    return v;
  };
  const out = walk(value, []);
  return failed ? undefined : out;
}

/** Why a variable has no value: a label or server this cluster lacks, or no such variable. */
function unresolved(whole: string, name: string, cluster: Cluster): string {
  if (name.startsWith('cluster.labels.')) {
    const key = name.slice('cluster.labels.'.length);
    const has = Object.keys(cluster.labels).sort();
    return `${whole}: cluster "${cluster.name}" has no label "${key}" (its labels: ${has.length ? has.join(', ') : 'none'})`;
  }
  if (name === 'cluster.server') return `${whole}: cluster "${cluster.name}" has no server`;
  return `unknown variable ${whole}; expected \${cluster.name}, \${cluster.server} or \${cluster.labels.<key>}`;
}

function variable(name: string, cluster: Cluster): string | undefined {
  if (name === 'cluster.name') return cluster.name;
  if (name === 'cluster.server') return cluster.server;
  if (name.startsWith('cluster.labels.')) return cluster.labels[name.slice('cluster.labels.'.length)];
  return undefined;
}
