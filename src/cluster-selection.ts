// The clusters a run renders, from its arguments (--cluster NAME..., --shard I/N): an argument
// check of the CLI/library layer, made once the cluster list is known (federation.yaml's
// clusters and the KubeFedCluster objects among the inputs) and before anything is rendered.
import { unknownClusterMessage } from './load/config.js';
import { shardClusters, type Shard } from './shard.js';
import type { Cluster } from './types.js';

export interface ClusterSelection {
  /** The clusters to render, in the order of the cluster list. */
  selected: Cluster[];
  /** Not every cluster: a partial build renders, checks and writes only its own clusters. */
  partial: boolean;
}

/** The selection, or the usage message (exit 2) naming each unknown --cluster. */
export function selectClusters(
  clusters: readonly Cluster[],
  args: { clusters?: readonly string[]; shard?: Shard },
): ClusterSelection | { usage: string } {
  const unknown = (args.clusters ?? []).filter((n) => !clusters.some((c) => c.name === n));
  if (unknown.length) {
    const known = clusters.map((c) => c.name);
    return {
      usage:
        unknown.map((n) => `--cluster: ${unknownClusterMessage(n, clusters).message}`).join('\n') +
        `\nclusters are: ${known.join(', ')}`,
    };
  }
  const partial = args.shard !== undefined || (args.clusters?.length ?? 0) > 0;
  if (!partial) return { selected: [...clusters], partial };
  const wanted = new Set(
    args.shard
      ? shardClusters(
          clusters.map((c) => c.name),
          args.shard,
        )
      : args.clusters,
  );
  return { selected: clusters.filter((c) => wanted.has(c.name)), partial };
}
