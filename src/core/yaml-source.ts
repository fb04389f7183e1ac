// Parses one YAML file into SourceDocs that keep their `yaml` Document and LineCounter, so any
// later stage can point at a node. Syntax errors and duplicate keys are reported at their line.
import {
  LineCounter,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Tags,
  type YAMLError,
} from 'yaml';
import type { Reporter } from './diagnostics.js';
import { text as valueText } from './json-read.js';
import { documentText, isSopsDocument } from './sops.js';
import { atOffset, type SourceDoc } from './source.js';
import { checkDocumentShape, YAML_LIMITS } from './yaml-limits.js';
import type { Json } from '../types.js';

export interface ParsedDoc {
  source: SourceDoc;
  value: Json;
  /** A SOPS-encrypted document's own text (core/sops.ts): it is emitted as written. */
  verbatim?: string;
}

export interface ParseOptions {
  /** Duplicate keys are errors unless relaxed to warnings (validation.strict: false). */
  duplicateKeysAsWarnings?: boolean;
}

/**
 * `defaultMode: 0644` means 420 to kubectl and kustomize (Go's YAML libraries read a leading 0
 * as octal), but 644 to YAML 1.2's core schema. Kubernetes manifests are written for the Go
 * readers, so a plain integer with a leading 0 is octal here too.
 */
const LEGACY_OCTAL = {
  identify: (v: unknown) => typeof v === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:int',
  test: /^[-+]?0[0-7]+$/,
  resolve: (s: string) => parseInt(s, 8),
};

/**
 * kubectl reads manifests with sigs.k8s.io/yaml over go-yaml v2, which resolves YAML 1.1's
 * booleans: `hostNetwork: yes` is `true` there, as in Argo CD and kubeconform. The same words
 * are booleans here (go-yaml v2's resolve table), so such a value renders as `true`, and one in
 * a string field (`data: {a: yes}`) fails its schema with a hint to quote it, as kubectl would.
 */
export const YAML11_BOOLEAN = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
const LEGACY_BOOL = {
  identify: (v: unknown) => typeof v === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: YAML11_BOOLEAN,
  resolve: (s: string) => /^(?:y|yes|on)$/i.test(s),
};

/** All non-empty documents of a file; documents with syntax errors are reported and skipped. */
const OPTIONS = {
  uniqueKeys: false,
  prettyErrors: false,
  // Problems reach the user as diagnostics, never as process warnings.
  logLevel: 'error' as const,
  merge: false,
  customTags: (tags: Tags) => [LEGACY_OCTAL, LEGACY_BOOL, ...tags],
};

/**
 * Documents whose values come from the parse cache: the same values parseYamlFile gave for these
 * bytes. The yaml Document and LineCounter, needed only for positions, are parsed on first use.
 */
export function cachedDocuments(text: string, file: string, values: readonly [number, Json][]): ParsedDoc[] {
  let parsed: { docs: Document.Parsed[]; lineCounter: LineCounter } | undefined;
  const parse = () => {
    if (!parsed) {
      const lineCounter = new LineCounter();
      // An empty stream is an (empty) array of documents too.
      const docs: Document.Parsed[] = parseAllDocuments(text, { lineCounter, ...OPTIONS });
      parsed = { docs, lineCounter };
    }
    return parsed;
  };
  return values.map(([index, value]) => ({
    value,
    source: {
      file,
      index,
      get doc() {
        // The same bytes gave a document at this index when they were cached.
        return parse().docs[index]!;
      },
      get lineCounter() {
        return parse().lineCounter;
      },
    },
  }));
}

export function parseYamlFile(
  text: string,
  file: string,
  reporter: Reporter,
  opts: ParseOptions = {},
): ParsedDoc[] {
  const lineCounter = new LineCounter();
  // uniqueKeys: false so a duplicate key is ours to report (and to relax), not a parse failure;
  // the last value wins, as in kubectl.
  const docs = parseAllDocuments(text, { lineCounter, ...OPTIONS });
  const out: ParsedDoc[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, index) => {
    const source: SourceDoc = { file, index, doc, lineCounter };
    const errors = [...doc.errors];
    for (const e of errors) reportYamlError(e, source, reporter);
    if (errors.length) return;
    // Before anything walks the tree: nesting and aliases are bounded from here on.
    const problem = checkDocumentShape(doc);
    if (problem) {
      reporter.error(problem.code, atOffset(source, problem.offset), problem.message);
      return;
    }
    reportDuplicateKeys(source, reporter, opts.duplicateKeysAsWarnings ?? false);
    for (const w of doc.warnings)
      reporter.warning('YAML_SYNTAX', atOffset(source, w.pos[0]), lowerFirst(w.message));
    if (doc.contents === null) return;
    // Aliases share one value, which the copy-on-write stages never mutate. toJS is typed `any`;
    // under the core schema (no custom tags, maps as objects, no bigint) it gives JSON values only.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- see above
    const value = doc.toJS({ maxAliasCount: -1 }) as Json;
    if (value === null || value === undefined) return;
    out.push(
      isSopsDocument(value)
        ? { source, value, verbatim: documentText(text, list, index) }
        : { source, value },
    );
  });
  return out;
}

function reportYamlError(e: YAMLError, source: SourceDoc, reporter: Reporter): void {
  // `yaml` turns a stack overflow while composing very deep nesting into this error.
  if (e.code === 'RESOURCE_EXHAUSTION') {
    const message = `mappings and sequences nest more than ${YAML_LIMITS.maxDepth} levels deep`;
    reporter.error('YAML_LIMIT', atOffset(source, e.pos[0]), message);
    return;
  }
  const message = lowerFirst(e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
  reporter.error('YAML_SYNTAX', atOffset(source, e.pos[0]), message);
}

function reportDuplicateKeys(source: SourceDoc, reporter: Reporter, asWarnings: boolean): void {
  const visit = (node: unknown): void => {
    if (!isMap(node) && !isSeq(node)) return;
    const seen = new Set<string>();
    for (const item of node.items) {
      if (isPair(item)) {
        const pair = item;
        const k = keyText(pair.key);
        if (seen.has(k)) {
          const pos = atOffset(source, (isNode(pair.key) ? pair.key.range?.[0] : undefined) ?? 0);
          const msg = `duplicate key "${k}"; the last value wins`;
          if (asWarnings) reporter.warning('YAML_DUPLICATE_KEY', pos, msg);
          else reporter.error('YAML_DUPLICATE_KEY', pos, msg);
        }
        seen.add(k);
        visit(pair.value);
      } else {
        visit(item);
      }
    }
  };
  visit(source.doc.contents);
}

/** A key as duplicates compare: a scalar's value, anything else (null, a collection) as written. */
function keyText(key: unknown): string {
  if (isScalar(key) && key.value !== null && key.value !== undefined) return valueText(key.value);
  return isNode(key) ? key.toString() : valueText(key);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1).replace(/\.$/, '');
}
