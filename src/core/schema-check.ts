// Runs a compiled JSON Schema (ajv) over a value and reports each failure at the line of the
// offending node: ajv's instancePath is mapped back through the value's SourceRef, and an
// unknown field points at its key. Messages say what was expected and what was found.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { didYouMean, type DiagnosticCode, type Reporter } from './diagnostics.js';
import { parsePointer, plainScalarSource, posOf, type JsonPath, type SourceRef } from './source.js';

export interface SchemaCheckOptions {
  code?: DiagnosticCode;
  /** Prefix naming what was checked, e.g. `apps/v1 Deployment shop/web`. */
  subject?: string;
  /** Report as warnings (validation.strict: false for unknown fields). */
  unknownFieldsAsWarnings?: boolean;
  /** Maps a path inside the checked value to where it came from (rendered objects). */
  locate?: (path: JsonPath, key: boolean) => ReturnType<typeof posOf>;
  /** Appended to each message, e.g. ` (cluster "eu-1")`, per offending path. */
  suffix?: (path: JsonPath) => string;
  /** How the scalar at a path was written in its source, when it was written plain. */
  sourceText?: (path: JsonPath) => string | undefined;
}

/** Validates `value` and reports every error; returns true when it is valid. */
export function checkSchema(
  validate: ValidateFunction,
  value: unknown,
  at: SourceRef,
  reporter: Reporter,
  opts: SchemaCheckOptions = {},
): boolean {
  if (validate(value)) return true;
  const code = opts.code ?? 'SCHEMA';
  const locate = opts.locate ?? ((path: JsonPath, key: boolean) => posOf(at, path, { key }));
  for (const err of condense(validate.errors ?? [])) {
    const path: (string | number)[] = parsePointer(err.instancePath);
    let key = false;
    let message = describe(err, value);
    if (err.keyword === 'additionalProperties') {
      path.push((err.params as { additionalProperty: string }).additionalProperty);
      key = true;
    } else if (err.keyword === 'propertyNames') {
      path.push((err.params as { propertyName: string }).propertyName);
      key = true;
    } else if (path.length > 0 && isCollection(valueAt(value, err.instancePath))) {
      // A block mapping's value starts at its first child; the error belongs to the key's line
      // (`spec:` missing `selector`, `ports:` that is not a list).
      key = true;
    }
    const pos = locate(path, key);
    const where = err.instancePath ? `${err.instancePath}: ` : '';
    message = `${opts.subject ? opts.subject + ': ' : ''}${where}${message}${opts.suffix?.(path) ?? ''}`;
    if (err.keyword === 'additionalProperties' && opts.unknownFieldsAsWarnings)
      reporter.warning(code, pos, message);
    else
      reporter.error(
        code,
        pos,
        message,
        booleanHint(err, value, path, opts.sourceText ?? ((p) => plainScalarSource(at, p))),
      );
  }
  return false;
}

/**
 * ajv reports every branch of a failed oneOf/anyOf; keep the deepest, most specific errors and
 * drop the combinator summaries, so one mistake gives one message: a branch's type mismatch is
 * noise when another branch of the same combinator got further with the value (`"abc"` for an
 * int-or-percent fails the string branch's pattern, not "expected integer"), and the type
 * mismatches of all branches at one path merge into one "expected integer or string".
 */
function condense(errors: ErrorObject[]): ErrorObject[] {
  const specific = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const list = specific.length ? specific : errors;
  const kept = list.filter((e) => {
    const branch = e.keyword === 'type' ? combinatorOf(e.schemaPath) : undefined;
    if (branch === undefined) return true;
    return !list.some(
      (o) =>
        o !== e &&
        o.keyword !== 'type' &&
        o.schemaPath.startsWith(branch + '/') &&
        (o.instancePath === e.instancePath || o.instancePath.startsWith(e.instancePath + '/')),
    );
  });
  const merged = new Map<string, ErrorObject>();
  const out: ErrorObject[] = [];
  for (const e of kept) {
    const branch = e.keyword === 'type' ? combinatorOf(e.schemaPath) : undefined;
    const key =
      branch !== undefined
        ? `${e.instancePath}|type|${branch}`
        : `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    const first = merged.get(key);
    if (!first) {
      merged.set(key, e);
      out.push(e);
    } else if (branch !== undefined) {
      const types = new Set([...typesOf(first), ...typesOf(e)]);
      first.params = { ...first.params, type: [...types].join(',') };
    }
  }
  return out;
}

/** The schema path of the innermost anyOf/oneOf an error's schema sits under, if any. */
function combinatorOf(schemaPath: string): string | undefined {
  const m = /^(.*\/(?:anyOf|oneOf))\/\d+(?:\/|$)/.exec(schemaPath);
  return m?.[1];
}

function typesOf(e: ErrorObject): string[] {
  return String((e.params as { type?: unknown }).type).split(',');
}

function describe(err: ErrorObject, root: unknown): string {
  const p = err.params as Record<string, unknown>;
  const found = describeValue(valueAt(root, err.instancePath));
  switch (err.keyword) {
    case 'additionalProperties': {
      const known = Object.keys((err.parentSchema as { properties?: object })?.properties ?? {});
      const guess = didYouMean(String(p.additionalProperty), known);
      return `unknown field "${p.additionalProperty}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
    }
    case 'required':
      return `missing required field "${p.missingProperty}"`;
    case 'type': {
      // Our own schemas may carry an example of the expected shape for exactly this mistake.
      const hint = (err.parentSchema as { 'x-fedrender-hint'?: string } | undefined)?.['x-fedrender-hint'];
      return `expected ${String(p.type).replace(/,/g, ' or ')}, found ${found}${hint ? `; ${hint}` : ''}`;
    }
    case 'enum':
      return `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, found ${found}`;
    case 'const':
      return `expected ${JSON.stringify(p.allowedValue)}, found ${found}`;
    case 'pattern': {
      const description = (err.parentSchema as { description?: string } | undefined)?.description;
      return description
        ? `${found} is not ${description}`
        : `${found} does not match the pattern ${p.pattern}`;
    }
    case 'format':
      return `${found} is not a valid ${p.format}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `expected a number ${p.comparison} ${p.limit}, found ${found}`;
    case 'minLength':
      return `expected a string of at least ${p.limit} characters, found ${found}`;
    case 'maxLength':
      return `expected a string of at most ${p.limit} characters, found ${found}`;
    case 'minItems':
      return `expected at least ${p.limit} items`;
    case 'maxItems':
      return `expected at most ${p.limit} items`;
    case 'propertyNames':
      return `invalid key "${p.propertyName}"`;
    default:
      return err.message ?? `failed ${err.keyword}`;
  }
}

/**
 * A boolean where a string belongs is most often a YAML 1.1 word (`yes`, `on`) or `true` that
 * kubectl reads as a boolean too: say so, and how to keep it a string.
 */
function booleanHint(
  err: ErrorObject,
  root: unknown,
  path: JsonPath,
  sourceText: (path: JsonPath) => string | undefined,
): string | undefined {
  // Only where a string is all that fits: quoting `true` for an int-or-string makes no port.
  if (err.keyword !== 'type' || typesOf(err).join() !== 'string') return undefined;
  const v = valueAt(root, err.instancePath);
  if (typeof v !== 'boolean') return undefined;
  const written = sourceText(path) ?? String(v);
  return `YAML reads a bare ${written} as a boolean (as kubectl does); quote it to keep the string: "${written}"`;
}

function isCollection(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur = root;
  for (const seg of parsePointer(pointer)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (v === undefined) return 'nothing';
  return `${typeof v} ${String(v)}`;
}
