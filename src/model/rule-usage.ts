// federation.yaml rules that do nothing are probably mistakes: a placement or override rule
// that matches no object, or an override entry whose clusterSelector matches no cluster, is a
// warning (an error with --strict).
import type { Reporter } from '../core/diagnostics.js';
import { selectorMatches } from '../core/selector.js';
import { posOf } from '../core/source.js';
import type { FederationConfig, Resource } from '../types.js';
import { ruleMatches } from './match.js';

export function checkRules(
  resources: readonly Resource[],
  config: FederationConfig,
  reporter: Reporter,
): void {
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
