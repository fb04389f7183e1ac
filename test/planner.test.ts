// Replica planner: every case of KubeFed's planner_test.go translated to planReplicas, FNV-1
// known answers, and the corners of KubeFed's arithmetic that the port must keep (min above max,
// weights that are zero, negative or overflow int64).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fnv1_32, planReplicas } from '../src/schedule/planner.js';
import type { ClusterPreference } from '../src/types.js';

const utf8 = new TextEncoder();

function plan(
  clusters: Record<string, ClusterPreference> | undefined,
  totalReplicas: number,
  candidates: string[],
  key = '',
) {
  return planReplicas({ clusters, totalReplicas, candidates, key });
}

function asObject(replicas: Map<string, number>): Record<string, number> {
  return Object.fromEntries(replicas);
}

// KubeFed's doCheck: Plan(clusters, no current replicas, no capacity, key "") must equal the
// whole expected map, zeros included. The empty key matters: the tie-break hash is FNV-1 of the
// cluster name followed by the key, and KubeFed's "hash dependent" expectations assume "".
function kubefed(
  name: string,
  clusters: Record<string, ClusterPreference>,
  total: number,
  candidates: string[],
  expected: Record<string, number>,
): void {
  test(`kubefed ${name}`, () => {
    const result = plan(clusters, total, candidates);
    assert.equal(asObject(result.replicas), expected);
    const sum = [...result.replicas.values()].reduce((a, b) => a + b, 0);
    assert.is(result.unplaced, total - sum);
  });
}

// TestEqual
kubefed('TestEqual 1 (hash dependent)', { '*': { weight: 1 } }, 50, ['A', 'B', 'C'], {
  A: 16,
  B: 17,
  C: 17,
});
kubefed('TestEqual 2', { '*': { weight: 1 } }, 50, ['A', 'B'], { A: 25, B: 25 });
kubefed('TestEqual 3 (hash dependent)', { '*': { weight: 1 } }, 1, ['A', 'B'], { A: 0, B: 1 });
kubefed('TestEqual 4 (hash dependent)', { '*': { weight: 1 } }, 1, ['A', 'B', 'C', 'D'], {
  A: 0,
  B: 0,
  C: 0,
  D: 1,
});
kubefed('TestEqual 5', { '*': { weight: 1 } }, 1, ['A'], { A: 1 });
kubefed('TestEqual 6', { '*': { weight: 1 } }, 1, [], {});

// TestMin
kubefed('TestMin 1', { '*': { minReplicas: 2, weight: 0 } }, 50, ['A', 'B', 'C'], {
  A: 2,
  B: 2,
  C: 2,
});
kubefed('TestMin 2 (hash dependent)', { '*': { minReplicas: 20, weight: 0 } }, 50, ['A', 'B', 'C'], {
  A: 10,
  B: 20,
  C: 20,
});
kubefed(
  'TestMin 3',
  { '*': { minReplicas: 20, weight: 0 }, A: { minReplicas: 100, weight: 1 } },
  50,
  ['A', 'B', 'C'],
  { A: 50, B: 0, C: 0 },
);
kubefed('TestMin 4', { '*': { minReplicas: 10, weight: 1, maxReplicas: 12 } }, 50, ['A', 'B', 'C'], {
  A: 12,
  B: 12,
  C: 12,
});

// TestMax
kubefed('TestMax 1', { '*': { weight: 1, maxReplicas: 2 } }, 50, ['A', 'B', 'C'], {
  A: 2,
  B: 2,
  C: 2,
});
kubefed('TestMax 2', { '*': { weight: 0, maxReplicas: 2 } }, 50, ['A', 'B', 'C'], {
  A: 0,
  B: 0,
  C: 0,
});

