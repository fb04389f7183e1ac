// The one serializer: canonical key order, YAML 1.1-safe quoting, literal blocks, and a
// round trip that gives back exactly the value, for hand-picked and random values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import {
  compareKeys,
  isSurelyPlain,
  libraryStringText,
  literalBlock,
  serializeDocument,
  serializeValue,
} from '../src/core/serialize.js';
import { deepFreeze } from '../src/core/cow.js';
import type { Json, JsonObject } from '../src/types.js';

test('apiVersion, kind, metadata first at the top, then kustomize key order, recursively', () => {
  const text = serializeDocument({
    spec: { b: 1, a: { d: 1, c: 2 } },
    metadata: { name: 'x' },
    kind: 'K',
    data: { z: '1' },
    apiVersion: 'v1',
  });
  assert.is(
    text,
    'apiVersion: v1\nkind: K\nmetadata:\n  name: x\ndata:\n  z: "1"\nspec:\n  a:\n    c: 2\n    d: 1\n  b: 1\n',
  );
});

test('key order matches go-yaml v3 as kubectl kustomize prints it', () => {
  // Observed from `kubectl kustomize` (kustomize v5.5): _x, "9", "10", Ab, Z, a.
  const keys = ['a', 'Z', 'Ab', '10', '9', '_x'].sort(compareKeys);
  assert.equal(keys, ['_x', '9', '10', 'Ab', 'Z', 'a']);
  assert.equal(['file-10.txt', 'file-2.txt', 'file-1.txt'].sort(compareKeys), [
    'file-1.txt',
    'file-2.txt',
    'file-10.txt',
  ]);
  assert.equal(['metadata', 'apiVersion', 'kind', 'spec'].sort(compareKeys), [
    'apiVersion',
    'kind',
    'metadata',
    'spec',
  ]);
});

