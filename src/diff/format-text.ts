// The diff as terminal text: summary, safety flags, replicas, then one block per object with
// its groups. Colour (ANSI) only when asked; the CLI decides from the terminal and NO_COLOR.
import { describeObject } from './flags.js';
import { fieldKind, groupVerb, showValue, skippedText } from './present.js';
import type { DiffReport } from './types.js';

interface Paint {
  red: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
  bold: (s: string) => string;
  dim: (s: string) => string;
}

function paint(color: boolean): Paint {
  const sgr = (open: number, close: number) => (s: string) => (color ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), bold: sgr(1, 22), dim: sgr(2, 22) };
}

export function formatText(r: DiffReport, opts: { color: boolean }): string {
  const p = paint(opts.color);
  const s = r.summary;
  const lines: string[] = [];
  lines.push(
    p.bold(`fedrender diff ${r.base}..${r.head}: `) +
      (s.clustersChanged === 0
        ? 'no changes'
        : `${s.clustersChanged} cluster${s.clustersChanged === 1 ? '' : 's'} changed; objects: ${s.added} added, ${s.removed} removed, ${s.changed} changed`),
  );
  if (r.flags.length) {
    lines.push('', p.yellow(p.bold('Safety flags')));
    for (const f of r.flags) lines.push(p.yellow(`  ! ${f.message}`));
  }
  const changedClusters = r.clusters.filter((c) => c.added + c.removed + c.changed > 0 || c.status);
  if (changedClusters.length) {
    lines.push('', p.bold('Clusters'));
    for (const c of changedClusters)
      lines.push(
        `  ${c.cluster}${c.status ? ` (${c.status})` : ''}: ${p.green(`+${c.added}`)} ${p.red(`-${c.removed}`)} ~${c.changed}`,
      );
  }
  if (r.replicas.length) {
    lines.push('', p.bold('Replicas'));
    for (const rc of r.replicas) {
      const cells = rc.clusters
        .filter((c) => c.from !== c.to)
        .map((c) => `${c.cluster} ${c.from} -> ${c.to}${c.source ? p.dim(` (${c.source})`) : ''}`);
      lines.push(
        `  ${describeObject(rc.object)}: ${cells.join(', ')}; total ${rc.total.from} -> ${rc.total.to}`,
      );
    }
  }
  let last = '';
  for (const g of r.groups) {
    const title = describeObject(g.object);
    if (title !== last) lines.push('', p.bold(title));
    last = title;
    const verb = groupVerb(g);
    const colour = g.action === 'added' ? p.green : g.action === 'removed' ? p.red : (x: string) => x;
    lines.push(`  ${colour(verb)}${g.source ? p.dim(`  (${g.source})`) : ''}`);
    const skipped = skippedText(g);
    if (skipped) lines.push(p.dim(`    ${skipped}`));
    for (const f of g.fields) {
      const k = fieldKind(f);
      const change =
        k === 'added'
          ? p.green(`+ ${showValue(f.to)}`)
          : k === 'removed'
            ? p.red(`- ${showValue(f.from)}`)
            : `${p.red(showValue(f.from))} -> ${p.green(showValue(f.to))}`;
      lines.push(`    ${f.path}: ${change}${f.source ? p.dim(`  (${f.source})`) : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}
