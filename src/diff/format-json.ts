// The diff as JSON: SPEC §6's shape (base, head, summary, changes) first, then what this
// implementation adds (per-cluster counts, safety flags, groups across clusters, replicas).
import type { DiffReport } from './types.js';

export function formatJson(r: DiffReport): string {
  const ordered = {
    base: r.base,
    head: r.head,
    summary: r.summary,
    changes: r.changes.map((c) => ({
      cluster: c.cluster,
      action: c.action,
      object: c.object,
      fields: c.fields,
      ...(c.source !== undefined ? { source: c.source } : {}),
      ...(c.prune ? { prune: true } : {}),
    })),
    clusters: r.clusters,
    flags: r.flags,
    groups: r.groups,
    replicas: r.replicas,
  };
  return JSON.stringify(ordered, null, 2) + '\n';
}
