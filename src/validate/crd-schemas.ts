// Stage validate, CRD schemas: CustomResourceDefinitions (among the inputs and validation.crds)
// -> one draft-07 JSON Schema per served version of each custom resource, keyed
// "group/version/Kind". OpenAPI v3 and the x-kubernetes-* extensions are translated into what
// the API server enforces; a malformed CRD is reported at its node and skipped, never thrown.
import type { Ajv } from 'ajv';
import { createAjv } from '../core/ajv.js';
import { isObject } from '../core/cow.js';
import type { Reporter } from '../core/diagnostics.js';
import { strictDefinitions } from '../core/k8s-schemas.js';
import { describeValue as describe } from '../core/schema-check.js';
import { child, posOf, ref, type JsonPath, type PathSegment, type SourceRef } from '../core/source.js';
import type { ParsedDoc } from '../core/yaml-source.js';

export interface CrdSchema {
  /** `group/version` of the custom resource, e.g. `stable.example.com/v1`. */
  apiVersion: string;
  kind: string;
  scope: 'Namespaced' | 'Cluster';
  /** Draft-07, ready for createAjv(); strict unless crdSchemas was told otherwise. */
  schema: object;
  /** The CRD's openAPIV3Schema node (its spec, for a v1beta1 CRD without a schema). */
  ref: SourceRef;
  /** metadata.name of the CRD, e.g. `crontabs.stable.example.com`. */
  crd: string;
}

type Schema = Record<string, unknown>;

/**
 * A part of an openAPIV3Schema that cannot be enforced as written; path is inside the schema.
 * Errors are what the API server rejects the CRD for; warnings are fedrender's limits.
 */
interface Problem {
  severity: 'error' | 'warning';
  path: JsonPath;
  message: string;
  key?: boolean;
}

const V1 = 'apiextensions.k8s.io/v1';
const V1BETA1 = 'apiextensions.k8s.io/v1beta1';

/**
 * The custom resource schemas of every CRD among `docs` (a `List` of CRDs included), keyed
 * `group/version/Kind`. Versions with `served: false` are skipped. `strict` (the default, as the
 * registry relaxes unknown fields on the errors, not on the schema) closes every object schema
 * that lists its properties. When two CRDs define the same key differently, the first wins.
 */
export function crdSchemas(
  docs: readonly ParsedDoc[],
  reporter: Reporter,
  opts: { strict?: boolean } = {},
): Map<string, CrdSchema> {
  const strict = opts.strict ?? true;
  const out = new Map<string, CrdSchema>();
  for (const d of docs) {
    for (const [value, at] of objectsOf(d)) {
      if (!isObject(value) || value.kind !== 'CustomResourceDefinition') continue;
      // Other apiVersions are not CRDs this code understands; schema validation reports them.
      if (value.apiVersion !== V1 && value.apiVersion !== V1BETA1) continue;
      for (const s of readCrd(value, at, strict, reporter)) {
        const key = `${s.apiVersion}/${s.kind}`;
        const first = out.get(key);
        if (!first) {
          out.set(key, s);
        } else if (JSON.stringify(first.schema) !== JSON.stringify(s.schema) || first.scope !== s.scope) {
          // The same CRD may be both an input and in validation.crds: only a different one is news.
          const where = posOf(first.ref);
          reporter.warning(
            'SCHEMA',
            posOf(at, ['spec', 'group']),
            `${key} is also defined by CustomResourceDefinition ${first.crd} at ${where.file}:${where.line}; the first definition is used`,
          );
        }
      }
    }
  }
  return out;
}

/**
 * A custom resource's JSON Schema (draft-07, for createAjv) from a CRD's openAPIV3Schema:
 * - `nullable: true` allows null; `x-kubernetes-int-or-string` is an integer or a string;
 *   `x-kubernetes-embedded-resource` must have apiVersion and kind (metadata allowed);
 *   `x-kubernetes-preserve-unknown-fields` keeps the object open even when strict;
 * - apiVersion, kind and metadata (an object) are allowed at the top level, as the API server
 *   adds them; a field with a `default` is not required (the API server defaults first);
 * - `strict`: `additionalProperties: false` wherever an object lists its properties, the rule of
 *   strictDefinitions (k8s-schemas.ts), which this reuses;
 * - what draft-07 cannot check as Kubernetes does is dropped: descriptions, examples, CEL rules,
 *   formats the API server reads differently (duration), patterns JavaScript cannot run.
 */
