// Shared wording for the text and Markdown formats: values as compact JSON, cut to a length a
// reviewer can read; where a group applies and what it skips.
import type { Json } from '../types.js';
import { REDACTED } from './redact.js';
import type { ChangeGroup, FieldChange } from './types.js';

export function showValue(v: Json | undefined, max = 120): string {
  if (v === undefined) return '(absent)';
  if (v === REDACTED) return v;
  const s = JSON.stringify(v);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

export function clusterList(names: readonly string[]): string {
  return names.join(', ');
}

export function groupVerb(g: ChangeGroup): string {
  const n = g.clusters.length;
  const where = `${n === 1 ? '' : `${n} clusters: `}${clusterList(g.clusters)}`;
  if (g.action === 'added') return `added to ${where}`;
  if (g.action === 'removed') return `removed from ${where} (will be pruned)`;
  return `changed in ${where}`;
}

export function skippedText(g: ChangeGroup): string | undefined {
  if (g.skipped.length === 0) return undefined;
  return `skips ${g.skipped.map((s) => (s.reason ? `${s.cluster} (${s.reason})` : s.cluster)).join(', ')}`;
}

export function fieldKind(f: FieldChange): 'added' | 'removed' | 'changed' {
  return f.from === undefined ? 'added' : f.to === undefined ? 'removed' : 'changed';
}
