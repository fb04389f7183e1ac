// Stage check-inputs: the KubeFed objects among the inputs (Federated<Kind>s, including those of
// a FederatedTypeConfig's group, and ReplicaSchedulingPreferences) against their schemas, as
// written and before anything reads them. Where a schema error is, the model reads nothing
// (and so reports nothing again): each mistake is reported once, here, and nothing downstream
// meets a value of the wrong shape (a clusterSelector that is a number). Templates are checked
// as rendered objects.
import type { Reporter } from '../core/diagnostics.js';
import { KUBEFED_SCHEDULING_GROUP, KUBEFED_TYPES_GROUP, groupOf } from '../core/kubefed-types.js';
import { checkSchema } from '../core/schema-check.js';
import { posOf } from '../core/source.js';
import type { ParsedDoc } from '../core/yaml-source.js';
import { inputObjects } from '../model/input-objects.js';
import type { FederationConfig, Json } from '../types.js';
import { API_RULES } from './api-rules.js';
import { pointer, walkObject } from './api-walk.js';
import type { SchemaRegistry } from './schema-registry.js';
import { name, OBJECT_META, withoutNulls } from './validate.js';

/** KubeFed object (as the documents hold it) -> the JSON pointers of its schema errors. */
export type SchemaErrors = Map<Json, string[]>;

/** True when `pointer` is, or is inside, a path with a schema error. */
export function hasSchemaError(errors: readonly string[] | undefined, pointer: string): boolean {
  return (errors ?? []).some((e) => e === pointer || e.startsWith(`${pointer}/`));
}

export function checkKubefedInputs(
  docs: readonly ParsedDoc[],
  registry: SchemaRegistry,
  config: FederationConfig,
  federatedGroups: ReadonlySet<string>,
  reporter: Reporter,
): SchemaErrors {
  const invalid: SchemaErrors = new Map();
  // Objects without apiVersion, kind or a name are reported by the model.
  for (const { value: v, at } of inputObjects(docs, undefined)) {
    const group = groupOf(v.apiVersion);
    if (!federatedGroups.has(group) && group !== KUBEFED_SCHEDULING_GROUP) continue;
    // A federated group of an FTC (kubefedctl enable --federated-group) has KubeFed's shape.
    const hit =
      registry.lookup(v.apiVersion, v.kind) ??
      (federatedGroups.has(group) ? registry.lookup(`${KUBEFED_TYPES_GROUP}/v1beta1`, v.kind) : undefined);
    if (!hit) {
      reporter.error(
        'MISSING_SCHEMA',
        posOf(at, ['apiVersion']),
        `no schema for ${v.apiVersion} ${v.kind}; fedrender reads types.kubefed.io/v1beta1 and scheduling.kubefed.io/v1alpha1`,
      );
      continue;
    }
    const opts = { subject: `${v.kind} ${name(v)}`, unknownFieldsAsWarnings: !config.validation.strict };
    if (!checkSchema(hit.validate, withoutNulls(v), at, reporter, opts)) {
      // An unknown field that is only a warning (validation.strict off) is still read.
      const lax = opts.unknownFieldsAsWarnings;
      const paths = (hit.validate.errors ?? [])
        .filter((e) => !(lax && e.keyword === 'additionalProperties'))
        .map((e) => e.instancePath);
      if (paths.length) invalid.set(v, [...new Set(paths)]);
    }
    // A KubeFed object's own metadata is ObjectMeta too (its schema leaves it open); its
    // mistakes do not change how the object is read.
    const meta = registry.objectMetaValidator();
    const set = registry.set;
    if (!meta || !set) continue;
    checkSchema(meta, { metadata: withoutNulls(v.metadata) }, at, reporter, opts);
    for (const p of walkObject(v.metadata, OBJECT_META, set.definitions, API_RULES, ['metadata'])) {
      const message = `${opts.subject}: ${pointer(p.path)}: ${p.message}`;
      reporter.error(
        p.name ? 'INVALID_NAME' : 'INVALID_VALUE',
        posOf(at, p.path, { key: p.key }),
        message,
        p.hint,
      );
    }
  }
  return invalid;
}
