// mulberry32: a tiny seeded PRNG, the same sequence on every platform, so a property test, a fuzz
// run or a generated benchmark fleet can be replayed from its seed. Shared by test/ and bench/.

export type Rand = () => number;

export function prng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
