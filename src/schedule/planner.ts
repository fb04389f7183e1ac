// Replica planner: a ReplicaSchedulingPreference's totalReplicas and per-cluster preferences,
// plus the candidate clusters -> replicas per cluster. Follows KubeFed's planner
// (pkg/controller/util/planner) bit for bit, with no live state: no current replica counts and
// no capacity estimates, so `rebalance` changes nothing. Pure; int64 maths is emulated with BigInt.
import { cmp } from '../core/diagnostics.js';
import type { ClusterPreference } from '../types.js';

export interface PlanInput {
  totalReplicas: number;
  /** Keyed by cluster name or "*"; empty or absent means {"*": {weight: 1}}. */
  clusters?: Record<string, ClusterPreference>;
  /** Cluster names, any order; duplicates count once. */
  candidates: readonly string[];
  /** "<namespace>/<name>" of the federated object; salts the tie-break hash. */
  key: string;
}

export interface PlanResult {
  /** One entry per candidate, in sorted-name order; 0 for those that get none. */
  replicas: Map<string, number>;
  /** Candidates that had an entry (own or "*"), in planner order. */
  participants: string[];
  /** totalReplicas minus the sum planned (caps, zero weights...). */
  unplaced: number;
}

/** The entry KubeFed's replica scheduler substitutes when `spec.clusters` is empty. */
const DEFAULT_CLUSTERS: Readonly<Record<string, ClusterPreference>> = { '*': { weight: 1 } };

/**
 * Rounds allowed beyond participants + 1. Without int64 wrap-around every round places all that
 * remains, closes a cluster or ends the loop, so participants + 1 rounds always suffice. Once
 * pool x weight overflows int64, KubeFed's loop can crawl a few replicas per round (or,
 * in theory, for ever); we follow it for this many rounds (a few seconds), then throw.
 */
const MAX_EXTRA_ROUNDS = 10_000_000;

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const utf8 = new TextEncoder();

/** 32-bit FNV-1 (multiply, then xor; not FNV-1a), as Go's `hash/fnv.New32`. Unsigned. */
export function fnv1_32(bytes: Uint8Array): number {
  return fnv1Update(FNV32_OFFSET, bytes);
}

function fnv1Update(hash: number, bytes: Uint8Array): number {
  let h = hash;
  for (const b of bytes) h = (Math.imul(h, FNV32_PRIME) ^ b) >>> 0;
  return h;
}

/** Go's int64: every sum, difference and product wraps to 64 bits. */
function i64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