// TestWeight
kubefed('TestWeight 1', { A: { weight: 1 }, B: { weight: 2 } }, 60, ['A', 'B', 'C'], {
  A: 20,
  B: 40,
  C: 0,
});
kubefed('TestWeight 2', { A: { weight: 10000 }, B: { weight: 1 } }, 50, ['A', 'B', 'C'], {
  A: 50,
  B: 0,
  C: 0,
});
kubefed('TestWeight 3', { A: { weight: 10000 }, B: { weight: 1 } }, 50, ['B', 'C'], {
  B: 50,
  C: 0,
});
kubefed(
  'TestWeight 4',
  { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1 } },
  50,
  ['A', 'B', 'C'],
  { A: 10, B: 20, C: 20 },
);
kubefed(
  'TestWeight 5',
  { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1, maxReplicas: 10 } },
  50,
  ['A', 'B', 'C'],
  { A: 10, B: 30, C: 10 },
);
kubefed(
  'TestWeight 6',
  {
    A: { weight: 10000, maxReplicas: 10 },
    B: { weight: 1 },
    C: { weight: 1, maxReplicas: 21 },
    D: { weight: 1, maxReplicas: 10 },
  },
  71,
  ['A', 'B', 'C', 'D'],
  { A: 10, B: 30, C: 21, D: 10 },
);
kubefed(
  'TestWeight 7',
  {
    A: { weight: 10000, maxReplicas: 10 },
    B: { weight: 1 },
    C: { weight: 1, maxReplicas: 21 },
    D: { weight: 1, maxReplicas: 10 },
    E: { weight: 1 },
  },
  91,
  ['A', 'B', 'C', 'D', 'E'],
  { A: 10, B: 25, C: 21, D: 10, E: 25 },
);

// Not translated: KubeFed's TestEqualWithExisting (13 cases) feeds current replica counts per
// cluster, and TestWithExistingAndCapacity (8 cases) feeds capacity estimates and checks the
// overflow map. Both are live cluster state, which a build-time renderer never has; with them
// empty these inputs reduce to the cases above, so they are not repeated here.

test('fnv1_32: Go hash/fnv New32 known answers', () => {
  const vectors: [string, number][] = [
    ['', 0x811c9dc5],
    ['a', 0x050c5d7e],
    ['ab', 0x70772d38],
    ['abc', 0x439c2f4b],
    ['deno', 0x6ed5a7a9],
  ];
  for (const [text, want] of vectors) assert.is(fnv1_32(utf8.encode(text)), want, text);
});

test('fnv1_32: is FNV-1, not FNV-1a, and unsigned', () => {
  // FNV-1a of "a" is 0xe40c292c; above 2^31, so a signed result would show here too.
  assert.is.not(fnv1_32(utf8.encode('a')), 0xe40c292c);
  assert.is(fnv1_32(utf8.encode('')) > 0x7fffffff, true);
});

test('tie-break: the FNV-1 of the cluster name immediately followed by the key', () => {
  const candidates = ['east-1', 'west-2', 'north-3', 'south-4', 'cluster-a', 'cluster-b'];
  for (const key of ['', 'default/web', 'prod/api', 'team-x/worker', 'ns/ü-name']) {
    const hash = (name: string) => fnv1_32(utf8.encode(name + key));
    const want = [...candidates].sort((a, b) => hash(a) - hash(b));
    const result = plan({ '*': { weight: 1 } }, 1, candidates, key);
    assert.equal(result.participants, want, key);
    // The single replica goes to the smallest hash, not to the alphabetically first name.
    assert.is(result.replicas.get(want[0]!), 1, key);
  }
});

test('tie-break: weight before hash', () => {
  const result = plan({ A: { weight: 2 }, B: { weight: 1 }, C: { weight: 1 } }, 3, ['A', 'B', 'C']);
  // Hash order alone would be C, B, A ("C" hashes lowest with key ""); A's weight puts it first.
  assert.equal(result.participants, ['A', 'C', 'B']);
  assert.equal(asObject(result.replicas), { A: 2, B: 0, C: 1 });
});

test('defaults: absent or empty clusters spread evenly, as {"*": {weight: 1}}', () => {
  const want = plan({ '*': { weight: 1 } }, 50, ['A', 'B', 'C'], 'ns/app');
  for (const clusters of [undefined, {}]) {
    const result = plan(clusters, 50, ['A', 'B', 'C'], 'ns/app');
    assert.equal(asObject(result.replicas), asObject(want.replicas));
    assert.equal(result.participants, want.participants);
  }
});

