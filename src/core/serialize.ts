// The one serializer: plain JSON value -> canonical YAML text. Block style, 2-space indent,
// sequences flush with their key (as `kubectl kustomize` prints them), no anchors, no folding,
// strings quoted when YAML 1.1 or 1.2 would read them as anything but a string.
// Output for an unchanged subtree is cached by object identity: per-cluster copies share their
// unchanged subtrees (core/cow.ts), so a fleet of clusters serializes each shared subtree once.
import { Scalar, stringify } from 'yaml';
import type { Json, JsonObject } from '../types.js';
import { isObject } from './cow.js';

const STRINGIFY = { lineWidth: 0, minContentWidth: 0, blockQuote: 'literal' as const, indent: 2 };

/** Text of a scalar when it is the value of a key at column 0: first line, and the rest. */
interface ScalarText {
  first: string;
  rest: string[];
}

const scalarCache = new Map<string, ScalarText>();
const keyCache = new Map<string, string>();
/** Serialized block text of a map or sequence, per indentation. */
const blockCache = new WeakMap<object, Map<number, string>>();
const sortedKeysCache = new WeakMap<object, string[]>();

/** Forgets the scalar and key texts (the block cache goes with the objects it is keyed by). */
export function releaseSerializerCaches(): void {
  scalarCache.clear();
  keyCache.clear();
}

/**
 * What a value was copied from, for the cache: with a base, only the subtrees a value shares
 * with it are kept (a per-cluster copy's own spine is written once, so caching it only costs
 * memory and garbage collection); without one (FROZEN), every frozen subtree.
 */
const FROZEN = Symbol('frozen');
type Base = Json | undefined | typeof FROZEN;

/**
 * One object as one YAML document: apiVersion, kind, metadata first, then canonical order.
 * `base`: the object it is a per-cluster copy of, whose subtrees it shares.
 */
export function serializeDocument(obj: JsonObject, base?: JsonObject): string {
  const keys = topLevelKeys(obj);
  const from = base === undefined ? FROZEN : base === obj ? FROZEN : base;
  let out = '';
  for (const k of keys) out += entry(k, obj[k]!, 0, child(from, k));
  return out === '' ? '{}\n' : out;
}

/** Any JSON value as a YAML document (used for kustomization.yaml and records). */
export function serializeValue(value: Json): string {
  if (isObject(value)) return block(value, 0, FROZEN, sortedKeys(value, true)) || '{}\n';
  if (Array.isArray(value)) return value.length ? block(value, 0, FROZEN) : '[]\n';
  const s = scalar(value);
  return [s.first, ...s.rest].join('\n') + '\n';
}

function child(base: Base, key: string | number): Base {
  if (base === FROZEN) return FROZEN;
  if (typeof key === 'number') return Array.isArray(base) ? base[key] : undefined;
  return isObject(base) ? base[key] : undefined;
}

function topLevelKeys(obj: JsonObject): string[] {
  const first = ['apiVersion', 'kind', 'metadata'].filter((k) => k in obj);
  return [...first, ...sortedKeys(obj, false).filter((k) => !first.includes(k))];
}

