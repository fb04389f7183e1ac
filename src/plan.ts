// `fedrender plan`: the compilation as a resources x clusters matrix, so a reviewer sees where
// everything lands and how replicas are split without reading YAML. Pure: returns text or data.
import { cmp } from './core/diagnostics.js';
import { isObject } from './core/cow.js';
import { SYSTEM_NAMESPACES } from './core/kubefed-types.js';
import type { Compilation } from './pipeline.js';

export interface PlanRow {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** cluster -> replicas (a number), true (placed, not scalable) or false (not placed). */
  clusters: Record<string, number | boolean>;
  /** Total replicas over all clusters, for scalable objects. */
  totalReplicas?: number;
}

export interface PlanData {
  clusters: string[];
  resources: PlanRow[];
}

export function planData(c: Compilation): PlanData {
  const clusters = [...c.clusters].sort(cmp);
  const rows = new Map<string, PlanRow>();
  for (const r of c.model?.resources ?? []) {
    if (r.isNamespace && SYSTEM_NAMESPACES.has(r.id.name)) continue;
    const key = [r.id.kind, r.id.namespace ?? '', r.id.name, r.id.group].join('\u0000');
    rows.set(key, {
      apiVersion: r.id.apiVersion,
      kind: r.id.kind,
      ...(r.id.namespace !== undefined ? { namespace: r.id.namespace } : {}),
      name: r.id.name,
      clusters: Object.fromEntries(clusters.map((n) => [n, false])),
    });
  }
  for (const o of c.rendered) {
    const r = o.resource;
    const row = rows.get([r.id.kind, r.id.namespace ?? '', r.id.name, r.id.group].join('\u0000'));
    if (!row) continue;
    const spec = o.body.spec;
    const replicas = isObject(spec) && typeof spec.replicas === 'number' ? spec.replicas : undefined;
    row.clusters[o.cluster.name] = replicas ?? true;
    if (replicas !== undefined) row.totalReplicas = (row.totalReplicas ?? 0) + replicas;
  }
  const resources = [...rows.entries()].sort((a, b) => cmp(a[0], b[0])).map(([, row]) => row);
  return { clusters, resources };
}

/**
 * The matrix as text: one row per resource, one column per cluster, replicas in the cells of
 * scalable objects, `✓` where an object is placed, `-` where it is not. Columns that would not
 * fit `width` continue in another table below, with the resource column repeated.
 */
export function planTable(data: PlanData, width = 100): string {
  const label = (r: PlanRow) => `${r.kind}/${r.namespace ? r.namespace + '/' : ''}${r.name}`;
  const cell = (v: number | boolean) => (typeof v === 'number' ? String(v) : v ? '✓' : '-');
  const labels = data.resources.map(label);
  const first = Math.max('RESOURCE'.length, ...labels.map((l) => l.length));
  const hasTotal = data.resources.some((r) => r.totalReplicas !== undefined);
  const colWidth = (c: string) =>
    Math.max(c.length, ...data.resources.map((r) => cell(r.clusters[c] ?? false).length));
  const chunks: string[][] = [];
  let current: string[] = [];
  // Room for the TOTAL column is kept in every table: any of them may turn out to be the last.
  const base = first + (hasTotal ? 'TOTAL'.length + 2 : 0);
  let used = base;
  for (const c of data.clusters) {
    const w = colWidth(c) + 2;
    if (current.length && used + w > width) {
      chunks.push(current);
      current = [];
      used = base;
    }
    current.push(c);
    used += w;
  }
  chunks.push(current);
  const tables = chunks.map((cols, i) => {
    const total = hasTotal && i === chunks.length - 1;
    const header = [
      'RESOURCE'.padEnd(first),
      ...cols.map((c) => c.padStart(colWidth(c))),
      ...(total ? ['TOTAL'] : []),
    ].join('  ');
    const lines = data.resources.map((r, j) =>
      [
        labels[j]!.padEnd(first),
        ...cols.map((c) => cell(r.clusters[c] ?? false).padStart(colWidth(c))),
        ...(total ? [r.totalReplicas !== undefined ? String(r.totalReplicas).padStart(5) : ''] : []),
      ]
        .join('  ')
        .trimEnd(),
    );
    return [header.trimEnd(), ...lines].join('\n') + '\n';
  });
  return tables.join('\n');
}