test('defaults: an entry without weight has weight 0 and only gets its minReplicas', () => {
  const result = plan({ A: { minReplicas: 3 }, B: { weight: 1 } }, 10, ['A', 'B']);
  assert.equal(asObject(result.replicas), { A: 3, B: 7 });
  const noneWeighted = plan({ A: { minReplicas: 3 } }, 10, ['A']);
  assert.equal(asObject(noneWeighted.replicas), { A: 3 });
  assert.is(noneWeighted.unplaced, 7);
});

test('candidates: own entry over "*", and no entry at all means 0 and no part', () => {
  const result = plan({ A: { weight: 3 }, Z: { weight: 100 } }, 9, ['C', 'A', 'B']);
  assert.equal(asObject(result.replicas), { A: 9, B: 0, C: 0 });
  assert.equal(result.participants, ['A']);
  assert.equal([...result.replicas.keys()], ['A', 'B', 'C']);

  const star = plan({ A: { weight: 0 }, '*': { weight: 1 } }, 9, ['A', 'B']);
  assert.equal(asObject(star.replicas), { A: 0, B: 9 });
});

test('candidates: an entry whose value is null is an all-zero entry, not a miss', () => {
  const clusters = { A: null, '*': { weight: 1 } } as unknown as Record<string, ClusterPreference>;
  const result = plan(clusters, 4, ['A', 'B']);
  assert.equal(asObject(result.replicas), { A: 0, B: 4 });
  assert.equal(result.participants, ['B', 'A']);
});

test('candidates: duplicates count once; names are not looked up on Object.prototype', () => {
  const result = plan({ '*': { weight: 1 } }, 4, ['A', 'B', 'A', 'B']);
  assert.equal(asObject(result.replicas), { A: 2, B: 2 });
  const proto = plan({ x: { weight: 1 } }, 4, ['constructor', 'toString', 'x']);
  assert.equal(asObject(proto.replicas), { constructor: 0, toString: 0, x: 4 });
  assert.equal(proto.participants, ['x']);
});

test('no candidates, or no replicas', () => {
  assert.equal(plan({ '*': { weight: 1 } }, 5, []), {
    replicas: new Map(),
    participants: [],
    unplaced: 5,
  });
  const zero = plan({ '*': { weight: 1, minReplicas: 2 } }, 0, ['A', 'B']);
  assert.equal(asObject(zero.replicas), { A: 0, B: 0 });
  assert.is(zero.unplaced, 0);
});

test('rounding: ceil of the round-start pool, early clusters in planner order win', () => {
  // Planner order with key "": D, C, B, A. Pool 10 over weight 4: ceil(10/4) = 3 each while
  // replicas last.
  const result = plan({ '*': { weight: 1 } }, 10, ['A', 'B', 'C', 'D']);
  assert.equal(result.participants, ['D', 'C', 'B', 'A']);
  assert.equal(asObject(result.replicas), { A: 1, B: 3, C: 3, D: 3 });
});

test('maxReplicas: a cluster that lands exactly on it still counts in the next round', () => {
  // Planner order D (3), A (2), C, B (1 each; "C" hashes lower). Round 1, pool 7 over weight 7:
  // D 3 cut to 1 (closed), A 2, C 1 (= max, stays open), B 1. Round 2, pool 2 over A+C+B = 4:
  // A 1, C 1 cut back to 1 (closed), B 1. Had C closed in round 1, round 2 would split the pool
  // over A+B = 3 and give A both replicas: A 4, B 1.
  const result = plan(
    {
      A: { weight: 2 },
      B: { weight: 1, maxReplicas: 6 },
      C: { weight: 1, maxReplicas: 1 },
      D: { weight: 3, maxReplicas: 1 },
    },
    7,
    ['A', 'B', 'C', 'D'],
  );
  assert.equal(result.participants, ['D', 'A', 'C', 'B']);
  assert.equal(asObject(result.replicas), { A: 3, B: 2, C: 1, D: 1 });
  assert.is(result.unplaced, 0);
});