function min64(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

interface Participant {
  name: string;
  hash: number;
  weight: bigint;
  min: bigint;
  max: bigint | undefined;
}

export function planReplicas(input: PlanInput): PlanResult {
  const { totalReplicas, key } = input;
  if (!Number.isInteger(totalReplicas) || totalReplicas < INT32_MIN || totalReplicas > INT32_MAX) {
    // KubeFed's totalReplicas is an int32; the schema stage rejects anything else first.
    throw new RangeError(`planner: totalReplicas must be a 32-bit integer, found ${totalReplicas}`);
  }
  // The defaulting lives in KubeFed's replica scheduler, not its planner: an RSP with no
  // clusters spreads evenly over every candidate.
  const prefs = input.clusters && Object.keys(input.clusters).length > 0 ? input.clusters : DEFAULT_CLUSTERS;
  const keyBytes = utf8.encode(key);

  const names = [...new Set(input.candidates)];
  const plan = new Map<string, bigint>();
  const participants: Participant[] = [];
  for (const name of names) {
    // A cluster's own entry wins over "*"; with neither it gets 0 and takes no further part.
    const pref = entry(prefs, name) ?? entry(prefs, '*');
    if (pref === undefined) {
      plan.set(name, 0n);
      continue;
    }
    participants.push({
      name,
      // Go writes the name, then the key, into one hasher: the hash of the two concatenated.
      hash: fnv1Update(fnv1_32(utf8.encode(name)), keyBytes),
      weight: toInt64(pref.weight, 'weight', name),
      min: toInt64(pref.minReplicas, 'minReplicas', name),
      max: pref.maxReplicas == null ? undefined : toInt64(pref.maxReplicas, 'maxReplicas', name),
    });
  }
  // As KubeFed: heavier first, then by the salted hash so that a single replica does not always
  // land on the alphabetically first cluster. Go's sort is unstable; the name only settles
  // full hash collisions, which Go would leave to input order.
  participants.sort(
    (a, b) =>
      (a.weight > b.weight ? -1 : a.weight < b.weight ? 1 : 0) || a.hash - b.hash || cmp(a.name, b.name),
  );

  let remaining = BigInt(totalReplicas);
  // First pass, in planner order: each takes its minReplicas while replicas last. maxReplicas is
  // not consulted here, so a minReplicas above maxReplicas stands if nothing remains after it.
  for (const p of participants) {
    const take = min64(p.min, remaining);
    remaining = i64(remaining - take);
    plan.set(p.name, take);
  }

  // KubeFed's `preallocated`: replicas it keeps for clusters that already run them. With no live
  // state it starts empty, yet its bookkeeping still swallows negative shares (negative weights,
  // int64 overflow): a share below zero is recorded here and the cluster keeps what it has.
  const preallocated = new Map<string, bigint>();
  let active = participants;
  let changed = true;
  let rounds = 0;
  while (changed && remaining > 0n) {
    if (++rounds > participants.length + 1 + MAX_EXTRA_ROUNDS) {
      throw new RangeError(`planner: no settled plan for ${key} after ${rounds - 1} rounds`);
    }
    changed = false;
    let weightSum = 0n;
    for (const p of active) weightSum = i64(weightSum + p.weight);
    // Nothing left to share by weight (all zero, or negatives cancel the rest): stop.
    if (weightSum <= 0n) break;

    // Every share in a round is cut from what remained when the round began, rounded up, then
    // bounded by what remains right now; so early clusters in planner order win the rounding.
    const pool = remaining;
    const stillOpen: Participant[] = [];
    for (const p of active) {
      const start = plan.get(p.name) ?? 0n;
      let extra = min64(i64(i64(i64(pool * p.weight) + weightSum) - 1n) / weightSum, remaining);
      const held = preallocated.get(p.name) ?? 0n;
      const used = min64(extra, held);
      preallocated.set(p.name, i64(held - used));
      extra = i64(extra - used);
      if (used > 0n) changed = true;

      let total = i64(start + extra);
      // Only a total strictly above maxReplicas closes a cluster; one that lands exactly on it
      // stays in the next round's weight sum (and leaves it there, taking nothing).
      if (p.max !== undefined && total > p.max) total = p.max;
      else stillOpen.push(p);
      // When minReplicas exceeded maxReplicas the cut gives replicas back to the pool.
      remaining = i64(remaining - i64(total - start));
      plan.set(p.name, total);
      if (total > start) changed = true;
    }
    active = stillOpen;
  }

  let placed = 0n;
  const replicas = new Map<string, number>();
  for (const name of [...names].sort(cmp)) {
    const n = plan.get(name) ?? 0n;
    placed += n;
    replicas.set(name, Number(n));
  }
  return {
    replicas,
    participants: participants.map((p) => p.name),
    unplaced: Number(BigInt(totalReplicas) - placed),
  };
}

/**
 * Own properties only: a cluster called "constructor" must not find Object.prototype's. A key
 * whose value is null (`A: ~` in YAML) is still an entry, all zeros, as Go decodes it.
 */
function entry(
  prefs: Readonly<Record<string, ClusterPreference>>,
  name: string,
): ClusterPreference | undefined {
  return Object.hasOwn(prefs, name) ? (prefs[name] ?? {}) : undefined;
}

/** KubeFed's int64 fields; absent means 0 (Go's zero value), and only exact integers convert. */
function toInt64(value: number | undefined, field: string, cluster: string): bigint {
  if (value == null) return 0n;
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`planner: ${field} of ${cluster} must be a safe integer, found ${value}`);
  }
  return BigInt(value);
}
