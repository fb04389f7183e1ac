// Stage validate, CRD schemas: CustomResourceDefinitions (among the inputs and validation.crds)
// -> one draft-07 JSON Schema per served version of each custom resource, keyed
// "group/version/Kind". OpenAPI v3 and the x-kubernetes-* extensions are translated into what
// the API server enforces; a malformed CRD is reported at its node and skipped, never thrown.
import { isObject } from '../core/cow.js';
import type { Reporter } from '../core/diagnostics.js';
import { describeValue as describe } from '../core/schema-check.js';
import { child, posOf, ref, type SourceRef } from '../core/source.js';
import type { ParsedDoc } from '../core/yaml-source.js';
import { ajvChecker, convertCrdSchema, type Problem, type Schema } from './openapi-schema.js';

export { ajvPattern, allowNull, checkableFormat } from './openapi-schema.js';

export interface CrdSchema {
  /** `group/version` of the custom resource, e.g. `stable.example.com/v1`. */
  apiVersion: string;
  kind: string;
  scope: 'Namespaced' | 'Cluster';
  /** Draft-07, ready for createAjv(); strict unless crdSchemas was told otherwise. */
  schema: object;
  /** The CRD's openAPIV3Schema node (its spec, for a v1beta1 CRD without a schema); none when shipped. */
  ref?: SourceRef;
  /** metadata.name of the CRD, e.g. `crontabs.stable.example.com`. */
  crd: string;
  /** The openAPIV3Schema as written: its CEL rules are compiled from it (cel-rules.ts). */
  openAPI: object;
  /** A CRD shipped with fedrender (well-known-crds.ts): its upstream repository and release. */
  shipped?: string;
}

/** A CRD read from the user's files, which always knows where its schema is written. */
export type UserCrd = CrdSchema & { ref: SourceRef };

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
): Map<string, UserCrd> {
  const strict = opts.strict ?? true;
  const out = new Map<string, UserCrd>();
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

function readCrd(crd: Schema, at: SourceRef, strict: boolean, reporter: Reporter): UserCrd[] {
  const name = isObject(crd.metadata) && typeof crd.metadata.name === 'string' ? crd.metadata.name : '';
  const subject = `CustomResourceDefinition${name ? ' ' + name : ''}`;
  const spec = crd.spec;
  if (!isObject(spec)) {
    reporter.error(
      'SCHEMA',
      posOf(at, ['spec']),
      `${subject}: expected spec, an object, found ${describe(spec)}`,
    );
    return [];
  }
  const group = spec.group;
  const names = spec.names;
  const kind = isObject(names) ? names.kind : undefined;
  let ok = true;
  if (typeof group !== 'string' || group === '') {
    reporter.error(
      'SCHEMA',
      posOf(at, ['spec', 'group']),
      `${subject}: expected spec.group, the API group of its resources, found ${describe(group)}`,
    );
    ok = false;
  }
  if (typeof kind !== 'string' || kind === '') {
    reporter.error(
      'SCHEMA',
      posOf(at, ['spec', 'names', 'kind']),
      `${subject}: expected spec.names.kind, found ${describe(kind)}`,
    );
    ok = false;
  }
  if (!ok || typeof group !== 'string' || typeof kind !== 'string') return [];
  const g = group;
  const k = kind;
  const plural = isObject(names) ? names.plural : undefined;
  if (name && typeof plural === 'string' && name !== `${plural}.${g}`) {
    reporter.error(
      'SCHEMA',
      posOf(at, ['metadata', 'name']),
      `${subject}: expected metadata.name "${plural}.${g}" (<spec.names.plural>.<spec.group>), found "${name}"`,
    );
  }
  let scope: CrdSchema['scope'] = 'Namespaced';
  if (spec.scope === 'Cluster' || spec.scope === 'Namespaced') {
    scope = spec.scope;
  } else {
    reporter.error(
      'SCHEMA',
      posOf(at, ['spec', 'scope']),
      `${subject}: expected spec.scope Namespaced or Cluster, found ${describe(spec.scope)}; read as Namespaced`,
    );
  }

  const versions =
    crd.apiVersion === V1
      ? v1Versions(spec, at, subject, reporter)
      : v1beta1Versions(spec, at, subject, reporter);
  const out: UserCrd[] = [];
  // A v1beta1 CRD shares one schema between its versions: convert (and report) it once.
  const converted = new Map<object, Schema | null>();
  for (const v of versions) {
    let schema = converted.get(v.openAPI);
    if (schema === undefined) {
      schema = convertReported(v.openAPI, v.ref, v.strict && strict, subject, reporter);
      converted.set(v.openAPI, schema);
    }
    if (schema)
      out.push({
        apiVersion: `${g}/${v.name}`,
        kind: k,
        scope,
        schema,
        ref: v.ref,
        crd: name,
        openAPI: v.openAPI,
      });
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
    reporter.error(
      'SCHEMA',
      posOf(at, ['spec', 'versions']),
      `${subject}: expected spec.versions, a list of at least one version, found ${describe(list)}`,
    );
    return [];
  }
  const out: ServedVersion[] = [];
  list.forEach((v, i) => {
    const vat = child(at, 'spec', 'versions', i);
    if (!isObject(v) || typeof v.name !== 'string' || v.name === '') {
      reporter.error(
        'SCHEMA',
        posOf(vat, ['name']),
        `${subject}: expected a version name, found ${describe(isObject(v) ? v.name : v)}`,
      );
      return;
    }
    const openAPI = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    // apiextensions.k8s.io/v1 requires a schema for every version, served or not.
    if (!isObject(openAPI)) {
      reporter.error(
        'SCHEMA',
        posOf(vat, isObject(v.schema) ? ['schema', 'openAPIV3Schema'] : ['schema']),
        `${subject}: version ${v.name} has no schema.openAPIV3Schema, which apiextensions.k8s.io/v1 requires`,
      );
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
        reporter.error(
          'SCHEMA',
          posOf(vat, ['name']),
          `${subject}: expected a version name, found ${describe(isObject(v) ? v.name : v)}`,
        );
        return;
      }
      if (v.served !== true) return;
      const own = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
      if (isObject(own))
        out.push({
          name: v.name,
          openAPI: own,
          ref: child(vat, 'schema', 'openAPIV3Schema'),
          strict: !keepsUnknown,
        });
      else out.push({ name: v.name, openAPI: open, ref: globalRef, strict: !keepsUnknown });
    });
    return out;
  }
  if (typeof spec.version === 'string' && spec.version !== '') {
    return [{ name: spec.version, openAPI: open, ref: globalRef, strict: !keepsUnknown }];
  }
  reporter.error(
    'SCHEMA',
    posOf(at, ['spec', 'versions']),
    `${subject}: expected spec.versions or spec.version, found neither`,
  );
  return [];
}

/** Converts, reports what cannot be enforced, and refuses a result ajv would not compile. */
function convertReported(
  openAPI: object,
  at: SourceRef,
  strict: boolean,
  subject: string,
  reporter: Reporter,
): Schema | null {
  const problems: Problem[] = [];
  const schema = convertCrdSchema(openAPI, { strict }, problems);
  for (const p of problems)
    reporter[p.severity]('SCHEMA', posOf(at, p.path, { key: p.key }), `${subject}: ${p.message}`);
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