test('strings that YAML 1.1 or 1.2 would read as something else are quoted', () => {
  for (const s of [
    'yes',
    'no',
    'on',
    'off',
    'y',
    'n',
    'true',
    'False',
    'null',
    '~',
    '0755',
    '0o17',
    '1e3',
    '1.0',
    '12:30',
    '2001-12-14',
    '',
    ' lead',
    'a: b',
    '#x',
    '- x',
    '*a',
  ]) {
    const text = serializeValue({ k: s });
    assert.ok(/^k: ["']/.test(text), `${JSON.stringify(s)} must be quoted, got ${text}`);
    assert.equal(parse(text, { version: '1.1' }), { k: s }, `1.1 round trip of ${JSON.stringify(s)}`);
    assert.equal(parse(text), { k: s }, `1.2 round trip of ${JSON.stringify(s)}`);
  }
  assert.is(serializeValue({ k: 'nginx:1.17.0-alpine' }), 'k: nginx:1.17.0-alpine\n');
  assert.is(serializeValue({ yes: 1 }), '"yes": 1\n');
});

test('multi-line strings are literal blocks at the right indentation, never folded', () => {
  const long = 'x'.repeat(300);
  const text = serializeValue({ a: { script: 'line1\n  line2\n', nolf: 'a\nb', long }, list: ['p\nq\n'] });
  assert.is(
    text,
    `a:\n  long: ${long}\n  nolf: |-\n    a\n    b\n  script: |\n    line1\n      line2\nlist:\n- |\n  p\n  q\n`,
  );
});

test('sequences sit flush with their key; maps in sequences start on the dash line', () => {
  const text = serializeValue({ c: [{ name: 'a', ports: [{ p: 1 }] }, [1, 2], {}, []], e: [], m: {} });
  assert.is(text, 'c:\n- name: a\n  ports:\n  - p: 1\n- - 1\n  - 2\n- {}\n- []\ne: []\nm: {}\n');
});

test('cached output for a shared subtree is identical to a fresh serialization', () => {
  const shared = deepFreeze<JsonObject>({ containers: [{ name: 'a', image: 'nginx' }], volumes: [] });
  const a = serializeDocument({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: shared });
  const b = serializeDocument({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: shared });
  const c = serializeDocument({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'a' },
    spec: structuredClone(shared),
  });
  assert.is(a, b);
  assert.is(a, c);
});

// A small seeded PRNG so the property test is deterministic.
function rng(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

const ATOMS = [
  'yes',
  'on',
  '0755',
  'a b',
  'a: b',
  '',
  ' ',
  'x\ny',
  'x\n',
  'x\n\n',
  ' lead\nx',
  'tab\tx',
  '#',
  '-',
  '---',
  '...',
  'é',
  '"q"',
  "'s'",
  '\\',
  '%',
  '@',
  '`',
  '12:30',
  '1e3',
  'null',
  'True',
  'NO',
  'ok',
  '\u0007',
  'a\r\nb',
];

function randomValue(r: () => number, depth: number): Json {
  const k = r();
  if (depth > 3 || k < 0.4) {
    const n = r();
    if (n < 0.15) return Math.floor(r() * 2000) - 1000;
    if (n < 0.2) return r() < 0.5;
    if (n < 0.25) return null;
    if (n < 0.3) return Math.round(r() * 1000) / 8;
    return ATOMS[Math.floor(r() * ATOMS.length)] + (r() < 0.3 ? String(Math.floor(r() * 10)) : '');
  }
  if (k < 0.7) {
    const o: JsonObject = {};
    const n = Math.floor(r() * 5);
    for (let i = 0; i < n; i++) {
      const key = randomValue(r, 9);
      o[typeof key === 'string' ? key : JSON.stringify(key)] = randomValue(r, depth + 1);
    }
    return o;
  }
  return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
}

test('random values round-trip through the serializer under YAML 1.2 and 1.1', () => {
  const r = rng(42);
  for (let i = 0; i < 500; i++) {
    const v = { root: randomValue(r, 0) };
    const text = serializeValue(v);
    assert.equal(parse(text, { uniqueKeys: false }), v, `case ${i}:\n${text}`);
    assert.equal(parse(text, { version: '1.1', uniqueKeys: false }), v, `case ${i} (1.1):\n${text}`);
  }
});

test('the plain fast path agrees with the yaml library on every string it takes', () => {
  // Words that stress it: YAML keywords in every case, indicators, numbers, near-misses.
  const atoms = [
    'a',
    'Z',
    'yes',
    'No',
    'ON',
    'off',
    'y',
    'N',
    'true',
    'False',
    'null',
    'NULL',
    '~',
    'x',
    'nginx',
    '1',
    '0',
    '1e3',
    '.5',
    ':',
    ': ',
    ' #',
    '#',
    ' ',
    ',',
    '-',
    '/',
    '@',
    '=',
    '+',
    '%',
    '.',
    '_',
    'http://a.b/c',
    'a:b',
    '1.27',
    'v1',
    'Inf',
    'inf',
    'NaN',
    'nan',
    'e',
    'E',
    '0x1F',
    '12:30',
    '--',
    '--a',
    '-',
    '250',
    '1.5',
    'm',
    'Mi',
    'Gi',
    'k',
    'M',
    'E',
    'Ei',
    '0',
  ];
  let checked = 0;
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const samples = [...atoms];
  for (let i = 0; i < 20000; i++) {
    const n = 1 + Math.floor(next() * 4);
    samples.push(Array.from({ length: n }, () => atoms[Math.floor(next() * atoms.length)]).join(''));
  }
  for (const s of samples) {
    if (!isSurelyPlain(s)) continue;
    checked++;
    assert.equal(libraryStringText(s), { first: s, rest: [] }, JSON.stringify(s));
  }
  assert.ok(checked > 1000, `only ${checked} strings took the fast path`);
});

test('the literal block fast path agrees with the yaml library on every string it takes', () => {
  const atoms = [
    'a',
    'b c',
    ' ',
    '  ',
    '\n',
    '\n\n',
    '\t',
    '#',
    ': ',
    '---',
    '...',
    '%',
    '|',
    '>',
    '-',
    'é',
    'key: v',
    '"q"',
  ];
  let checked = 0;
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 20000; i++) {
    const n = 2 + Math.floor(next() * 8);
    const s = Array.from({ length: n }, () => atoms[Math.floor(next() * atoms.length)]).join('');
    const fast = literalBlock(s);
    if (!fast) continue;
    checked++;
    assert.equal(fast, libraryStringText(s), JSON.stringify(s));
  }
  assert.ok(checked > 1000, `only ${checked} strings took the fast path`);
});

test.run();