function entry(key: string, value: Json, indent: number, base: Base): string {
  const pad = ' '.repeat(indent);
  const k = keyText(key);
  if (isObject(value)) {
    if (isEmpty(value)) return `${pad}${k}: {}\n`;
    return `${pad}${k}:\n${block(value, indent + 2, base)}`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}${k}: []\n`;
    // Sequences sit at the key's own column, as kustomize (go-yaml v3) prints them.
    return `${pad}${k}:\n${block(value, indent, base)}`;
  }
  return `${pad}${k}: ${scalarAt(value, indent)}`;
}

function isEmpty(o: JsonObject): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return false;
  return true;
}

/** A non-empty map or sequence, every line starting at `indent`. Cached per identity. */
function block(value: JsonObject | Json[], indent: number, base: Base, keys?: string[]): string {
  const cached = base === FROZEN ? Object.isFrozen(value) : value === base;
  let byIndent = cached ? blockCache.get(value) : undefined;
  const hit = byIndent?.get(indent);
  if (hit !== undefined) return hit;
  const from = cached ? FROZEN : base;
  let out = '';
  if (Array.isArray(value)) {
    const pad = ' '.repeat(indent);
    for (let i = 0; i < value.length; i++) out += `${pad}- ${seqItem(value[i]!, indent + 2, child(from, i))}`;
  } else {
    for (const k of keys ?? sortedKeys(value, cached)) out += entry(k, value[k]!, indent, child(from, k));
  }
  if (cached) {
    if (!byIndent) blockCache.set(value, (byIndent = new Map<number, string>()));
    byIndent.set(indent, flat(out));
  }
  return out;
}

/**
 * The string, flattened in place. V8 keeps `a + b` as a rope of its pieces, and every document
 * that includes a cached block copies it by walking that tree again: a block shared by twenty
 * clusters' files was walked twenty times when the texts went to the writer threads (~0.5 s of
 * a 2,000x20 build). Reading a character flattens the rope once, for all of them.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** The text after `- ` of a sequence item whose content sits at `indent`. */
function seqItem(item: Json, indent: number, base: Base): string {
  if (isObject(item)) {
    if (isEmpty(item)) return '{}\n';
    // The first entry shares the `- ` line; the rest keep the item's indentation.
    return block(item, indent, base).slice(indent);
  }
  if (Array.isArray(item)) {
    if (item.length === 0) return '[]\n';
    return block(item, indent, base).slice(indent);
  }
  return scalarAt(item, indent - 2);
}

/** A scalar value placed after `key: ` (or `- `) on a line whose key sits at `indent`. */
type JsonScalar = Exclude<Json, Json[] | JsonObject>;

function scalarAt(value: JsonScalar, indent: number): string {
  const s = scalar(value);
  if (s.rest.length === 0) return s.first + '\n';
  const pad = ' '.repeat(indent);
  return s.first + '\n' + s.rest.map((l) => (l === '' ? '' : pad + l)).join('\n') + '\n';
}

function scalar(value: JsonScalar): ScalarText {
  if (value === null) return { first: 'null', rest: [] };
  if (typeof value === 'boolean') return { first: String(value), rest: [] };
  if (typeof value === 'number') return { first: numberText(value), rest: [] };
  return stringText(value);
}

function numberText(n: number): string {
  if (Number.isNaN(n)) return '.nan';
  if (n === Infinity) return '.inf';
  if (n === -Infinity) return '-.inf';
  return String(n);
}

/**
 * A string's YAML text. Plain when both YAML 1.2 (kustomize, kubectl) and YAML 1.1 (older
 * tools: `yes`, `on`, `0755`, `12:30` are not strings there) read it back as this string;
 * otherwise quoted. Multi-line strings become literal blocks, never folded.
 */
function stringText(s: string): ScalarText {
  const cached = scalarCache.get(s);
  if (cached) return cached;
  // Most strings in manifests (names, images, labels) are plain in both YAML versions: say so
  // without asking the yaml library twice (test/serialize.test.ts checks that both agree).
  const result = isSurelyPlain(s) ? { first: s, rest: [] } : (literalBlock(s) ?? libraryStringText(s));
  scalarCache.set(s, result);
  return result;
}

/** The yaml library's answer; exported for the test that checks isSurelyPlain against it. */
export function libraryStringText(s: string): ScalarText {
  let text = stringify({ k: s }, STRINGIFY);
  if (isPlain(text.slice(3))) {
    const v11 = stringify({ k: s }, { ...STRINGIFY, version: '1.1' });
    if (!isPlain(v11.slice(3))) text = v11;
  }
  // `k: <first>\n  <rest>\n`: the rest is indented 2 relative to the key.
  const lines = text.slice(3).replace(/\n$/, '').split('\n');
  return { first: lines[0]!, rest: lines.slice(1) };
}

/**
 * The literal block the yaml library writes for a common multi-line string (a config file in a
 * ConfigMap): no control characters or tabs, no leading whitespace, no document markers, ending
 * in a non-blank character with at most one newline after it. Undefined for anything else.
 */
export function literalBlock(s: string): ScalarText | undefined {
  if (!s.includes('\n') || UNSAFE_IN_BLOCK.test(s) || /^(%|---|\.\.\.)/m.test(s)) return undefined;
  const clip = s.endsWith('\n');
  const body = clip ? s.slice(0, -1) : s;
  if (body === '' || /^[ \n]/.test(body) || /[ \n]$/.test(body)) return undefined;
  return { first: clip ? '|' : '|-', rest: body.split('\n').map((l) => (l === '' ? '' : '  ' + l)) };
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what it finds
const UNSAFE_IN_BLOCK = /[\x00-\x09\x0b-\x1f\x7f-\x9f\uD800-\uDFFF]/;

const SURELY_PLAIN = /^[A-Za-z][A-Za-z0-9._/@=+%:, -]*$/;
/** A command-line flag (`--cache-size=2Gi`): `--` and a letter start no indicator, number or word. */
const FLAG = /^--[A-Za-z][A-Za-z0-9._/@=+%:, -]*$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|[KMGTPE]i|[kMGTP])$/;
/**
 * What a letter-first string may be read as: YAML 1.1 / 1.2 booleans and null, and YAML 1.1
 * floats with an empty mantissa (`e1`).
 */
const KEYWORDS = /^(y|n|yes|no|on|off|true|false|null|e[-+]?[0-9]+)$/i;

/**
 * A string that starts with a letter and uses only these characters can only be misread as one
 * of those words, or through `: `, ` #`, a trailing `:` or space; otherwise it is plain.
 */
export function isSurelyPlain(s: string): boolean {
  // Resource quantities (`250m`, `1.5Gi`): a unit after the digits is no number in either version.
  if (QUANTITY.test(s)) return true;
  return (
    (SURELY_PLAIN.test(s) || FLAG.test(s)) &&
    !KEYWORDS.test(s) &&
    !s.endsWith(' ') &&
    !s.endsWith(':') &&
    !s.includes(': ') &&
    !s.includes(' #')
  );
}

function isPlain(text: string): boolean {
  return !/^["'|>]/.test(text);
}

function keyText(key: string): string {
  let k = keyCache.get(key);
  if (k === undefined) {
    const s = stringText(key);
    // A key must fit one line; a multi-line key is written double-quoted (JSON is valid YAML).
    k = s.rest.length || /^[|>]/.test(s.first) ? forceDoubleQuoted(key) : s.first;
    keyCache.set(key, k);
  }
  return k;
}

function forceDoubleQuoted(s: string): string {
  const node = new Scalar(s);
  node.type = Scalar.QUOTE_DOUBLE;
  return stringify(node, STRINGIFY).replace(/\n$/, '');
}

/** Sorted keys by the keys in insertion order: per-cluster copies of one object share it. */
const orderCache = new Map<string, string[]>();

function sortedKeys(obj: JsonObject, cache: boolean): string[] {
  let keys = cache ? sortedKeysCache.get(obj) : undefined;
  if (!keys) {
    const own = Object.keys(obj);
    const signature = own.join('\u0000');
    keys = orderCache.get(signature);
    if (!keys) orderCache.set(signature, (keys = own.sort(compareKeys)));
    if (cache && Object.isFrozen(obj)) sortedKeysCache.set(obj, keys);
  }
  return keys;
}

/**
 * Map key order as `kubectl kustomize` prints it (go-yaml v3's key sorter): runs of digits
 * compare as numbers, a non-letter sorts before a letter except right after a digit, letters
 * compare by code point, and a prefix sorts first. Deterministic and locale-free.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const ar = Array.from(a);
  const br = Array.from(b);
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i]!;
    const bc = br[i]!;
    if (ac === bc) {
      digits = isDigit(ac);
      continue;
    }
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return ac < bc ? -1 : 1;
    if (al || bl) return (digits ? al : bl) ? -1 : 1;
    let an = 0n;
    let bn = 0n;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10n + BigInt(ar[ai]!.charCodeAt(0) - 48);
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10n + BigInt(br[bi]!.charCodeAt(0) - 48);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return ac < bc ? -1 : 1;
  }
  return ar.length < br.length ? -1 : ar.length > br.length ? 1 : 0;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isLetter(c: string): boolean {
  return /\p{L}/u.test(c);
}
