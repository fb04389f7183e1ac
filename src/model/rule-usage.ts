// federation.yaml rules that do nothing are probably mistakes: a placement or override rule
// that matches no object, an entry of a rule's `match.kinds` that matches no object (a typo beside
// a kind that does match), or an override entry whose clusterSelector matches no cluster, is a
// warning (an error with --strict).
import { didYouMean, type Reporter } from '../core/diagnostics.js';
import { selectorMatches } from '../core/selector.js';
import { posOf } from '../core/source.js';
import type { FederationConfig, MatchSpec, Resource } from '../types.js';
import type { SourceRef } from '../core/source.js';
import { kindMatches, ruleMatches } from './match.js';

export function checkRules(
  resources: readonly Resource[],
  config: FederationConfig,
  reporter: Reporter,
): void {
  const plain = resources.filter((r) => r.origin === 'plain');
  for (const rule of config.placements) {
    if (!plain.some((r) => ruleMatches(rule.match, r))) {
      reporter.strictWarning('UNUSED_RULE', posOf(rule.ref), 'this placement rule matches no plain object');
    } else checkKinds(rule.match, rule.ref, plain, reporter);
  }
  for (const rule of config.replicaScheduling) {
    if (resources.some((r) => ruleMatches(rule.match, r)))
      checkKinds(rule.match, rule.ref, resources, reporter);
  }
  for (const rule of config.overrides) {
    if (!resources.some((r) => ruleMatches(rule.match, r))) {
      reporter.strictWarning('UNUSED_RULE', posOf(rule.ref), 'this override rule matches no object');
    } else checkKinds(rule.match, rule.ref, resources, reporter);
    for (const e of rule.list.entries) {
      if ('clusterSelector' in e.target) {
        const sel = e.target.clusterSelector;
        if (!config.clusters.some((c) => selectorMatches(sel, c.labels))) {
          reporter.strictWarning(
            'UNUSED_RULE',
            posOf(e.ref, ['clusterSelector']),
            'this clusterSelector matches no cluster',
          );
        }
      }
    }
  }
}

/**
 * Each entry of a rule's `match.kinds` that no object has: the rule matched through another
 * entry, so a misspelt one would otherwise go unnoticed.
 */
function checkKinds(
  match: MatchSpec,
  at: SourceRef,
  resources: readonly Resource[],
  reporter: Reporter,
): void {
  const kinds = [...new Set(resources.map((r) => r.id.kind))];
  (match.kinds ?? []).forEach((k, i) => {
    if (resources.some((r) => kindMatches(k, r.id.group, r.id.kind))) return;
    const near = didYouMean(k.slice(k.lastIndexOf('/') + 1), kinds);
    reporter.strictWarning(
      'UNUSED_RULE',
      posOf(at, ['match', 'kinds', i]),
      `kind "${k}" in match.kinds matches no object${near ? `; did you mean ${near}?` : ''}`,
    );
  });
}
