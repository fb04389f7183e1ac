// `fedrender init --from DUMP.yaml`: a starter federation.yaml whose clusters are a live
// KubeFed's KubeFedCluster objects (name, labels, spec.apiEndpoint as server), each with a
// comment saying where it came from, and whose kubefed.scope follows its KubeFedConfig. Pure:
// text in, text out; the caller reads the dump and writes the file.
import { isMap, isNode, isSeq, LineCounter, parseAllDocuments, parseDocument } from 'yaml';
import { cmp } from '../core/diagnostics.js';
import { STARTER, type EditResult } from '../edit-config.js';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface Found {
  value: Record<string, unknown>;
  line: number;
}

/** Every object of the dump, `kind: List` unwrapped, with the line it starts on. */
function dumpObjects(text: string, file: string): Found[] | string {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false });
  if (!Array.isArray(docs)) return `${file}: not a YAML stream`;
  const out: Found[] = [];
  for (const d of docs) {
    const e = d.errors[0];
    if (e) {
      return `${file}:${e.linePos?.[0].line ?? 1}:${e.linePos?.[0].col ?? 1}: ${e.message.split('\n')[0]}`;
    }
    const at = (n: unknown) => lc.linePos(isNode(n) ? (n.range?.[0] ?? 0) : 0).line;
    const root: unknown = d.contents;
    const value: unknown = d.toJS();
    if (!isObjectValue(value)) continue;
    if (isMap(root) && Array.isArray(value.items) && String(value.kind).endsWith('List')) {
      const items = root.get('items', true);
      value.items.forEach((item: unknown, i: number) => {
        if (isObjectValue(item)) out.push({ value: item, line: at(isSeq(items) ? items.items[i] : root) });
      });
    } else {
      out.push({ value, line: at(root) });
    }
  }
  return out;
}

function isObjectValue(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isKubeFed = (v: Record<string, unknown>, kind: string) =>
  v.kind === kind && typeof v.apiVersion === 'string' && v.apiVersion.startsWith('core.kubefed.io/');

export function federationFromDump(dump: string, file: string): EditResult {
  const objects = dumpObjects(dump, file);
  if (typeof objects === 'string') return { ok: false, message: `${objects}` };
  const clusters = objects.filter((o) => isKubeFed(o.value, 'KubeFedCluster'));
  if (clusters.length === 0)
    return {
      ok: false,
      message: `${file} holds no KubeFedCluster; dump them with \`kubectl get kubefedclusters -n kube-federation-system -o yaml\``,
    };
  const doc = parseDocument(STARTER.replace(/^(#.*\n)+/, ''));
  doc.commentBefore =
    ` fedrender federation, written by \`fedrender init --from ${file}\`.\n` +
    ' `fedrender build` renders rendered/<cluster>/ from this file; `fedrender schema` prints its\n' +
    ` JSON Schema. Clusters below come from ${file}'s KubeFedCluster objects; from now on\n` +
    ' `fedrender join` / `unjoin` edit them here. Put the federated objects under manifests/\n' +
    ' without the KubeFedClusters (a cluster defined twice is an error): see the README,\n' +
    ' "Migrating from KubeFed".';
  const seq = doc.get('clusters', true);
  if (!isSeq(seq)) return { ok: false, message: 'internal: the starter has no clusters list' };
  seq.flow = false;
  const seen = new Set<string>();
  for (const { value, line } of [...clusters].sort((a, b) => cmp(clusterName(a), clusterName(b)))) {
    const meta = isObjectValue(value.metadata) ? value.metadata : {};
    const name = typeof meta.name === 'string' ? meta.name : '';
    if (!LABEL.test(name) || name.length > 63)
      return {
        ok: false,
        message: `${file}:${line}: KubeFedCluster "${name}" cannot be a fedrender cluster: its name names a folder, so it must be a DNS-1123 label`,
      };
    if (seen.has(name))
      return { ok: false, message: `${file}:${line}: KubeFedCluster "${name}" appears twice` };
    seen.add(name);
    const spec = isObjectValue(value.spec) ? value.spec : {};
    const labels = isObjectValue(meta.labels) ? meta.labels : {};
    const entry: Record<string, unknown> = { name };
    if (Object.keys(labels).length) entry.labels = Object.fromEntries(Object.entries(labels).sort());
    if (typeof spec.apiEndpoint === 'string') entry.server = spec.apiEndpoint;
    const node = doc.createNode(entry);
    const labelsNode = node.get('labels', true);
    if (isMap(labelsNode)) labelsNode.flow = true;
    const ns = typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
    node.commentBefore = ` KubeFedCluster ${ns}${name} (${file}:${line})`;
    seq.items.push(node);
  }
  const config = objects.find((o) => isKubeFed(o.value, 'KubeFedConfig'));
  const scope = config && isObjectValue(config.value.spec) ? config.value.spec.scope : undefined;
  if (config && (scope === 'Cluster' || scope === 'Namespaced')) {
    const meta = isObjectValue(config.value.metadata) ? config.value.metadata : {};
    const kubefed: Record<string, unknown> = { scope };
    if (typeof meta.namespace === 'string' && meta.namespace !== 'kube-federation-system')
      kubefed.namespace = meta.namespace;
    const key = doc.createNode('kubefed');
    key.commentBefore = ` from KubeFedConfig ${String(meta.name)} (${file}:${config.line})`;
    doc.set(key, doc.createNode(kubefed));
  }
  const clusterCount = seq.items.length;
  return {
    ok: true,
    text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }),
    notes: [`${clusterCount} cluster${clusterCount === 1 ? '' : 's'} from ${file}`],
  };
}

function clusterName(f: Found): string {
  const meta = isObjectValue(f.value.metadata) ? f.value.metadata : {};
  return typeof meta.name === 'string' ? meta.name : '';
}
