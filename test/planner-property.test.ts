// Replica planner properties over random preferences from a seeded PRNG, so every run checks the
// same cases: the sum, mins and maxes hold whenever they can, listing order never matters, and
// unplaced is what the plan leaves out. A failure prints the seed-derived case to replay.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fnv1_32, planReplicas, type PlanInput, type PlanResult } from '../src/schedule/planner.js';
import type { ClusterPreference } from '../src/types.js';
import { prng, type Rand } from './prng.js';

const CASES = 600;

function int(rand: Rand, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

function chance(rand: Rand, p: number): boolean {
  return rand() < p;
}

function shuffled<T>(rand: Rand, list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = int(rand, 0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function dnsName(rand: Rand): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-';
  let name = 'abcdefghijklmnopqrstuvwxyz'[int(rand, 0, 25)]!;
  for (let i = int(rand, 0, 11); i > 0; i--) name += alphabet[int(rand, 0, alphabet.length - 1)]!;
  return name;
}

interface Shape {
  /** Allow negative weights, minReplicas above maxReplicas and weights past int64 products. */
  wild: boolean;
  /** Leave minReplicas and maxReplicas out, to compare against exact weighted shares. */
  weightsOnly: boolean;
}

function preference(rand: Rand, shape: Shape): ClusterPreference {
  const pref: ClusterPreference = {};
  if (!chance(rand, 0.1)) {
    if (shape.wild && chance(rand, 0.15)) pref.weight = int(rand, -5, -1);
    // Large enough that pool x weight overflows int64 once a few thousand replicas remain.
    else if (shape.wild && chance(rand, 0.1)) pref.weight = int(rand, 2 ** 50, 2 ** 53 - 1);
    else if (chance(rand, 0.15)) pref.weight = 0;
    else pref.weight = chance(rand, 0.2) ? int(rand, 1, 10_000) : int(rand, 1, 10);
  }
  if (shape.weightsOnly) return pref;
  const min = chance(rand, 0.5) ? int(rand, 0, 12) : undefined;
  if (min !== undefined) pref.minReplicas = min;
  if (chance(rand, 0.5)) {
    const floor = shape.wild ? 0 : (min ?? 0);
    pref.maxReplicas = int(rand, floor, floor + 25);
  }
  return pref;
}

function randomInput(rand: Rand, shape: Shape): PlanInput {
  const names = new Set<string>();
  for (let n = int(rand, 0, 9); names.size < n;) names.add(dnsName(rand));
  const candidates = [...names];
  let clusters: Record<string, ClusterPreference> | undefined;
  if (!chance(rand, 0.1)) {
    clusters = {};
    for (const name of candidates) if (chance(rand, 0.6)) clusters[name] = preference(rand, shape);
    if (chance(rand, 0.5)) clusters['*'] = preference(rand, shape);
    // Entries for clusters that are not candidates must change nothing.
    for (let extra = int(rand, 0, 2); extra > 0; extra--) {
      clusters[dnsName(rand) + '-gone'] = preference(rand, shape);
    }
  }
  const big = shape.wild ? 5_000 : 2_000_000;
  const large = chance(rand, shape.wild ? 0.3 : 0.1);
  const totalReplicas = large ? int(rand, 0, big) : int(rand, 0, 120);
  return { totalReplicas, clusters, candidates, key: `${dnsName(rand)}/${dnsName(rand)}` };
}

/** The entry a candidate plans with, as the planner resolves it (after the empty-map default). */
function resolved(input: PlanInput, name: string): ClusterPreference | undefined {
  const given = input.clusters ?? {};
  const clusters = Object.keys(given).length > 0 ? given : { '*': { weight: 1 } };
  if (Object.hasOwn(clusters, name)) return clusters[name];
  return Object.hasOwn(clusters, '*') ? clusters['*'] : undefined;
}

function sum(result: PlanResult): number {
  let total = 0;
  for (const n of result.replicas.values()) total += n;
  return total;
}

/** Runs `check` on CASES generated inputs; a failure names the case so it can be replayed. */
function forAll(seed: number, shape: Shape, check: (input: PlanInput, result: PlanResult) => void) {
  const rand = prng(seed);
  for (let i = 0; i < CASES; i++) {
    const input = randomInput(rand, shape);
    try {
      check(input, planReplicas(input));
    } catch (err) {
      const where = `seed ${seed} case ${i}: ${JSON.stringify(input)}`;
      throw new Error(`${where}\n${(err as Error).message}`, { cause: err });
    }
  }
}

const TAME: Shape = { wild: false, weightsOnly: false };
const WILD: Shape = { wild: true, weightsOnly: false };

test('unplaced is totalReplicas minus the sum planned', () => {
  for (const [seed, shape] of [
    [1, TAME],
    [2, WILD],
  ] as const) {
    forAll(seed, shape, (input, result) => {
      assert.is(result.unplaced, input.totalReplicas - sum(result));
    });
  }
});

test('one entry per candidate in sorted-name order; participants are those with an entry', () => {
  forAll(3, TAME, (input, result) => {
    const names = [...new Set(input.candidates)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    assert.equal([...result.replicas.keys()], names);
    const withEntry = input.candidates.filter((name) => resolved(input, name) !== undefined);
    assert.equal([...result.participants].sort(), [...withEntry].sort());
    for (const name of names) {
      if (resolved(input, name) === undefined) assert.is(result.replicas.get(name), 0, name);
    }
  });
});

test('the sum equals totalReplicas whenever the caps allow it', () => {
  forAll(4, TAME, (input, result) => {
    // Weighted clusters can grow to their maxReplicas (unbounded when absent); a weight-0
    // cluster only ever gets its minReplicas from the first pass.
    let capacity = 0;
    for (const name of result.participants) {
      const pref = resolved(input, name)!;
      if ((pref.weight ?? 0) > 0) capacity += pref.maxReplicas ?? Infinity;
      else capacity += pref.minReplicas ?? 0;
    }
    assert.is(sum(result), Math.min(input.totalReplicas, capacity));
    if (capacity >= input.totalReplicas) assert.is(result.unplaced, 0);
  });
});

test('minReplicas hold when feasible, and fill in planner order when not', () => {
  forAll(5, TAME, (input, result) => {
    let left = input.totalReplicas;
    const mins = result.participants.map((name) => resolved(input, name)!.minReplicas ?? 0);
    const feasible = mins.reduce((a, b) => a + b, 0) <= input.totalReplicas;
    result.participants.forEach((name, i) => {
      const got = result.replicas.get(name)!;
      if (feasible) assert.ok(got >= mins[i]!, `${name} has ${got} < min ${mins[i]}`);
      // Not feasible: everything goes in the first pass, each taking its min while replicas last.
      else assert.is(got, Math.min(mins[i]!, left), name);
      left -= Math.min(mins[i]!, left);
    });
  });
});

test('maxReplicas hold when they are not below minReplicas', () => {
  forAll(6, TAME, (input, result) => {
    for (const name of result.participants) {
      const max = resolved(input, name)!.maxReplicas;
      if (max !== undefined && max !== null) assert.ok(result.replicas.get(name)! <= max, name);
    }
  });
});

test('weight-0 participants get no more than their minReplicas', () => {
  forAll(7, TAME, (input, result) => {
    for (const name of result.participants) {
      const pref = resolved(input, name)!;
      if ((pref.weight ?? 0) === 0) {
        assert.ok(result.replicas.get(name)! <= (pref.minReplicas ?? 0), name);
      }
    }
  });
});

test('without mins or maxes nobody exceeds its rounded-up weighted share', () => {
  forAll(8, { wild: false, weightsOnly: true }, (input, result) => {
    const weights = result.participants.map((name) => resolved(input, name)!.weight ?? 0);
    const total = weights.reduce((a, b) => a + b, 0);
    if (total === 0) return;
    assert.is(sum(result), input.totalReplicas);
    result.participants.forEach((name, i) => {
      const share = Math.ceil((input.totalReplicas * weights[i]!) / total);
      assert.ok(result.replicas.get(name)! <= share, `${name} above its share ${share}`);
    });
  });
});

test('the order clusters and candidates are listed in never changes the result', () => {
  for (const [seed, shape] of [
    [9, TAME],
    [10, WILD],
  ] as const) {
    const rand = prng(seed * 7919);
    forAll(seed, shape, (input, result) => {
      const clusters = input.clusters
        ? Object.fromEntries(shuffled(rand, Object.entries(input.clusters)))
        : undefined;
      const candidates = shuffled(rand, input.candidates);
      const again = planReplicas({ ...input, clusters, candidates });
      assert.equal([...again.replicas], [...result.replicas]);
      assert.equal(again.participants, result.participants);
      assert.is(again.unplaced, result.unplaced);
    });
  }
});

test('wild preferences (negative weights, min over max, int64 overflow) stay in bounds', () => {
  forAll(11, WILD, (input, result) => {
    for (const [name, n] of result.replicas) {
      assert.ok(Number.isSafeInteger(n) && n >= 0, `${name} has ${n}`);
    }
    assert.ok(sum(result) <= input.totalReplicas);
    // Pure: the same input plans the same way twice.
    assert.equal(planReplicas(input), result);
  });
});

test('fnv1_32 matches a BigInt reference on random bytes', () => {
  const rand = prng(12);
  for (let i = 0; i < CASES; i++) {
    const bytes = Uint8Array.from({ length: int(rand, 0, 40) }, () => int(rand, 0, 255));
    let want = 0x811c9dc5n;
    for (const b of bytes) want = ((want * 0x01000193n) & 0xffffffffn) ^ BigInt(b);
    assert.is(fnv1_32(bytes), Number(want));
  }
});

test.run();
