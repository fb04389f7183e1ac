// Real paths for comparing folders: `-o /`, `-o ./link-to-here` or `output.dir: ../x/..` must
// not pass a "does the output folder contain federation.yaml" check by spelling.
import { realpathSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';

/** realpath of p, or of its nearest existing ancestor joined with the rest (p may not exist). */
export function realPathLoose(p: string): string {
  const rest: string[] = [];
  for (let d = p; ; d = dirname(d)) {
    try {
      return join(realpathSync.native(d), ...rest.reverse());
    } catch {
      if (dirname(d) === d) return p;
      rest.push(basename(d));
    }
  }
}

/** inner is outer or lies below it (both absolute, real). */
export function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);
}
