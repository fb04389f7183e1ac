// Label selectors with Kubernetes' semantics (metav1.LabelSelectorAsSelector): a null or absent
// selector selects nothing, `{}` selects everything, requirements are AND-ed, and NotIn /
// DoesNotExist match objects that do not have the label at all.
import type { LabelSelector } from '../types.js';

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
