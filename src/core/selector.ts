// Label selectors with Kubernetes' semantics (metav1.LabelSelectorAsSelector): a null or absent
// selector selects nothing, `{}` selects everything, requirements are AND-ed, and NotIn /
// DoesNotExist match objects that do not have the label at all. A selector that apimachinery's
// labels.NewRequirement (v0.22) rejects is an error where KubeFed evaluated it, so it selects
// nothing here: every selector fedrender evaluates goes through selectorMatches.
import type { LabelSelector } from '../types.js';
import { isObject } from './cow.js';

export function selectorMatches(
  selector: LabelSelector | null | undefined,
  labels: Readonly<Record<string, unknown>>,
): boolean {
  if (selector === null || selector === undefined) return false;
  // A value that is not a selector at all (`clusterSelector: -1`) selects nothing, as it cannot
  // be decoded. KubeFed objects' selectors are schema-checked before placement reads them
  // (validate/kubefed-inputs.ts); this keeps any other caller from crashing on one.
  if (!isObject(selector) || !isValidSelector(selector)) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const label = labels[req.key];
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || typeof label !== 'string' || !values.includes(label)) return false;
        break;
      case 'NotIn':
        if (has && typeof label === 'string' && values.includes(label)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

const OPERATORS: readonly unknown[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** A value shaped as a metav1.LabelSelector (null lists allowed, as Kubernetes decodes them). */
export function isLabelSelector(v: unknown): v is LabelSelector {
  if (!isObject(v)) return false;
  const { matchLabels, matchExpressions } = v;
  const labelsOk =
    matchLabels === undefined ||
    matchLabels === null ||
    (isObject(matchLabels) && Object.values(matchLabels).every((l) => typeof l === 'string'));
  const expressionsOk =
    matchExpressions === undefined ||
    matchExpressions === null ||
    (Array.isArray(matchExpressions) && matchExpressions.every(isRequirement));
  return labelsOk && expressionsOk;
}

function isRequirement(r: unknown): boolean {
  if (!isObject(r) || typeof r.key !== 'string' || !OPERATORS.includes(r.operator)) return false;
  const values = r.values;
  return (
    values === undefined ||
    values === null ||
    (Array.isArray(values) && values.every((x) => typeof x === 'string'))
  );
}

const validity = new WeakMap<object, boolean>();

function isValidSelector(selector: LabelSelector): boolean {
  let ok = validity.get(selector);
  if (ok === undefined) {
    ok = selectorProblems(selector).length === 0;
    validity.set(selector, ok);
  }
  return ok;
}

export interface SelectorProblem {
  /** Path of the offending node inside the selector. */
  path: (string | number)[];
  message: string;
}

// k8s.io/apimachinery/pkg/util/validation: IsQualifiedName and IsValidLabelValue.
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function keyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `invalid label key "${key}": a qualified name has at most one "/"`;
  const name = parts[parts.length - 1] ?? '';
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix === '') return `invalid label key "${key}": the prefix before "/" must be non-empty`;
    if (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))
      return `invalid label key "${key}": the prefix must be a DNS-1123 subdomain (lower case, at most 253 characters)`;
  }
  if (name === '') return `invalid label key "${key}": the name part must be non-empty`;
  if (name.length > 63) return `invalid label key "${key}": the name part must be at most 63 characters`;
  if (!NAME.test(name))
    return `invalid label key "${key}": alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`;
  return undefined;
}

function valueProblem(value: string): string | undefined {
  if (value.length > 63) return `invalid label value "${value}": at most 63 characters`;
  if (value !== '' && !NAME.test(value))
    return `invalid label value "${value}": empty, or alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`;
  return undefined;
}

/**
 * Why labels.NewRequirement (apimachinery v0.22) would reject this selector, through
 * metav1.LabelSelectorAsSelector: keys must be qualified names, values label values; In and
 * NotIn need values, Exists and DoesNotExist take none; other operators are unknown.
 * Type errors are the schemas' business and are skipped here.
 */
export function selectorProblems(selector: unknown): SelectorProblem[] {
  const out: SelectorProblem[] = [];
  if (!isObject(selector)) return out;
  const ml = selector.matchLabels;
  if (isObject(ml)) {
    for (const [k, v] of Object.entries(ml)) {
      const kp = keyProblem(k);
      if (kp) out.push({ path: ['matchLabels', k], message: kp });
      const vp = typeof v === 'string' ? valueProblem(v) : undefined;
      if (vp) out.push({ path: ['matchLabels', k], message: vp });
    }
  }
  const me = selector.matchExpressions;
  (Array.isArray(me) ? me : []).forEach((req, i) => {
    if (!isObject(req)) return;
    const key = typeof req.key === 'string' ? req.key : '';
    const kp = keyProblem(key);
    if (kp) out.push({ path: ['matchExpressions', i, 'key'], message: kp });
    const values = Array.isArray(req.values) ? req.values : [];
    const at: string[] = req.values === undefined ? [] : ['values'];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0)
          out.push({
            path: ['matchExpressions', i, ...at],
            message: `operator ${req.operator} needs at least one value`,
          });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0)
          out.push({
            path: ['matchExpressions', i, 'values'],
            message: `operator ${req.operator} takes no values`,
          });
        break;
      default:
        out.push({
          path: ['matchExpressions', i, 'operator'],
          message: `${JSON.stringify(req.operator ?? null)} is not a valid selector operator (In, NotIn, Exists, DoesNotExist)`,
        });
    }
    values.forEach((v, j) => {
      const vp = typeof v === 'string' ? valueProblem(v) : undefined;
      if (vp) out.push({ path: ['matchExpressions', i, 'values', j], message: vp });
    });
  });
  return out;
}
