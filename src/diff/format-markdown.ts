// The diff as a pull-request comment: a summary table (clusters x added/removed/changed), the
// safety flags, replicas, then one collapsible <details> per group, largest first. The whole
// comment stays within GitHub's 65,536-character limit: groups that do not fit are counted and
// named at the end, and no single part may take more than its share.
import { describeObject } from './flags.js';
import { fieldKind, groupVerb, showValue, skippedText } from './present.js';
import type { ChangeGroup, DiffReport } from './types.js';

/** GitHub's limit on an issue or pull-request comment body. */
export const MARKDOWN_LIMIT = 65536;
/** Kept free for the closing list of groups not shown. */
const FOOTER_RESERVE = 4000;
/** No one group, and not the flags, may take more than this. */
const PART_LIMIT = 16000;

/** Text as HTML: values and names are escaped, never interpreted, and cannot break a table. */
function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
    .replace(/\n/g, ' ');
}

function code(s: string): string {
  return `<code>${esc(s)}</code>`;
}

/** Rows until `limit`, then a line saying how many were left out. */
function capped(head: string, rows: string[], limit: number, what: string): string {
  let out = head;
  for (const [i, row] of rows.entries()) {
    if (out.length + row.length > limit) return out + `\n_…and ${rows.length - i} more ${what}_\n`;
    out += row;
  }
  return out;
}

function groupBlock(g: ChangeGroup): string {
  const summary = `<b>${esc(describeObject(g.object))}</b> ${esc(groupVerb(g))}`;
  let head = `<details><summary>${summary}</summary>\n\n`;
  if (g.source) head += `source: ${code(g.source)}\n\n`;
  const skipped = skippedText(g);
  if (skipped) head += `${esc(skipped)}\n\n`;
  if (g.fields.length) head += '| path | before | after | source |\n|---|---|---|---|\n';
  const rows = g.fields.map((f) => {
    const k = fieldKind(f);
    const from = k === 'added' ? '' : code(showValue(f.from, 200));
    const to = k === 'removed' ? '_removed_' : code(showValue(f.to, 200));
    return `| ${code(f.path)} | ${from} | ${to} | ${f.source ? code(f.source) : ''} |\n`;
  });
  return capped(head, rows, PART_LIMIT, 'fields') + '\n</details>\n';
}

/**
 * Objects added to (or removed from) the same clusters for the same reason, as one block: a new
 * cluster's objects are one line of the comment each, not one <details> each.
 */
function wholeBlock(first: ChangeGroup, groups: readonly ChangeGroup[]): string {
  const title =
    groups.length === 1 ? `<b>${esc(describeObject(first.object))}</b>` : `<b>${groups.length} objects</b>`;
  let head = `<details><summary>${title} ${esc(groupVerb(first))}</summary>\n\n`;
  if (first.source) head += `source: ${code(first.source)}\n\n`;
  const rows = groups.map((g) => `- ${esc(describeObject(g.object))}\n`);
  return capped(head, rows, PART_LIMIT, 'objects') + '\n</details>\n';
}

interface Block {
  text: string;
  size: number;
  groups: ChangeGroup[];
}

/** The groups as blocks, largest first (clusters times fields or objects), else report order. */
function blocks(groups: readonly ChangeGroup[]): Block[] {
  const out: Block[] = [];
  const whole = new Map<string, ChangeGroup[]>();
  for (const g of groups) {
    if (g.action === 'changed') {
      out.push({
        text: groupBlock(g),
        size: g.clusters.length * Math.max(1, g.fields.length),
        groups: [g],
      });
      continue;
    }
    const k = JSON.stringify([g.action, g.clusters, g.source]);
    whole.set(k, [...(whole.get(k) ?? []), g]);
  }
  for (const [first, ...rest] of whole.values()) {
    if (!first) continue;
    const gs = [first, ...rest];
    out.push({
      text: wholeBlock(first, gs),
      size: first.clusters.length * gs.length,
      groups: gs,
    });
  }
  return out
    .map((b, i) => ({ b, i }))
    .sort((x, y) => y.b.size - x.b.size || x.i - y.i)
    .map(({ b }) => b);
}

export function formatMarkdown(r: DiffReport): string {
  const s = r.summary;
  let out = `### fedrender diff: ${code(r.base)} → ${code(r.head)}\n\n`;
  if (s.clustersChanged === 0) return out + 'No changes in any cluster.\n';
  out += `**${s.clustersChanged} cluster${s.clustersChanged === 1 ? '' : 's'} changed**: ${s.added} objects added, ${s.removed} removed, ${s.changed} changed.\n\n`;
  const clusterRows = r.clusters
    .filter((c) => c.added + c.removed + c.changed > 0 || c.status)
    .map(
      (c) =>
        `| ${esc(c.cluster)}${c.status ? ` _(${c.status})_` : ''} | ${c.added} | ${c.removed} | ${c.changed} |\n`,
    );
  out += capped(
    '| cluster | added | removed | changed |\n|---|---:|---:|---:|\n',
    clusterRows,
    PART_LIMIT,
    'clusters',
  );
  if (r.flags.length) {
    const rows = r.flags.map((f) => `- **${f.kind}**: ${esc(f.message)}\n`);
    out += capped(`\n#### ⚠️ Safety flags (${r.flags.length})\n\n`, rows, PART_LIMIT, 'flags');
  }
  if (r.replicas.length) {
    const rows = r.replicas.flatMap((rc) =>
      rc.clusters
        .filter((c) => c.from !== c.to)
        .map(
          (c) =>
            `| ${esc(describeObject(rc.object))} | ${esc(c.cluster)} | ${c.from} | ${c.to} | ${c.source ? code(c.source) : ''} |\n`,
        ),
    );
    out +=
      capped(
        `\n<details><summary>Replicas (${r.replicas.length} workload${r.replicas.length === 1 ? '' : 's'})</summary>\n\n| workload | cluster | before | after | source |\n|---|---|---:|---:|---|\n`,
        rows,
        PART_LIMIT,
        'rows',
      ) + '\n</details>\n';
  }
  out += `\n#### Changes\n\n`;
  const omitted: Block[] = [];
  for (const b of blocks(r.groups)) {
    if (omitted.length === 0 && out.length + b.text.length + FOOTER_RESERVE <= MARKDOWN_LIMIT) out += b.text;
    else omitted.push(b);
  }
  if (omitted.length) {
    // Named per object (how many of its groups and clusters), so the list stays short.
    const perObject = new Map<string, { groups: number; clusters: Set<string> }>();
    for (const b of omitted)
      for (const g of b.groups) {
        const name = describeObject(g.object);
        const e = perObject.get(name) ?? { groups: 0, clusters: new Set<string>() };
        e.groups++;
        for (const c of g.clusters) e.clusters.add(c);
        perObject.set(name, e);
      }
    const count = omitted.reduce((n, b) => n + b.groups.length, 0);
    const names = [...perObject].map(
      ([name, e], i) =>
        `${i ? ', ' : ''}${esc(name)} (${e.clusters.size} cluster${e.clusters.size === 1 ? '' : 's'})`,
    );
    out += capped(
      `\n**${count} more change group${count === 1 ? '' : 's'} not shown** (a comment holds at most ${MARKDOWN_LIMIT} characters; run \`fedrender diff\` for all), in: `,
      names,
      MARKDOWN_LIMIT - out.length - 200,
      'objects',
    );
    if (!out.endsWith('\n')) out += '\n';
  }
  return out;
}