test('minReplicas above maxReplicas: max only applies in the weighted rounds', () => {
  // Nothing remains after the first pass, so no round runs and the min stands above the max.
  const allTaken = plan({ '*': { weight: 1, minReplicas: 5, maxReplicas: 2 } }, 5, ['A']);
  assert.equal(asObject(allTaken.replicas), { A: 5 });
  assert.is(allTaken.unplaced, 0);
  // With replicas left, the round cuts A to its max and gives the excess back to the pool;
  // A did not grow, so the rounds stop and the returned replicas stay unplaced.
  const cut = plan({ '*': { weight: 1, minReplicas: 5, maxReplicas: 2 } }, 20, ['A']);
  assert.equal(asObject(cut.replicas), { A: 2 });
  assert.is(cut.unplaced, 18);
  // A weight-0 cluster is cut too while another cluster keeps the rounds going.
  const shared = plan({ A: { minReplicas: 5, maxReplicas: 2 }, B: { weight: 1 } }, 20, ['A', 'B']);
  assert.equal(asObject(shared.replicas), { A: 2, B: 18 });
});

test('weights: all zero places only the minimums', () => {
  const result = plan({ '*': { weight: 0, minReplicas: 1 } }, 10, ['A', 'B', 'C']);
  assert.equal(asObject(result.replicas), { A: 1, B: 1, C: 1 });
  assert.is(result.unplaced, 7);
});

test('weights: a negative share is absorbed by the preallocated bookkeeping', () => {
  // Weights 2 and -1 sum to 1: A's share is 20, bounded to the 10 that remain; B's share is -10,
  // which KubeFed records as preallocated instead of removing replicas, so the plan settles.
  const result = plan({ A: { weight: 2 }, B: { weight: -1 } }, 10, ['A', 'B']);
  assert.equal(asObject(result.replicas), { A: 10, B: 0 });
  assert.is(result.unplaced, 0);
  // Weights that sum to zero or below share nothing: only minimums are placed.
  const cancelled = plan({ A: { weight: 1, minReplicas: 1 }, B: { weight: -1 } }, 10, ['A', 'B']);
  assert.equal(asObject(cancelled.replicas), { A: 1, B: 0 });
  assert.is(cancelled.unplaced, 9);
});

test('weights: int64 overflow wraps as in Go', () => {
  const w = 2 ** 52;
  // 1024 * 2^52 = 2^62 fits: (2^62 + 2^52 - 1) / 2^52 = 1024.
  assert.equal(asObject(plan({ A: { weight: w } }, 1024, ['A']).replicas), { A: 1024 });
  // 2048 * 2^52 = 2^63 wraps to -2^63: the share is negative and absorbed, nothing is placed.
  const wrapped = plan({ A: { weight: w } }, 2048, ['A']);
  assert.equal(asObject(wrapped.replicas), { A: 0 });
  assert.is(wrapped.unplaced, 2048);
  // 4096 * 2^52 = 2^64 wraps to 0: (0 + 2^52 - 1) / 2^52 = 0.
  assert.equal(asObject(plan({ A: { weight: w } }, 4096, ['A']).replicas), { A: 0 });
});

test('inputs the schema must reject first are broken invariants', () => {
  assert.throws(() => plan({ '*': { weight: 1 } }, 2 ** 31, ['A']), /totalReplicas/);
  assert.throws(() => plan({ '*': { weight: 1 } }, 1.5, ['A']), /totalReplicas/);
  assert.throws(() => plan({ '*': { weight: 0.5 } }, 1, ['A']), /weight of A/);
  assert.throws(() => plan({ '*': { weight: 1, maxReplicas: 2 ** 60 } }, 1, ['A']), /maxReplicas/);
  // An absent or null maxReplicas is unbounded, as KubeFed's nil pointer.
  const unbounded = { weight: 1, maxReplicas: null } as unknown as ClusterPreference;
  assert.equal(asObject(plan({ A: unbounded }, 7, ['A']).replicas), { A: 7 });
});

test.run();