export function toJsonSchema(openAPIV3Schema: object, opts: { strict: boolean }): object {
  return convertCrdSchema(openAPIV3Schema, opts, []);
}

// ---------------------------------------------------------------------------------------------
// Reading CustomResourceDefinitions.

function* objectsOf(d: ParsedDoc): Generator<[unknown, SourceRef]> {
  const v = d.value;
  if (isObject(v) && Array.isArray(v.items) && typeof v.kind === 'string' && v.kind.endsWith('List')) {
    for (let i = 0; i < v.items.length; i++) yield [v.items[i], child(ref(d.source), 'items', i)];
  } else {
    yield [v, ref(d.source)];
  }
}

function readCrd(crd: Schema, at: SourceRef, strict: boolean, reporter: Reporter): CrdSchema[] {
  const name = isObject(crd.metadata) && typeof crd.metadata.name === 'string' ? crd.metadata.name : '';
  const subject = `CustomResourceDefinition${name ? ' ' + name : ''}`;
  const spec = crd.spec;
  if (!isObject(spec)) {
    reporter.error('SCHEMA', posOf(at, ['spec']), `${subject}: expected spec, an object, found ${describe(spec)}`);
    return [];
  }
  const group = spec.group;
  const names = spec.names;
  const kind = isObject(names) ? names.kind : undefined;
  let ok = true;
  if (typeof group !== 'string' || group === '') {
    reporter.error('SCHEMA', posOf(at, ['spec', 'group']), `${subject}: expected spec.group, the API group of its resources, found ${describe(group)}`);
    ok = false;
  }
  if (typeof kind !== 'string' || kind === '') {
    reporter.error('SCHEMA', posOf(at, ['spec', 'names', 'kind']), `${subject}: expected spec.names.kind, found ${describe(kind)}`);
    ok = false;
  }
  if (!ok) return [];
  const g = group as string;
  const k = kind as string;
  const plural = isObject(names) ? names.plural : undefined;
  if (name && typeof plural === 'string' && name !== `${plural}.${g}`) {
    reporter.error('SCHEMA', posOf(at, ['metadata', 'name']), `${subject}: expected metadata.name "${plural}.${g}" (<spec.names.plural>.<spec.group>), found "${name}"`);
  }
  let scope: CrdSchema['scope'] = 'Namespaced';
  if (spec.scope === 'Cluster' || spec.scope === 'Namespaced') {
    scope = spec.scope;
  } else {
    reporter.error('SCHEMA', posOf(at, ['spec', 'scope']), `${subject}: expected spec.scope Namespaced or Cluster, found ${describe(spec.scope)}; read as Namespaced`);
  }

  const versions = crd.apiVersion === V1 ? v1Versions(spec, at, subject, reporter) : v1beta1Versions(spec, at, subject, reporter);
  const out: CrdSchema[] = [];
  // A v1beta1 CRD shares one schema between its versions: convert (and report) it once.
  const converted = new Map<object, Schema | null>();
  for (const v of versions) {
    let schema = converted.get(v.openAPI);
    if (schema === undefined) {
      schema = convertReported(v.openAPI, v.ref, v.strict && strict, subject, reporter);
      converted.set(v.openAPI, schema);
    }
    if (schema) out.push({ apiVersion: `${g}/${v.name}`, kind: k, scope, schema, ref: v.ref, crd: name });
  }
  return out;
}

interface ServedVersion {
  name: string;
  openAPI: object;
  ref: SourceRef;
  /** False where the CRD keeps unknown fields (v1beta1's spec.preserveUnknownFields). */
  strict: boolean;
}

