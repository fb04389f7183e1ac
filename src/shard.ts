// `build --shard I/N` (SPEC §3): the I-th of N disjoint sets of clusters, for CI matrices. The
// rule, which users can predict and which never depends on anything but the names: sort the
// cluster names by code point, and deal them out round robin, the first to shard 1, the second
// to shard 2, ..., the N+1-th to shard 1 again. Shard sizes differ by at most one.
import { cmp } from './core/diagnostics.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Parses `I/N`; a message when it is not a valid shard. */
export function parseShard(text: string): Shard | string {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return `--shard takes I/N (for example 1/4), found "${text}"`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) return `--shard ${text}: N must be at least 1`;
  if (index < 1 || index > count) return `--shard ${text}: I must be between 1 and ${count}`;
  return { index, count };
}

/** The names of the clusters in `shard`, sorted. */
export function shardClusters(names: readonly string[], shard: Shard): string[] {
  return [...names].sort(cmp).filter((_, i) => i % shard.count === shard.index - 1);
}
