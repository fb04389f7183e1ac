// Every object of the input documents, as kubectl reads them: `kind: List` expanded (what
// `kubectl get -o yaml` prints), each checked for the basic shape of a Kubernetes object.
import { Reporter } from '../core/diagnostics.js';
import { isObject } from '../core/cow.js';
import { child, posOf, ref, type SourceRef } from '../core/source.js';
import type { ParsedDoc } from '../core/yaml-source.js';
import type { Json, JsonObject } from '../types.js';

/** Every object of every document, `kind: List` expanded (as `kubectl get -o yaml` prints), each checked for the basic shape. */
export function* inputObjects(
  docs: readonly ParsedDoc[],
  reporter: Reporter | undefined,
): Generator<{ source: ParsedDoc['source']; value: JsonObject; at: SourceRef; verbatim?: string }> {
  for (const d of docs) {
    const root = ref(d.source);
    const v = d.value;
    if (
      isObject(v) &&
      typeof v.kind === 'string' &&
      v.kind.endsWith('List') &&
      Array.isArray(v.items) &&
      !v.metadata?.hasOwnProperty?.('name')
    ) {
      if (d.verbatim !== undefined) {
        reporter?.error(
          'SOPS_MAC',
          posOf(root, ['sops'], { key: true }),
          `a SOPS-encrypted ${v.kind} cannot be split into its items: SOPS's MAC covers the whole document`,
          'encrypt each object in a document of its own',
        );
        continue;
      }
      for (const [i, item] of v.items.entries()) {
        if (checkShape(item, child(root, 'items', i), reporter))
          yield { source: d.source, value: item as JsonObject, at: child(root, 'items', i) };
      }
      continue;
    }
    if (checkShape(v, root, reporter))
      yield { source: d.source, value: v as JsonObject, at: root, verbatim: d.verbatim };
  }
}

/** The basic shape; `reporter` undefined only checks (the second pass over the same objects). */
function checkShape(v: Json, at: SourceRef, reporter: Reporter | undefined): boolean {
  if (!reporter) return isObject(v) && checkShape(v, at, new Reporter(false));
  if (!isObject(v)) {
    reporter.error(
      'INVALID_OBJECT',
      posOf(at),
      'expected a Kubernetes object (a mapping with apiVersion, kind and metadata)',
    );
    return false;
  }
  for (const f of ['apiVersion', 'kind'] as const) {
    if (typeof v[f] !== 'string' || v[f] === '') {
      reporter.error(
        'INVALID_OBJECT',
        posOf(at, f in v ? [f] : []),
        `missing ${f}: every object needs apiVersion and kind`,
      );
      return false;
    }
  }
  const meta = v.metadata;
  if (!isObject(meta) || typeof meta.name !== 'string' || meta.name === '') {
    const where = isObject(meta) ? ['metadata'] : [];
    const gen = isObject(meta) && typeof meta.generateName === 'string';
    reporter.error(
      'INVALID_OBJECT',
      posOf(at, where, { key: where.length > 0 }),
      gen
        ? 'metadata.generateName is not supported: rendered objects need a fixed metadata.name'
        : `${v.kind} has no metadata.name`,
    );
    return false;
  }
  if (meta.namespace !== undefined && typeof meta.namespace !== 'string') {
    reporter.error(
      'INVALID_OBJECT',
      posOf(at, ['metadata', 'namespace']),
      'metadata.namespace must be a string',
    );
    return false;
  }
  return true;
}
