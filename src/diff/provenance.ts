// Where a rendered value came from, as `file:line:col`: the scheduling preference for replicas
// it computed, else the last override operation that wrote the path (or a parent of it), else
// the manifest's own node (validate/names.ts's `locate`, shared with validation errors).
import type { SourcePos } from '../core/diagnostics.js';
import { posOf, type PathSegment, type SourceRef } from '../core/source.js';
import type { Compilation } from '../pipeline.js';
import type { RenderedObject } from '../types.js';
import { locate } from '../validate/names.js';

export function formatPos(p: SourcePos, label?: string): string {
  return `${label ? label + ':' : ''}${p.file}:${p.line}:${p.column}`;
}

export function refPos(ref: SourceRef, label?: string): string {
  return formatPos(posOf(ref), label);
}

/** The input that produced the value at `path` of `o` in its cluster. */
export function valueSource(c: Compilation, o: RenderedObject, path: readonly PathSegment[]): string {
  if (path.length === 2 && path[0] === 'spec' && path[1] === 'replicas') {
    const planned = c.scheduled?.get(o.resource)?.get(o.cluster.name);
    if (planned) return refPos(planned.ref);
  }
  return formatPos(locate(o, path, false));
}
