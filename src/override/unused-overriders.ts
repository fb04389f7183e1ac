// After the override stage: typed overriders that changed nothing anywhere. Karmada skips such
// an item silently; here it is a warning (an error with --strict), so a containerName typo shows.
import type { Reporter } from '../core/diagnostics.js';
import { posOf, type SourceRef } from '../core/source.js';
import { ruleMatches } from '../model/match.js';
import type { FederationConfig, RenderedObject, Resource } from '../types.js';
import { typedItems } from './typed-overriders.js';

/**
 * A typed overrider that changed nothing in any rendered object (a containerName typo, a kind
 * without pod template) is a warning, as Karmada would skip it silently. Only for full builds:
 * with --cluster the objects it changes may simply not be rendered in this run.
 */
export function checkTypedOverriders(
  rendered: readonly RenderedObject[],
  resources: readonly Resource[],
  config: FederationConfig,
  reporter: Reporter,
  /** Keys (appliedKeys) of what objects rendered by an earlier run applied (the render cache). */
  reused: Iterable<string> = [],
): void {
  const used = new Set<string>(reused);
  for (const k of appliedKeys(rendered)) used.add(k);
  for (const rule of config.overrides) {
    if (!resources.some((r) => ruleMatches(rule.match, r))) continue;
    for (const e of rule.list.entries) {
      for (const t of typedItems(e.typed)) {
        if (!used.has(key(t.ref)))
          reporter.strictWarning(
            'UNUSED_RULE',
            posOf(t.ref),
            `this ${t.name} item changed nothing in any rendered object (check containerName, predicate and the kinds matched)`,
          );
      }
    }
  }
}

const key = (r: SourceRef) => `${r.doc.file}#${r.path.join('/')}`;

/** The operations and overrider items that changed some of these objects, as keys. */
export function appliedKeys(rendered: readonly RenderedObject[]): Set<string> {
  const used = new Set<string>();
  for (const o of rendered) for (const a of o.applied) used.add(key(a.ref));
  return used;
}
