// `init`, `join` and `unjoin` as text -> text edits of federation.yaml through yaml's Document
// API, so the user's comments and layout survive. Pure: the CLI reads and writes the file.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { checkDocumentShape } from './core/yaml-limits.js';

export const STARTER = `# fedrender federation: \`fedrender build\` renders rendered/<cluster>/ from this file.
# Reference: \`fedrender schema\` prints this file's JSON Schema.
apiVersion: fedrender.io/v1alpha1
kind: Federation
clusters: []
resources:
  - manifests/**/*.yaml
defaults:
  placement: {clusterSelector: {}}
output:
  dir: rendered
`;

export type EditResult =
  | { ok: true; text: string; notes: string[] }
  /** `at`: `line:col` of the node at fault, when there is one. */
  | { ok: false; message: string; at?: string };

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function joinCluster(
  text: string,
  name: string,
  labels: Record<string, string>,
  server?: string,
): EditResult {
  if (!LABEL.test(name) || name.length > 63)
    return { ok: false, message: `cluster name "${name}" is not a DNS-1123 label` };
  const parsed = parseEditable(text);
  if (!parsed.ok) return parsed;
  const { doc } = parsed;
  const clusters = clustersSeq(doc);
  if (!clusters) return { ok: false, message: 'federation file has no clusters list' };
  if (clusters.items.some((c) => isMap(c) && c.get('name') === name))
    return { ok: false, message: `cluster "${name}" is already joined` };
  const entry: Record<string, unknown> = { name };
  if (Object.keys(labels).length) entry.labels = labels;
  if (server) entry.server = server;
  const node = doc.createNode(entry);
  if (!isMap(node)) throw new Error('edit-config: a mapping did not make a YAML map');
  const labelsNode = node.get('labels', true);
  if (isMap(labelsNode)) labelsNode.flow = true;
  clusters.flow = false;
  clusters.items.push(node);
  return { ok: true, text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }), notes: [] };
}

export function unjoinCluster(text: string, name: string): EditResult {
  const parsed = parseEditable(text);
  if (!parsed.ok) return parsed;
  const { doc } = parsed;
  const clusters = clustersSeq(doc);
  const idx = clusters?.items.findIndex((c) => isMap(c) && c.get('name') === name) ?? -1;
  if (!clusters || idx < 0) return { ok: false, message: `cluster "${name}" is not joined` };
  clusters.items.splice(idx, 1);
  const rest = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  // Rules that still name the cluster now fail validation: say where, so they can be removed.
  const notes = namingLines(rest, name).map((n) => `line ${n.line} still names cluster "${name}"${n.what}`);
  notes.push(`the next build removes its rendered folder`);
  return { ok: true, text: rest, notes };
}

/**
 * federation.yaml as an editable Document, or the first reason it is not one, at its line (an
 * alias before its anchor would make yaml throw when writing the file back).
 */
function parseEditable(
  text: string,
): { ok: true; doc: Document } | { ok: false; message: string; at: string } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, logLevel: 'error' });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${line}:${col}`;
  };
  const error = doc.errors[0];
  if (error) {
    const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return {
      ok: false,
      at: at(error.pos[0]),
      message: `federation file does not parse: ${message} [YAML_SYNTAX]`,
    };
  }
  const problem = checkDocumentShape(doc);
  if (problem) return { ok: false, at: at(problem.offset), message: `${problem.message} [${problem.code}]` };
  return { ok: true, doc };
}

/**
 * Lines of federation.yaml that name a cluster: `name:` / `clusterName:` values (placements,
 * overrides) and keys of a replicaScheduling rule's `clusters` map.
 */
function namingLines(text: string, name: string): { line: number; what: string }[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const out = new Map<number, string>();
  const at = (node: { range?: [number, number, number] | null } | null | undefined, what: string) => {
    if (node?.range) {
      const line = lc.linePos(node.range[0]).line;
      if (!out.has(line)) out.set(line, what);
    }
  };
  visit(doc, {
    Pair(_, pair, path) {
      if (!isScalar(pair.key)) return;
      const key = String(pair.key.value);
      if ((key === 'name' || key === 'clusterName') && isScalar(pair.value) && pair.value.value === name) {
        // the cluster list itself no longer has it; anything else naming it is a rule
        at(pair.key, '');
      }
      const parent = path.at(-2);
      const grand = path.at(-5);
      if (
        key === name &&
        isPair(parent) &&
        isScalar(parent.key) &&
        parent.key.value === 'clusters' &&
        isPair(grand) &&
        isScalar(grand.key) &&
        grand.key.value === 'replicaScheduling'
      ) {
        at(pair.key, ' (replicaScheduling weights)');
      }
    },
  });
  return [...out.entries()].sort((a, b) => a[0] - b[0]).map(([line, what]) => ({ line, what }));
}

function clustersSeq(doc: Document) {
  const c = doc.get('clusters', true);
  return isSeq(c) ? c : undefined;
}

/** `--label k=v` values -> a map; undefined entries are malformed. */
export function parseLabels(list: readonly string[]): { labels: Record<string, string>; bad: string[] } {
  const labels: Record<string, string> = {};
  const bad: string[] = [];
  for (const item of list) {
    const m = /^([^=]+)=(.*)$/.exec(item);
    if (!m) bad.push(item);
    else labels[m[1]!] = m[2]!;
  }
  return { labels, bad };
}
