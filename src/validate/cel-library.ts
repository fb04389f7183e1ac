// The CEL environment CRD rules run in: @marcbachmann/cel-js with the Kubernetes libraries that
// rules commonly call, after k8s.io/apiserver/pkg/cel/library and cel-go's strings extension:
// lists (isSorted, sum, min, max, indexOf, lastIndexOf), strings (charAt, replace, ...), regex
// (find, findAll), URLs (url, isURL and the URL getters), isIP and quantities (quantity, isQuantity
// and the Quantity methods). Anything else a rule calls makes it "unsupported" (cel-rules.ts).
import { Environment } from '@marcbachmann/cel-js';
import { isIP } from 'node:net';
import { ajvPattern } from './openapi-schema.js';

type Value = unknown;

function compare(a: Value, b: Value): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint'))
    return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new Error('no such overload: values are not comparable');
}

function equal(a: Value, b: Value): boolean {
  try {
    return compare(a, b) === 0;
  } catch {
    return false;
  }
}

/** The URL library's value: Go's url.Parse of an absolute URI or an absolute path. */
export class KubernetesURL {
  constructor(
    readonly scheme: string,
    readonly host: string,
    readonly hostname: string,
    readonly port: string,
    readonly path: string,
    readonly query: string,
  ) {}

  static parse(s: string): KubernetesURL | undefined {
    if (s.startsWith('/')) {
      const [path = s, query = ''] = s.split('?', 2);
      return new KubernetesURL('', '', '', '', path, query);
    }
    if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s)) return undefined;
    try {
      const u = new URL(s);
      // WHATWG adds a `/` path to a bare host; Go keeps it empty.
      const path = /^[^:]+:\/\/[^/?#]*$/.test(s.split(/[?#]/)[0] ?? s) ? '' : u.pathname;
      return new KubernetesURL(
        u.protocol.slice(0, -1),
        u.host,
        u.hostname.replace(/^\[(.*)\]$/, '$1'),
        u.port,
        path,
        u.search.slice(1),
      );
    } catch {
      return undefined;
    }
  }
}

interface Fraction {
  num: bigint;
  den: bigint;
}

