// federation.yaml rules that do nothing are probably mistakes: a placement or override rule
// that matches no object, or an override entry whose clusterSelector matches no cluster, is a
// warning (an error with --strict).
import type { Reporter } from '../core/diagnostics.js';
import { selectorMatches } from '../core/selector.js';
import { posOf, type SourceRef } from '../core/source.js';
import { typedItems } from '../override/typed-overriders.js';
import type { FederationConfig, RenderedObject, Resource } from '../types.js';
import { ruleMatches } from './match.js';

export function checkRules(resources: readonly Resource[], config: FederationConfig, reporter: Reporter): void {
  const plain = resources.filter((r) => r.origin === 'plain');
  for (const rule of config.placements) {
    if (!plain.some((r) => ruleMatches(rule.match, r))) {
      reporter.strictWarning('UNUSED_RULE', posOf(rule.ref), 'this placement rule matches no plain object');
    }
  }
  for (const rule of config.overrides) {
    if (!resources.some((r) => ruleMatches(rule.match, r))) {
      reporter.strictWarning('UNUSED_RULE', posOf(rule.ref), 'this override rule matches no object');
    }
    for (const e of rule.list.entries) {
      if ('clusterSelector' in e.target) {
        const sel = e.target.clusterSelector;
        if (!config.clusters.some((c) => selectorMatches(sel, c.labels))) {
          reporter.strictWarning('UNUSED_RULE', posOf(e.ref, ['clusterSelector']), 'this clusterSelector matches no cluster');
        }
      }
    }
  }
}

/**
 * A typed overrider that changed nothing in any rendered object (a containerName typo, a kind
 * without pod template) is a warning, as Karmada would skip it silently. Only for full builds:
 * with --cluster the objects it changes may simply not be rendered in this run.
 */
export function checkTypedOverriders(rendered: readonly RenderedObject[], resources: readonly Resource[], config: FederationConfig, reporter: Reporter): void {
  const key = (r: SourceRef) => `${r.doc.file}#${r.path.join('/')}`;
  const used = new Set<string>();
  for (const o of rendered) for (const a of o.applied) used.add(key(a.ref));
  for (const rule of config.overrides) {
    if (!resources.some((r) => ruleMatches(rule.match, r))) continue;
    for (const e of rule.list.entries) {
      for (const t of typedItems(e.typed)) {
        if (!used.has(key(t.ref))) reporter.strictWarning('UNUSED_RULE', posOf(t.ref), `this ${t.name} item changed nothing in any rendered object (check containerName, predicate and the kinds matched)`);
      }
    }
  }
}
