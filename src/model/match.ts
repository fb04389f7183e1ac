// `match` blocks of federation.yaml rules: every field optional and AND-ed, a list inside one
// field OR-ed. Kinds compare case-insensitively and may name a group (`apps/Deployment`).
import { selectorMatches } from '../core/selector.js';
import type { MatchSpec, Resource } from '../types.js';

export function ruleMatches(match: MatchSpec, r: Resource): boolean {
  if (match.kinds && !match.kinds.some((k) => kindMatches(k, r.id.group, r.id.kind))) return false;
  if (match.namespaces && !(r.id.namespace !== undefined && match.namespaces.includes(r.id.namespace)))
    return false;
  if (match.names && !match.names.includes(r.id.name)) return false;
  if (match.labelSelector !== undefined) {
    const labels = ((r.body.metadata as { labels?: Record<string, string> } | undefined)?.labels ??
      {}) as Record<string, string>;
    if (!selectorMatches(match.labelSelector, labels)) return false;
  }
  return true;
}

export function kindMatches(pattern: string, group: string, kind: string): boolean {
  const slash = pattern.lastIndexOf('/');
  if (slash < 0) return pattern.toLowerCase() === kind.toLowerCase();
  return pattern.slice(0, slash) === group && pattern.slice(slash + 1).toLowerCase() === kind.toLowerCase();
}
