// Secret values never leave the diff: a changed, added or removed value under a Secret's `data`
// or `stringData` is replaced by a marker in every format. The rendered tree may hold them
// (output.allowSecrets), but a PR comment is read far more widely than the repository.
import type { DiffObject, FieldChange } from './types.js';

export const REDACTED = '<redacted, changed>';

const SECRET_FIELDS = new Set(['data', 'stringData']);

export function isSecret(o: DiffObject): boolean {
  return o.kind === 'Secret' && o.apiVersion === 'v1';
}

export function redactFields(object: DiffObject, fields: FieldChange[]): FieldChange[] {
  if (!isSecret(object)) return fields;
  return fields.map((f) => {
    const top = f.path.split('/')[1] ?? '';
    if (!SECRET_FIELDS.has(top)) return f;
    return {
      ...f,
      ...(f.from !== undefined ? { from: REDACTED } : {}),
      ...(f.to !== undefined ? { to: REDACTED } : {}),
    };
  });
}
