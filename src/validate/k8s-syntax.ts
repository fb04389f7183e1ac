// The string syntaxes the API server checks, as k8s.io/apimachinery/pkg/util/validation defines
// them (IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label, IsQualifiedName, IsValidLabelValue,
// IsValidPortName, IsConfigMapKey) and resource.ParseQuantity's grammar. Each returns the
// problem in words, or undefined when the value is valid.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
// resource.ParseQuantity: <signedNumber><suffix>, suffix binary SI, decimal SI or an exponent.
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const QUANTITY_SCALE: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

export const DNS1123_LABEL_WHAT = 'a DNS-1123 label (lower-case letters, digits, "-"; at most 63)';
export const DNS1123_SUBDOMAIN_WHAT =
  'a DNS-1123 subdomain (lower-case letters, digits, "-" and "."; at most 253)';

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

export function isDns1035Label(s: string): boolean {
  return s.length <= 63 && DNS1035_LABEL.test(s);
}

/** path.IsValidPathSegmentName: RBAC and other names that only travel in a URL path. */
export function isPathSegmentName(s: string): boolean {
  return s.length > 0 && s !== '.' && s !== '..' && !/[/%]/.test(s);
}

/** IsQualifiedName: label and annotation keys, selector keys, extended resource names. */
export function qualifiedNameProblem(key: string): string | undefined {
  // A fleet repeats a few dozen keys on every object of every cluster: each is checked once.
  if (keyProblems.has(key)) return keyProblems.get(key);
  if (keyProblems.size >= 10_000) keyProblems.clear();
  const problem = checkQualifiedName(key);
  keyProblems.set(key, problem);
  return problem;
}
const keyProblems = new Map<string, string | undefined>();

function checkQualifiedName(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDns1123Subdomain(prefix))
    return 'has a prefix that is not a DNS-1123 subdomain';
  if (!(name.length <= 63 && QUALIFIED_NAME.test(name)))
    return 'must be a qualified name: at most 63 letters, digits, "-", "_", ".", starting and ending with a letter or digit, with an optional DNS prefix and "/"';
  return undefined;
}

/** IsValidLabelValue. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && QUALIFIED_NAME.test(value))) return undefined;
  return 'must be at most 63 characters: letters, digits, "-", "_", ".", starting and ending with a letter or digit';
}

/** IsValidPortName (IANA_SVC_NAME): what a named port may be called. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return 'must be at most 15 characters';
  if (!/^[-a-z0-9]+$/.test(name)) return 'must contain only lower-case letters, digits and "-"';
  if (!/[a-z]/.test(name)) return 'must contain at least one letter';
  if (name.includes('--')) return 'must not contain consecutive "-"';
  if (name.startsWith('-') || name.endsWith('-')) return 'must not begin or end with "-"';
  return undefined;
}

/** IsConfigMapKey: keys of ConfigMap and Secret data. */
export function configMapKeyProblem(key: string): string | undefined {
  if (key.length > 253) return 'must be at most 253 characters';
  if (!CONFIG_MAP_KEY.test(key)) return 'must consist of letters, digits, "-", "_" or "."';
  if (key === '.' || key === '..' || key.startsWith('..')) return 'must not be "." or start with ".."';
  return undefined;
}

/** A quantity's value (approximate, for signs and comparisons), or undefined when it does not parse. */
export function parseQuantity(q: string | number): number | undefined {
  if (typeof q === 'number') return q;
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  const suffix = m[2] ?? '';
  // The regular expression's group 1 always matches; a suffix not in the table is an exponent.
  const scale = QUANTITY_SCALE[suffix] ?? 10 ** Number(suffix.slice(1));
  return Number(m[1]!) * scale;
}