// Quantities as resource.ParseQuantity reads them: a signed decimal and a suffix (binary Ki..Ei,
// decimal n..E, or an exponent e/E). Kept as exact fractions, so 1Gi > 1000Mi is exact.
const BINARY: Record<string, bigint> = { Ki: 1n, Mi: 2n, Gi: 3n, Ti: 4n, Pi: 5n, Ei: 6n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

export class KubernetesQuantity {
  constructor(readonly value: Fraction) {}

  static parse(s: string): KubernetesQuantity | undefined {
    const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(s);
    if (!m) return undefined;
    const [, sign, digits = '', exp, suffix = ''] = m;
    const [int = '', frac = ''] = digits.split('.');
    let num = BigInt(int + frac || '0');
    let den = 10n ** BigInt(frac.length);
    if (sign === '-') num = -num;
    const binary = BINARY[suffix];
    const e = exp ? Number(exp.slice(1)) : binary !== undefined ? 0 : (DECIMAL[suffix] ?? 0);
    if (binary !== undefined) num *= 1024n ** binary;
    if (e >= 0) num *= 10n ** BigInt(e);
    else den *= 10n ** BigInt(-e);
    return new KubernetesQuantity({ num, den });
  }

  compare(o: KubernetesQuantity | bigint): bigint {
    const b = typeof o === 'bigint' ? { num: o, den: 1n } : o.value;
    const d = this.value.num * b.den - b.num * this.value.den;
    return d < 0n ? -1n : d > 0n ? 1n : 0n;
  }

  plus(o: KubernetesQuantity | bigint, sign: bigint): KubernetesQuantity {
    const b = typeof o === 'bigint' ? { num: o, den: 1n } : o.value;
    const a = this.value;
    return new KubernetesQuantity({ num: a.num * b.den + sign * b.num * a.den, den: a.den * b.den });
  }
}

/**
 * An RE2 pattern as JavaScript runs it: the Go syntax ajvPattern translates, and leading inline
 * flags (`(?i)`, also after `^`, as Gateway API's GRPCRoute method rule writes it) as flags.
 */
export function goRegExp(pattern: string, flags = ''): RegExp {
  const key = `${flags}/${pattern}`;
  let re = regexps.get(key);
  if (!re) regexps.set(key, (re = compileGoRegExp(pattern, flags)));
  // A global RegExp keeps lastIndex between calls: start each use afresh.
  re.lastIndex = 0;
  return re;
}

const regexps = new Map<string, RegExp>();

function compileGoRegExp(pattern: string, flags: string): RegExp {
  const m = /^(\^?)\(\?([ims]+)\)/.exec(pattern);
  const body = m ? m[1] + pattern.slice(m[0].length) : pattern;
  const all = new Set([...flags, ...(m?.[2] ?? ''), 'u']);
  try {
    return new RegExp(ajvPattern(body) ?? body, [...all].join(''));
  } catch {
    throw new Error(`invalid regular expression: ${pattern}`);
  }
}

/** A fresh environment (each is frozen by its first use, so one is shared per process). */
export function kubernetesCelEnvironment(): Environment {
  const env = new Environment({
    unlistedVariablesAreDyn: true,
    homogeneousAggregateLiterals: false,
    // Kubernetes enables optional fields (`self.?a.orValue(...)`) since 1.29.
    enableOptionalTypes: true,
  });
  env.registerType('URL', KubernetesURL);
  env.registerType('Quantity', KubernetesQuantity);
  const fn = (signature: string, handler: (...args: never[]) => unknown) =>
    env.registerFunction(signature, handler);

  // lists
  fn('list.isSorted(): bool', (l: Value[]) => l.every((x, i) => i === 0 || compare(l[i - 1], x) <= 0));
  fn('list.sum(): dyn', (l: Value[]) =>
    l.length === 0
      ? 0n
      : l.reduce((s, x) => (typeof s === 'bigint' && typeof x === 'bigint' ? s + x : Number(s) + Number(x))),
  );
  fn('list.min(): dyn', (l: Value[]) => {
    if (l.length === 0) throw new Error('min called on an empty list');
    return l.reduce((m, x) => (compare(x, m) < 0 ? x : m));
  });
  fn('list.max(): dyn', (l: Value[]) => {
    if (l.length === 0) throw new Error('max called on an empty list');
    return l.reduce((m, x) => (compare(x, m) > 0 ? x : m));
  });
  fn('list.indexOf(dyn): int', (l: Value[], v: Value) => BigInt(l.findIndex((x) => equal(x, v))));
  fn('list.lastIndexOf(dyn): int', (l: Value[], v: Value) => {
    for (let i = l.length - 1; i >= 0; i--) if (equal(l[i], v)) return BigInt(i);
    return -1n;
  });

  // strings (cel-go's ext.Strings beyond what the evaluator has)
  fn('string.charAt(int): string', (s: string, i: bigint) => {
    if (i < 0n || i > BigInt(s.length)) throw new Error(`index out of range: ${i}`);
    return s.charAt(Number(i));
  });
  fn('string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b));
  fn('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
    const parts = s.split(a);
    if (n < 0n || n >= BigInt(parts.length - 1)) return parts.join(b);
    return parts.slice(0, Number(n) + 1).join(b) + a + parts.slice(Number(n) + 1).join(a);
  });
  fn('string.reverse(): string', (s: string) => [...s].reverse().join(''));

  // regex: RE2 and JavaScript agree on the patterns CRD rules use; `u` keeps code points whole.
  // matches() is the evaluator's own, with JavaScript syntax: rules call matchesRE2 (cel-rules.ts).
  fn('string.matchesRE2(string): bool', (s: string, re: string) => goRegExp(re).test(s));
  fn('matchesRE2(string, string): bool', (s: string, re: string) => goRegExp(re).test(s));
  fn('string.find(string): string', (s: string, re: string) => goRegExp(re).exec(s)?.[0] ?? '');
  fn('string.findAll(string): list<string>', (s: string, re: string) =>
    [...s.matchAll(goRegExp(re, 'g'))].map((m) => m[0]),
  );
  fn('string.findAll(string, int): list<string>', (s: string, re: string, n: bigint) => {
    const all = [...s.matchAll(goRegExp(re, 'g'))].map((m) => m[0]);
    return n < 0n ? all : all.slice(0, Number(n));
  });

  // URLs
  fn('isURL(string): bool', (s: string) => KubernetesURL.parse(s) !== undefined);
  fn('url(string): URL', (s: string) => {
    const u = KubernetesURL.parse(s);
    if (!u) throw new Error(`URL parse error during conversion from string: ${s}`);
    return u;
  });
  fn('URL.getScheme(): string', (u: KubernetesURL) => u.scheme);
  fn('URL.getHost(): string', (u: KubernetesURL) => u.host);
  fn('URL.getHostname(): string', (u: KubernetesURL) => u.hostname);
  fn('URL.getPort(): string', (u: KubernetesURL) => u.port);
  fn('URL.getEscapedPath(): string', (u: KubernetesURL) => u.path);
  fn('URL.getQuery(): map<string, list<string>>', (u: KubernetesURL) => {
    const out = new Map<string, string[]>();
    for (const [k, v] of new URLSearchParams(u.query)) out.set(k, [...(out.get(k) ?? []), v]);
    return out;
  });

  // IP addresses (library.IP's isIP): netip.ParseAddr without zones or IPv4-mapped IPv6 forms.
  fn('isIP(string): bool', (s: string) => isIP(s) !== 0 && !s.includes('%') && !/^::ffff:\d/i.test(s));

  // quantities
  fn('isQuantity(string): bool', (s: string) => KubernetesQuantity.parse(s) !== undefined);
  fn('quantity(string): Quantity', (s: string) => {
    const q = KubernetesQuantity.parse(s);
    if (!q) throw new Error(`quantities must match the regular expression: ${s}`);
    return q;
  });
  fn('Quantity.sign(): int', (q: KubernetesQuantity) => q.compare(0n));
  fn('Quantity.isInteger(): bool', (q: KubernetesQuantity) => q.value.num % q.value.den === 0n);
  fn('Quantity.asInteger(): int', (q: KubernetesQuantity) => {
    if (q.value.num % q.value.den !== 0n) throw new Error('cannot convert value to integer');
    return q.value.num / q.value.den;
  });
  fn(
    'Quantity.asApproximateFloat(): double',
    (q: KubernetesQuantity) => Number(q.value.num) / Number(q.value.den),
  );
  for (const other of ['Quantity', 'int']) {
    fn(
      `Quantity.isGreaterThan(${other}): bool`,
      (q: KubernetesQuantity, o: KubernetesQuantity | bigint) => q.compare(o) > 0n,
    );
    fn(
      `Quantity.isLessThan(${other}): bool`,
      (q: KubernetesQuantity, o: KubernetesQuantity | bigint) => q.compare(o) < 0n,
    );
    fn(`Quantity.compareTo(${other}): int`, (q: KubernetesQuantity, o: KubernetesQuantity | bigint) =>
      q.compare(o),
    );
    fn(`Quantity.add(${other}): Quantity`, (q: KubernetesQuantity, o: KubernetesQuantity | bigint) =>
      q.plus(o, 1n),
    );
    fn(`Quantity.sub(${other}): Quantity`, (q: KubernetesQuantity, o: KubernetesQuantity | bigint) =>
      q.plus(o, -1n),
    );
  }
  return env;
}
