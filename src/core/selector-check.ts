// Reports label selectors that apimachinery rejects, at the offending node. KubeFed failed to
// place an object whose selector did not parse; fedrender makes it an input error wherever the
// selector is written (federation.yaml rules and KubeFed objects alike).
import type { Reporter } from './diagnostics.js';
import { selectorProblems } from './selector.js';
import { posOf, type SourceRef } from './source.js';

/** True when the selector is valid (or absent); each problem is an error at its node. */
export function checkSelector(selector: unknown, at: SourceRef, reporter: Reporter): boolean {
  const problems = selectorProblems(selector);
  for (const p of problems) {
    // An unknown operator is already a schema error at the same node.
    if (p.path[p.path.length - 1] === 'operator') continue;
    reporter.error(
      'INVALID_SELECTOR',
      posOf(at, p.path, { key: p.path[0] === 'matchLabels' }),
      `invalid label selector: ${p.message}, so it selects nothing (as labels.NewRequirement)`,
    );
  }
  return problems.length === 0;
}