function v1Versions(spec: Schema, at: SourceRef, subject: string, reporter: Reporter): ServedVersion[] {
  const list = spec.versions;
  if (!Array.isArray(list) || list.length === 0) {
    reporter.error('SCHEMA', posOf(at, ['spec', 'versions']), `${subject}: expected spec.versions, a list of at least one version, found ${describe(list)}`);
    return [];
  }
  const out: ServedVersion[] = [];
  list.forEach((v, i) => {
    const vat = child(at, 'spec', 'versions', i);
    if (!isObject(v) || typeof v.name !== 'string' || v.name === '') {
      reporter.error('SCHEMA', posOf(vat, ['name']), `${subject}: expected a version name, found ${describe(isObject(v) ? v.name : v)}`);
      return;
    }
    const openAPI = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    // apiextensions.k8s.io/v1 requires a schema for every version, served or not.
    if (!isObject(openAPI)) {
      reporter.error('SCHEMA', posOf(vat, isObject(v.schema) ? ['schema', 'openAPIV3Schema'] : ['schema']), `${subject}: version ${v.name} has no schema.openAPIV3Schema, which apiextensions.k8s.io/v1 requires`);
      return;
    }
    if (v.served !== true) return;
    out.push({ name: v.name, openAPI, ref: child(vat, 'schema', 'openAPIV3Schema'), strict: true });
  });
  return out;
}

function v1beta1Versions(spec: Schema, at: SourceRef, subject: string, reporter: Reporter): ServedVersion[] {
  reporter.warning(
    'SCHEMA',
    posOf(at, ['apiVersion']),
    `${subject}: apiextensions.k8s.io/v1beta1 CustomResourceDefinitions were removed in Kubernetes 1.22; its schema is used, but no current cluster accepts it`,
    'convert it to apiextensions.k8s.io/v1: a schema per version under spec.versions[].schema',
  );
  // v1beta1 keeps unknown fields unless spec.preserveUnknownFields is false: nothing is unknown.
  const keepsUnknown = spec.preserveUnknownFields !== false;
  const global = isObject(spec.validation) ? spec.validation.openAPIV3Schema : undefined;
  const globalRef = isObject(global) ? child(at, 'spec', 'validation', 'openAPIV3Schema') : child(at, 'spec');
  // Without a schema, v1beta1 accepted any object.
  const open = isObject(global) ? global : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  if (Array.isArray(spec.versions) && spec.versions.length > 0) {
    const out: ServedVersion[] = [];
    spec.versions.forEach((v, i) => {
      const vat = child(at, 'spec', 'versions', i);
      if (!isObject(v) || typeof v.name !== 'string' || v.name === '') {
        reporter.error('SCHEMA', posOf(vat, ['name']), `${subject}: expected a version name, found ${describe(isObject(v) ? v.name : v)}`);
        return;
      }
      if (v.served !== true) return;
      const own = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
      if (isObject(own)) out.push({ name: v.name, openAPI: own, ref: child(vat, 'schema', 'openAPIV3Schema'), strict: !keepsUnknown });
      else out.push({ name: v.name, openAPI: open, ref: globalRef, strict: !keepsUnknown });
    });
    return out;
  }
  if (typeof spec.version === 'string' && spec.version !== '') {
    return [{ name: spec.version, openAPI: open, ref: globalRef, strict: !keepsUnknown }];
  }
  reporter.error('SCHEMA', posOf(at, ['spec', 'versions']), `${subject}: expected spec.versions or spec.version, found neither`);
  return [];
}

let checker: Ajv | undefined;

/** An ajv of the one configuration, to check converted schemas and to know its formats. */
function ajvChecker(): Ajv {
  checker ??= createAjv();
  return checker;
}

