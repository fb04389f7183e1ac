// Per-cluster changes -> groups: a change identical in several clusters is shown once with the
// clusters it reaches. A changed object's fields are grouped by the set of clusters each field
// change (path, old, new, source) reaches; clusters that have the object but none of a group's
// paths changed are listed as skipped, with the override that pins the path there when one does.
import { cmp } from '../core/diagnostics.js';
import { isObject } from '../core/cow.js';
import { parsePointer, posOf } from '../core/source.js';
import { jsonEqual } from './object-diff.js';
import { formatPos } from './provenance.js';
import { overrideFor } from '../validate/names.js';
import type { Json } from '../types.js';
import type { Comparison } from './compare.js';
import type { Action, ChangeGroup, DiffObject, FieldChange, ObjectChange } from './types.js';

const ACTION_ORDER: Record<Action, number> = { removed: 0, added: 1, changed: 2 };

function keyOf(c: ObjectChange): string {
  const o = c.object;
  return [o.kind, o.namespace ?? '', o.name, o.apiVersion].join('\u0000');
}

export function groupChanges(changes: readonly ObjectChange[], cmpn: Comparison): ChangeGroup[] {
  const byObject = new Map<string, ObjectChange[]>();
  for (const c of changes) {
    const k = keyOf(c);
    const list = byObject.get(k);
    if (list) list.push(c);
    else byObject.set(k, [c]);
  }
  const groups: ChangeGroup[] = [];
  for (const k of [...byObject.keys()].sort(cmp)) {
    const list = byObject.get(k)!;
    const object = list[0]!.object;
    const objectKey = changeObjectKey(object);
    // added / removed: one group per (action, source)
    const whole = new Map<string, ObjectChange[]>();
    for (const c of list.filter((c) => c.action !== 'changed')) {
      const g = `${c.action}\u0000${c.source ?? ''}`;
      whole.set(g, [...(whole.get(g) ?? []), c]);
    }
    for (const cs of whole.values()) {
      const { action, source } = cs[0]!;
      groups.push({
        action,
        object,
        clusters: cs.map((c) => c.cluster).sort(cmp),
        fields: [],
        ...(source ? { source } : {}),
        skipped: [],
      });
    }
    // changed: field -> clusters, then fields with the same cluster set together
    const fieldClusters = new Map<string, { field: FieldChange; clusters: string[] }>();
    for (const c of list.filter((c) => c.action === 'changed')) {
      for (const f of c.fields) {
        const sig = JSON.stringify([f.path, f.from, f.to, f.source]);
        const entry = fieldClusters.get(sig);
        if (entry) entry.clusters.push(c.cluster);
        else fieldClusters.set(sig, { field: f, clusters: [c.cluster] });
      }
    }
    const bySet = new Map<string, { clusters: string[]; fields: FieldChange[] }>();
    for (const { field, clusters } of fieldClusters.values()) {
      const set = [...clusters].sort(cmp);
      const sig = set.join('\u0000');
      const g = bySet.get(sig);
      if (g) g.fields.push(field);
      else bySet.set(sig, { clusters: set, fields: [field] });
    }
    const changedIn = new Map(list.filter((c) => c.action === 'changed').map((c) => [c.cluster, c]));
    for (const { clusters, fields } of bySet.values()) {
      const paths = new Set(fields.map((f) => f.path));
      const skipped = (cmpn.present.get(objectKey) ?? [])
        .filter((cl) => !clusters.includes(cl))
        // a cluster where one of these paths changed otherwise is in another group, not skipped
        .filter((cl) => !(changedIn.get(cl)?.fields ?? []).some((f) => paths.has(f.path)))
        .map((cl) => ({ cluster: cl, ...reason(cmpn, objectKey, cl, fields) }));
      groups.push({ action: 'changed', object, clusters, fields, skipped });
    }
  }
  return groups.sort(
    (a, b) =>
      cmp(keyOfGroup(a), keyOfGroup(b)) ||
      ACTION_ORDER[a.action] - ACTION_ORDER[b.action] ||
      cmp(a.clusters.join(','), b.clusters.join(',')) ||
      cmp(a.fields[0]?.path ?? '', b.fields[0]?.path ?? ''),
  );
}

function keyOfGroup(g: ChangeGroup): string {
  const o = g.object;
  return [o.kind, o.namespace ?? '', o.name, o.apiVersion].join('\u0000');
}

/** compare.ts's key (group, not apiVersion) for an object. */
function changeObjectKey(o: DiffObject): string {
  const slash = o.apiVersion.indexOf('/');
  const group = slash >= 0 ? o.apiVersion.slice(0, slash) : '';
  return [o.kind, o.namespace ?? '', o.name, group].join('\u0000');
}

/** Why `cluster` does not get the group's change: an override pins a path, or it had the value. */
function reason(cmpn: Comparison, key: string, cluster: string, fields: FieldChange[]): { reason?: string } {
  const head = cmpn.head.get(key)?.get(cluster);
  if (!head) return {};
  for (const f of fields) {
    const op = overrideFor(head, parsePointer(f.path));
    if (op)
      return {
        reason: `${fields.length > 1 ? f.path + ' ' : ''}pinned by the override at ${formatPos(posOf(op.ref))}`,
      };
  }
  const base = cmpn.base.get(key)?.get(cluster);
  if (base && fields.every((f) => f.to !== undefined && jsonEqual(valueAt(base.body, f.path), f.to)))
    return { reason: 'already had the new value' };
  return {};
}

function valueAt(body: Json, pointer: string): Json | undefined {
  let v: Json | undefined = body;
  for (const seg of parsePointer(pointer)) {
    if (Array.isArray(v)) v = v[Number(seg)];
    else if (isObject(v)) v = v[seg];
    else return undefined;
  }
  return v;
}
