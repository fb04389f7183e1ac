// Source positions: every parsed YAML document keeps its `yaml` Document and LineCounter, and
// every value the pipeline carries can name the node it came from as (document, JSON path).
// Positions are resolved lazily, only when a diagnostic is actually reported.
import { isMap, isNode, isPair, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import type { SourcePos } from './diagnostics.js';

export type PathSegment = string | number;
export type JsonPath = readonly PathSegment[];

/** One YAML document of one input file. */
export interface SourceDoc {
  /** Relative to the federation.yaml folder, `/`-separated. */
  file: string;
  /** 0-based index of the document in its file (`---` separated). */
  index: number;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

/** A node inside a source document, addressed by the JSON path of its value. */
export interface SourceRef {
  doc: SourceDoc;
  path: JsonPath;
}

export function ref(doc: SourceDoc, path: JsonPath = []): SourceRef {
  return { doc, path };
}

export function child(parent: SourceRef, ...segments: PathSegment[]): SourceRef {
  return { doc: parent.doc, path: [...parent.path, ...segments] };
}

/**
 * Position of the node at `ref` (plus `sub`). With `key`, the position of the mapping key
 * rather than its value (where an unknown field should be reported). A path that leaves the
 * document stops at the deepest node that exists, so a missing field points at its parent.
 */
export function posOf(r: SourceRef, sub: JsonPath = [], opts: { key?: boolean } = {}): SourcePos {
  const path = sub.length ? [...r.path, ...sub] : r.path;
  let node: unknown = r.doc.doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyString(p.key) === String(seg));
      if (!pair) break;
      if (last && opts.key) {
        offset = rangeStart(pair.key) ?? offset;
        break;
      }
      node = pair.value;
      offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
    } else if (isSeq(node)) {
      const idx = typeof seg === 'number' ? seg : Number(seg);
      const item = Number.isInteger(idx) ? node.items[idx] : undefined;
      if (item === undefined) break;
      node = item;
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return atOffset(r.doc, offset);
}

/** How a plain scalar at `ref` (plus `sub`) was written, e.g. `yes`; undefined for anything else. */
export function plainScalarSource(r: SourceRef, sub: JsonPath = []): string | undefined {
  let node: unknown = r.doc.doc.contents;
  for (const seg of [...r.path, ...sub]) {
    if (isMap(node)) node = node.items.find((p) => isPair(p) && keyString(p.key) === String(seg))?.value;
    else if (isSeq(node)) node = node.items[Number(seg)];
    else return undefined;
  }
  return isScalar(node) && node.type === 'PLAIN' && typeof node.source === 'string' ? node.source : undefined;
}

export function atOffset(doc: SourceDoc, offset: number): SourcePos {
  const { line, col } = doc.lineCounter.linePos(offset);
  return { file: doc.file, line, column: col };
}

/** A position for a whole file (a glob that matched nothing, an unreadable file). */
export function filePos(file: string): SourcePos {
  return { file, line: 1, column: 1 };
}

function rangeStart(node: unknown): number | undefined {
  return isNode(node) ? node.range?.[0] : undefined;
}

function keyString(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

/** RFC 6901 pointer -> segments. Does not validate; callers check the leading `/` themselves. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The part of a path that names JavaScript's object machinery rather than a field: `__proto__`
 * anywhere, or `constructor/prototype` (fast-json-patch refuses both); undefined when none.
 */
export function prototypePath(segments: readonly string[]): string | undefined {
  if (segments.includes('__proto__')) return '__proto__';
  const i = segments.indexOf('constructor');
  return i >= 0 && segments[i + 1] === 'prototype' ? 'constructor/prototype' : undefined;
}

export function formatPointer(path: JsonPath): string {
  // Every applied override records one (40,000 at 2,000 x 20): most segments need no escape.
  let out = '';
  for (const s of path) {
    const t = String(s);
    out += '/' + (t.includes('~') || t.includes('/') ? t.replace(/~/g, '~0').replace(/\//g, '~1') : t);
  }
  return out;
}