/** Converts, reports what cannot be enforced, and refuses a result ajv would not compile. */
function convertReported(openAPI: object, at: SourceRef, strict: boolean, subject: string, reporter: Reporter): Schema | null {
  const problems: Problem[] = [];
  const schema = convertCrdSchema(openAPI, { strict }, problems);
  for (const p of problems) reporter[p.severity]('SCHEMA', posOf(at, p.path, { key: p.key }), `${subject}: ${p.message}`);
  // The converter only emits keywords it checked, so this is a guard, not the validation:
  // a schema ajv rejects would make the registry throw later, far from the CRD.
  const ajv = ajvChecker();
  if (!ajv.validateSchema(schema)) {
    const text = ajv.errorsText(ajv.errors, { dataVar: 'schema' });
    reporter.error('SCHEMA', posOf(at), `${subject}: this schema cannot be used: ${text}`);
    return null;
  }
  return schema;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI v3 (Kubernetes' JSONSchemaProps) -> draft-07.

const TYPES = new Set(['array', 'boolean', 'integer', 'number', 'object', 'string']);
const COUNTS = new Set(['maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties']);
const NUMBERS = new Set(['maximum', 'minimum', 'multipleOf']);

function convertCrdSchema(openAPI: object, opts: { strict: boolean }, problems: Problem[]): Schema {
  const root = convert(openAPI, [], false, problems);
  if (root.type !== undefined && root.type !== 'object') {
    problems.push({ severity: 'error', path: ['type'], message: `expected the root of a custom resource schema to be type object, found ${JSON.stringify(root.type)}` });
  }
  root.type = 'object';
  // The API server adds apiVersion, kind and metadata to every custom resource; a CRD may
  // constrain only metadata.name and metadata.generateName, the rest is ObjectMeta.
  const properties: Schema = isObject(root.properties) ? { ...root.properties } : {};
  properties.apiVersion ??= { type: 'string' };
  properties.kind ??= { type: 'string' };
  properties.metadata = objectMeta(properties.metadata);
  root.properties = properties;
  return opts.strict ? strictDefinitions({ root }).root : root;
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
    problems.push({ severity: 'error', path, message: `expected a schema object, found ${describe(s)}; anything is accepted here` });
    return {};
  }
  const o: Schema = {};
  const bad = (key: string, expected: string, v: unknown) =>
    problems.push({ severity: 'error', path: [...path, key], message: `expected ${key} to be ${expected}, found ${describe(v)}; ignored` });
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
        o.items = Array.isArray(v) ? v.map((x, i) => convert(x, [...at, i], branch, problems)) : convert(v, at, branch, problems);
        break;
      case 'dependencies':
        if (!isObject(v)) {
          bad(key, 'a map', v);
          break;
        }
        o.dependencies = Object.fromEntries(
          Object.entries(v).map(([name, d]) => [name, Array.isArray(d) ? d.filter((x) => typeof x === 'string') : convert(d, [...at, name], branch, problems)]),
        );
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        if (Array.isArray(v) && v.length > 0) o[key] = v.map((x, i) => convert(x, [...at, i], true, problems));
        else bad(key, 'a non-empty list of schemas', v);
        break;
      case 'not':
        o.not = convert(v, at, true, problems);
        break;
      case '$ref':
        problems.push({ severity: 'error', path: at, key: true, message: '$ref is not allowed in a CustomResourceDefinition schema; ignored' });
        break;
      default:
        // description, title, example, externalDocs, default, discriminator, nullable and the
        // x-kubernetes-* extensions (interpreted below); x-kubernetes-validations (CEL) and
        // the list/map merge annotations constrain nothing a JSON Schema can check.
        break;
    }
  }
  for (const [exclusive, limit] of [['exclusiveMaximum', 'maximum'], ['exclusiveMinimum', 'minimum']] as const) {
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
  if (s['x-kubernetes-preserve-unknown-fields'] === true && !('additionalProperties' in o)) o.additionalProperties = true;
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
        problems.push({ severity: 'warning', path: [...at, name], key: true, message: `pattern ${JSON.stringify(name)} is not a regular expression JavaScript can run; ignored` });
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
  if (p === undefined) problems.push({ severity: 'warning', path: at, message: `pattern ${JSON.stringify(pattern)} is not a regular expression JavaScript can run; not checked` });
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
  if (Object.keys(guarded).length) o.allOf = [...((o.allOf as unknown[] | undefined) ?? []), { if: { not: { type: 'null' } }, then: guarded }];
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
      'date-time': 'iso-date-time', datetime: 'iso-date-time', uri: 'uri-reference',
      uuid3: 'uuid', uuid4: 'uuid', uuid5: 'uuid', duration: undefined,
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
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
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
      else if ((n === 'p' || n === 'P') && /[A-Za-z]/.test(pattern[i + 1] ?? '')) out += `\\${n}{${pattern[++i]}}`;
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
        if (posix[1] || !POSIX_CLASSES[posix[2]]) return undefined;
        out += POSIX_CLASSES[posix[2]];
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
