// Label selectors with Kubernetes' semantics (metav1.LabelSelectorAsSelector): a null or absent
// selector selects nothing, `{}` selects everything, requirements are AND-ed, and NotIn /
// DoesNotExist match objects that do not have the label at all.
import type { LabelSelector } from '../types.js';
import { isObject } from './cow.js';

export function selectorMatches(
  selector: LabelSelector | null | undefined,
  labels: Record<string, string>,
): boolean {
  if (selector === null || selector === undefined) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(labels[req.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[req.key]!)) return false;
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
