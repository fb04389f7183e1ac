// KubeFedCluster objects among the inputs (a dump of a live KubeFed) -> federation clusters:
// name, labels, and spec.apiEndpoint as the server, beside federation.yaml's own list. A name
// in both is an error: one cluster, two definitions that could disagree.
import { cmp, type Reporter } from '../core/diagnostics.js';
import { isObject } from '../core/cow.js';
import { groupOf } from '../core/kubefed-types.js';
import { posOf } from '../core/source.js';
import type { ParsedDoc } from '../core/yaml-source.js';
import type { Cluster, JsonObject } from '../types.js';
import { inputObjects } from './input-objects.js';

/** A cluster name becomes a folder name: a DNS-1123 label, as federation.yaml requires. */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isKubeFedCluster(v: JsonObject): boolean {
  return (
    v.kind === 'KubeFedCluster' &&
    typeof v.apiVersion === 'string' &&
    groupOf(v.apiVersion) === 'core.kubefed.io'
  );
}

/** The KubeFedClusters of the inputs as clusters, sorted by name; problems are reported. */
export function kubefedClusters(
  docs: readonly ParsedDoc[],
  declared: readonly Cluster[],
  reporter: Reporter,
): Cluster[] {
  const out: Cluster[] = [];
  const byName = new Map(declared.map((c) => [c.name, c]));
  for (const { value, at } of inputObjects(docs, undefined)) {
    if (!isKubeFedCluster(value)) continue;
    const meta = isObject(value.metadata) ? value.metadata : {};
    const name = typeof meta.name === 'string' ? meta.name : '';
    const pos = posOf(at, ['metadata', 'name']);
    if (!LABEL.test(name) || name.length > 63) {
      reporter.error(
        'CONFIG',
        pos,
        `KubeFedCluster "${name}" cannot be a fedrender cluster: its name names a folder, so it must be a DNS-1123 label`,
      );
      continue;
    }
    const first = byName.get(name);
    if (first) {
      const p = posOf(first.ref, first.fromKubeFedCluster ? ['metadata', 'name'] : ['name']);
      reporter.error(
        'CONFIG',
        pos,
        `cluster "${name}" is defined twice: by this KubeFedCluster and at ${p.file}:${p.line}:${p.column}`,
        'keep one: remove it from federation.yaml clusters, or drop the KubeFedCluster from the inputs',
      );
      continue;
    }
    const spec = isObject(value.spec) ? value.spec : {};
    const labels = isObject(meta.labels) ? meta.labels : {};
    const cluster: Cluster = {
      name,
      labels: Object.fromEntries(
        Object.entries(labels).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ),
      ...(typeof spec.apiEndpoint === 'string' ? { server: spec.apiEndpoint } : {}),
      ref: at,
      fromKubeFedCluster: true,
    };
    byName.set(name, cluster);
    out.push(cluster);
  }
  return out.sort((a, b) => cmp(a.name, b.name));
}
