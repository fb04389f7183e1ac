// OpenAPI v3 schemas as Kubernetes reads them (JSONSchemaProps: nullable, x-kubernetes-*,
// Go regular expressions and formats) -> draft-07 JSON Schema that ajv enforces the same way.
// Used for CRDs and for schema files found in schemaLocations. Pure; problems are returned.
import type { Ajv } from 'ajv';
import { createAjv } from '../core/ajv.js';
import { isObject } from '../core/cow.js';
import { strictDefinitions } from '../core/k8s-schemas.js';
import { describeValue as describe } from '../core/schema-check.js';
import type { JsonPath, PathSegment } from '../core/source.js';

export type Schema = Record<string, unknown>;

let checker: Ajv | undefined;

/** An ajv of the one configuration, to check converted schemas and to know its formats. */
export function ajvChecker(): Ajv {
  checker ??= createAjv();
  return checker;
}

/**
 * A part of an openAPIV3Schema that cannot be enforced as written; path is inside the schema.
 * Errors are what the API server rejects the CRD for; warnings are fedrender's limits.
 */
export interface Problem {
  severity: 'error' | 'warning';
  path: JsonPath;
  message: string;
  key?: boolean;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI v3 (Kubernetes' JSONSchemaProps) -> draft-07.

const TYPES = new Set(['array', 'boolean', 'integer', 'number', 'object', 'string']);
const COUNTS = new Set(['maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties']);
const NUMBERS = new Set(['maximum', 'minimum', 'multipleOf']);

export function convertCrdSchema(openAPI: object, opts: { strict: boolean }, problems: Problem[]): Schema {
  const root = convert(openAPI, [], false, problems);
  if (root.type !== undefined && root.type !== 'object') {
    problems.push({
      severity: 'error',
      path: ['type'],
      message: `expected the root of a custom resource schema to be type object, found ${JSON.stringify(root.type)}`,
    });
  }
  root.type = 'object';
  // The API server adds apiVersion, kind and metadata to every custom resource; a CRD may
  // constrain only metadata.name and metadata.generateName, the rest is ObjectMeta.
  const properties: Schema = isObject(root.properties) ? { ...root.properties } : {};
  properties.apiVersion ??= { type: 'string' };
  properties.kind ??= { type: 'string' };
  properties.metadata = objectMeta(properties.metadata);
  root.properties = properties;
  return opts.strict ? strictDefinitions({ root }).root! : root; // same keys out as in
}

/** metadata: always an object, open to every ObjectMeta field whatever the CRD lists. */
function objectMeta(listed: unknown): Schema {
  const meta: Schema = isObject(listed) ? { ...listed } : {};
  meta.type = 'object';
  if (isObject(meta.properties) && !('additionalProperties' in meta)) meta.additionalProperties = true;
  return meta;
}

/**
 * One schema node. `branch`: inside allOf/anyOf/oneOf/not, where Kubernetes' structural rules
 * make a schema a value validation only: it never decides which fields are unknown, so such
 * nodes are left open explicitly (`additionalProperties: true`) and strict mode does not close
 * them. Only the keywords listed here reach ajv; everything else is documentation or vendor
 * extensions, interpreted below.
 */
function convert(s: unknown, path: PathSegment[], branch: boolean, problems: Problem[]): Schema {
  if (!isObject(s)) {
    problems.push({
      severity: 'error',
      path,
      message: `expected a schema object, found ${describe(s)}; anything is accepted here`,
    });
    return {};
  }
  const o: Schema = {};
  const bad = (key: string, expected: string, v: unknown) =>
    problems.push({
      severity: 'error',
      path: [...path, key],
      message: `expected ${key} to be ${expected}, found ${describe(v)}; ignored`,
    });
  for (const [key, v] of Object.entries(s)) {
    const at = [...path, key];
    if (NUMBERS.has(key)) {
      if (typeof v === 'number' && (key !== 'multipleOf' || v > 0)) o[key] = v;
      else bad(key, key === 'multipleOf' ? 'a positive number' : 'a number', v);
      continue;
    }
    if (COUNTS.has(key)) {
      if (Number.isInteger(v) && (v as number) >= 0) o[key] = v;
      else bad(key, 'a non-negative integer', v);
      continue;
    }
    switch (key) {
      case 'type':
        if (typeof v === 'string' && TYPES.has(v)) o.type = v;
        else bad(key, `one of ${[...TYPES].join(', ')}`, v);
        break;
      case 'format': {
        const format = typeof v === 'string' ? checkableFormat(v, 'kubernetes') : undefined;
        if (format) o.format = format;
        break;
      }
      case 'pattern':
        if (typeof v !== 'string') bad(key, 'a string', v);
        else setPattern(o, v, at, problems);
        break;
      case 'exclusiveMaximum':
      case 'exclusiveMinimum':
        // OpenAPI 3.0 (and draft-04): a boolean modifying maximum/minimum; handled below.
        if (typeof v !== 'boolean' && typeof v !== 'number') bad(key, 'a boolean', v);
        break;
      case 'required':
        if (Array.isArray(v) && v.every((x) => typeof x === 'string')) o.required = [...new Set(v)];
        else bad(key, 'a list of field names', v);
        break;
      case 'enum':
        if (Array.isArray(v)) o.enum = [...v];
        else bad(key, 'a list', v);
        break;
      case 'uniqueItems':
        if (typeof v === 'boolean') o.uniqueItems = v;
        else bad(key, 'a boolean', v);
        break;
      case 'properties':
      case 'patternProperties':
        if (!isObject(v)) {
          bad(key, 'a map of schemas', v);
          break;
        }
        o[key] = convertMap(v, key, at, branch, problems);
        break;
      case 'additionalProperties':
      case 'additionalItems':
        if (typeof v === 'boolean') o[key] = v;
        else o[key] = convert(v, at, branch, problems);
        break;
      case 'items':
        o.items = Array.isArray(v)
          ? v.map((x, i) => convert(x, [...at, i], branch, problems))
          : convert(v, at, branch, problems);
        break;
      case 'dependencies':
        if (!isObject(v)) {
          bad(key, 'a map', v);
          break;
        }
        o.dependencies = Object.fromEntries(
          Object.entries(v).map(([name, d]) => [
            name,
            Array.isArray(d)
              ? d.filter((x) => typeof x === 'string')
              : convert(d, [...at, name], branch, problems),
          ]),
        );
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        if (Array.isArray(v) && v.length > 0)
          o[key] = v.map((x, i) => convert(x, [...at, i], true, problems));
        else bad(key, 'a non-empty list of schemas', v);
        break;
      case 'not':
        o.not = convert(v, at, true, problems);
        break;
      case '$ref':
        problems.push({
          severity: 'error',
          path: at,
          key: true,
          message: '$ref is not allowed in a CustomResourceDefinition schema; ignored',
        });
        break;
      default:
        // description, title, example, externalDocs, default, discriminator, nullable and the
        // x-kubernetes-* extensions (interpreted below); x-kubernetes-validations (CEL) and
        // the list/map merge annotations constrain nothing a JSON Schema can check.
        break;
    }
  }
  for (const [exclusive, limit] of [
    ['exclusiveMaximum', 'maximum'],
    ['exclusiveMinimum', 'minimum'],
  ] as const) {
    const v = s[exclusive];
    if (typeof v === 'number') o[exclusive] = v;
    else if (v === true && typeof o[limit] === 'number') {
      o[exclusive] = o[limit];
      delete o[limit];
    }
  }

  if (!branch && Array.isArray(o.required) && isObject(s.properties)) {
    // The API server applies defaults before it validates: a defaulted field is never missing.
    const props = s.properties;
    o.required = (o.required as string[]).filter((f) => !(isObject(props[f]) && 'default' in props[f]));
    if ((o.required as string[]).length === 0) delete o.required;
  }
  if (s['x-kubernetes-int-or-string'] === true && o.type === undefined) o.type = ['integer', 'string'];
  if (s['x-kubernetes-embedded-resource'] === true) embeddedResource(o);
  if (s['x-kubernetes-preserve-unknown-fields'] === true && !('additionalProperties' in o))
    o.additionalProperties = true;
  // A set holds each value once; the API server rejects duplicates.
  if (s['x-kubernetes-list-type'] === 'set' && o.uniqueItems === undefined) o.uniqueItems = true;
  if (branch && isObject(o.properties) && !('additionalProperties' in o)) o.additionalProperties = true;
  if (s.nullable === true) allowNull(o);
  return o;
}

function convertMap(v: Schema, key: string, at: PathSegment[], branch: boolean, problems: Problem[]): Schema {
  const out: Schema = {};
  for (const [name, sub] of Object.entries(v)) {
    let k = name;
    if (key === 'patternProperties') {
      const p = ajvPattern(name);
      if (p === undefined) {
        problems.push({
          severity: 'warning',
          path: [...at, name],
          key: true,
          message: `pattern ${JSON.stringify(name)} is not a regular expression JavaScript can run; ignored`,
        });
        continue;
      }
      k = p;
    }
    out[k] = convert(sub, [...at, name], branch, problems);
  }
  return out;
}

function setPattern(o: Schema, pattern: string, at: JsonPath, problems: Problem[]): void {
  const p = ajvPattern(pattern);
  if (p === undefined)
    problems.push({
      severity: 'warning',
      path: at,
      message: `pattern ${JSON.stringify(pattern)} is not a regular expression JavaScript can run; not checked`,
    });
  else o.pattern = p;
}

/** An embedded object is a Kubernetes object: apiVersion and kind required, metadata allowed. */
function embeddedResource(o: Schema): void {
  o.type ??= 'object';
  const properties: Schema = isObject(o.properties) ? { ...o.properties } : {};
  properties.apiVersion ??= { type: 'string', minLength: 1 };
  properties.kind ??= { type: 'string', minLength: 1 };
  properties.metadata = objectMeta(properties.metadata);
  o.properties = properties;
  o.required = [...new Set([...((o.required as string[] | undefined) ?? []), 'apiVersion', 'kind'])];
}

/**
 * Makes a draft-07 schema accept null as well (OpenAPI's `nullable: true`). The API server
 * checks a null only against the type and enum, so null also passes oneOf/not, which are moved
 * under `if: not null`.
 */
export function allowNull(o: Schema): void {
  if (typeof o.type === 'string') o.type = [o.type, 'null'];
  else if (Array.isArray(o.type) && !o.type.includes('null')) o.type = [...o.type, 'null'];
  if (Array.isArray(o.enum) && !o.enum.includes(null)) o.enum = [...o.enum, null];
  if (Array.isArray(o.anyOf)) o.anyOf = [...o.anyOf, { type: 'null' }];
  if (Array.isArray(o.allOf)) {
    o.allOf = o.allOf.map((x) => {
      if (!isObject(x)) return x;
      const copy = { ...x };
      allowNull(copy);
      return copy;
    });
  }
  const guarded: Schema = {};
  for (const key of ['oneOf', 'not', 'const'] as const) {
    if (key in o) {
      guarded[key] = o[key];
      delete o[key];
    }
  }
  if (Object.keys(guarded).length)
    o.allOf = [
      ...((o.allOf as unknown[] | undefined) ?? []),
      { if: { not: { type: 'null' } }, then: guarded },
    ];
}

// ---------------------------------------------------------------------------------------------
// Formats and patterns: Kubernetes (Go) semantics -> what ajv checks the same way.

let formats: Set<string> | undefined;

/** Formats the one ajv configuration knows; any other would be ignored with a console warning. */
function ajvFormats(): Set<string> {
  formats ??= new Set(Object.keys(ajvChecker().formats));
  return formats;
}

/**
 * Kubernetes' format names read in the API server's sense, as ajv formats; undefined where no
 * ajv format checks the same thing (the value is then not format-checked, as the API server
 * does not check formats it does not know either).
 * - `date-time`/`datetime`: Kubernetes accepts RFC 3339 with or without a time zone, which is
 *   ajv-formats' `iso-date-time`.
 * - `uri`: Kubernetes accepts an absolute path too (url.ParseRequestURI): `uri-reference`.
 * - `duration`: Go's time.ParseDuration ("1h30m"), not ajv-formats' ISO 8601 ("PT1H30M").
 * `flavour: 'json-schema'` (schema files, checked by kubeconform's gojsonschema) keeps
 * JSON Schema's meaning except for `duration`, which gojsonschema does not check.
 */
export function checkableFormat(format: string, flavour: 'kubernetes' | 'json-schema'): string | undefined {
  let f: string | undefined = format;
  if (flavour === 'kubernetes') {
    const mapped: Record<string, string | undefined> = {
      'date-time': 'iso-date-time',
      datetime: 'iso-date-time',
      uri: 'uri-reference',
      uuid3: 'uuid',
      uuid4: 'uuid',
      uuid5: 'uuid',
      duration: undefined,
    };
    if (format in mapped) f = mapped[format];
  } else if (format === 'duration') {
    f = undefined;
  }
  return f !== undefined && ajvFormats().has(f) ? f : undefined;
}

// JavaScript's unicode-mode escapes that mean the same as in Go's RE2.
const JS_ESCAPES = new Set([...'dDwWsSbBnrtfv0xuc', ...'^$\\.*+?()[]{}|/']);
const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/**
 * A Go (RE2) pattern, as Kubernetes runs it, rewritten for JavaScript's unicode mode (ajv's):
 * `\z`/`\A`, `(?P<name>`, POSIX classes, `\pL`, escaped punctuation and literal braces or
 * brackets that unicode mode rejects. Undefined when JavaScript still cannot run it (inline
 * flags such as `(?i)`, `\Q...\E`).
 */
export function ajvPattern(pattern: string): string | undefined {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) return undefined;
      i++;
      if (!inClass && n === 'z') out += '$';
      else if (!inClass && n === 'A') out += '^';
      else if ((n === 'p' || n === 'P') && /[A-Za-z]/.test(pattern[i + 1] ?? ''))
        out += `\\${n}{${pattern[++i]}}`;
      else if (n === 'x' && pattern[i + 1] === '{') out += '\\u';
      else if (JS_ESCAPES.has(n) || n === 'p' || n === 'P' || (inClass && n === '-')) out += '\\' + n;
      else if (/[0-9A-Za-z]/.test(n)) return undefined;
      // Escaped punctuation unicode mode refuses (`\-` outside a class, `\#`...) is a literal.
      else out += n === '-' && inClass ? '\\-' : n;
      continue;
    }
    if (inClass) {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
      if (posix) {
        // A negated POSIX class has no JavaScript spelling inside another class.
        const cls = POSIX_CLASSES[posix[2]!];
        if (posix[1] || !cls) return undefined;
        out += cls;
        i += posix[0].length - 1;
      } else if (c === ']') {
        inClass = false;
        out += c;
      } else {
        out += c;
      }
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (pattern[i + 1] === '^') out += pattern[++i];
      // In RE2 a `]` first in a class is a literal; in JavaScript `[]` is an empty class.
      if (pattern[i + 1] === ']') {
        out += '\\]';
        i++;
      }
    } else if (c === '(' && pattern.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else if (c === '{') {
      const q = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i));
      if (q && i > 0) {
        out += q[0];
        i += q[0].length - 1;
      } else {
        out += '\\{';
      }
    } else if (c === '}' || c === ']') {
      out += '\\' + c;
    } else {
      out += c;
    }
  }
  try {
    new RegExp(out, 'u');
    return out;
  } catch {
    return undefined;
  }
}
