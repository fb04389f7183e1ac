// Stage validate: every input and every rendered object against its JSON Schema (ajv), plus the
// checks no schema expresses: names and labels as the API server checks them, Secrets that would
// land in git, references that dangle in some clusters. Errors point at the source node a value
// came from, or at the override operation that put it there, naming the cluster.
import type { Reporter } from '../core/diagnostics.js';
import { isObject } from '../core/cow.js';
import { checkSchema } from '../core/schema-check.js';
import { child, posOf, ref, type SourceRef } from '../core/source.js';
import type { ParsedDoc } from '../core/yaml-source.js';
import { KUBEFED_SCHEDULING_GROUP, KUBEFED_TYPES_GROUP, groupOf } from '../core/kubefed-types.js';
import type { Model } from '../model/build-model.js';
import type { FederationConfig, Json, JsonObject, RenderedObject, Resource } from '../types.js';
import { crdSchemas } from './crd-schemas.js';
import { checkNames, clusterSuffix, locate } from './names.js';
import { checkReferences } from './references.js';
import { pickKubernetesVersion, SchemaRegistry } from './schema-registry.js';

export function validateRendered(
  rendered: readonly RenderedObject[],
  model: Model,
  config: FederationConfig,
  docs: readonly ParsedDoc[],
  reporter: Reporter,
  unrendered: readonly Resource[] = model.resources,
): void {
  refuseSecrets(model, config, reporter);
  checkNames(rendered, reporter);
  checkReferences(rendered, reporter);
  const registry = createRegistry(config, docs, reporter);
  checkKubefedInputs(docs, registry, config, reporter);
  // Each distinct body once: clusters that did not patch an object share its base body.
  const seen = new WeakSet<object>();
  const placedSomewhere = new Set<Resource>();
  for (const o of rendered) {
    placedSomewhere.add(o.resource);
    if (seen.has(o.body)) continue;
    seen.add(o.body);
    checkObject(o, registry, config, reporter);
  }
  for (const r of unrendered) {
    if (placedSomewhere.has(r) || seen.has(r.body)) continue;
    seen.add(r.body);
    checkObject(
      { resource: r, cluster: { name: '', labels: {}, ref: r.ref }, body: r.body, applied: [] },
      registry,
      config,
      reporter,
    );
  }
}

function createRegistry(
  config: FederationConfig,
  docs: readonly ParsedDoc[],
  reporter: Reporter,
): SchemaRegistry {
  const { version, exact } = pickKubernetesVersion(config.validation.kubernetesVersion);
  if (!exact) {
    reporter.warning(
      'CONFIG',
      posOf(config.ref, ['validation', 'kubernetesVersion']),
      `no built-in schemas for Kubernetes ${config.validation.kubernetesVersion}; validating against ${version}, the nearest shipped version`,
    );
  }
  return new SchemaRegistry({
    kubernetesVersion: version,
    strict: true,
    schemaLocations: config.validation.schemaLocations,
    baseDir: config.dir,
    crds: crdSchemas(docs, reporter),
    onLocationProblem: (location, message) => {
      const i = config.validation.schemaLocations.indexOf(location);
      reporter.warning(
        'SCHEMA',
        posOf(config.ref, i >= 0 ? ['validation', 'schemaLocations', i] : ['validation']),
        `schema location "${location}": ${message}`,
      );
    },
  });
}

/** KubeFed objects as written (their templates are checked as the rendered objects). */
function checkKubefedInputs(
  docs: readonly ParsedDoc[],
  registry: SchemaRegistry,
  config: FederationConfig,
  reporter: Reporter,
): void {
  for (const d of docs) {
    const items =
      isObject(d.value) && Array.isArray(d.value.items) && String(d.value.kind).endsWith('List')
        ? d.value.items.map((v, i) => [v, child(ref(d.source), 'items', i)] as const)
        : [[d.value, ref(d.source)] as const];
    for (const [v, at] of items) {
      // Objects without apiVersion, kind or a name were reported by the model already.
      if (
        !isObject(v) ||
        typeof v.apiVersion !== 'string' ||
        typeof v.kind !== 'string' ||
        !isObject(v.metadata) ||
        typeof v.metadata.name !== 'string'
      )
        continue;
      const group = groupOf(v.apiVersion);
      if (group !== KUBEFED_TYPES_GROUP && group !== KUBEFED_SCHEDULING_GROUP) continue;
      const hit = registry.lookup(v.apiVersion, v.kind);
      if (!hit) {
        reporter.error(
          'MISSING_SCHEMA',
          posOf(at, ['apiVersion']),
          `no schema for ${v.apiVersion} ${v.kind}; fedrender reads types.kubefed.io/v1beta1 and scheduling.kubefed.io/v1alpha1`,
        );
        continue;
      }
      checkSchema(hit.validate, withoutNulls(v), at, reporter, {
        subject: `${v.kind} ${name(v)}`,
        unknownFieldsAsWarnings: !config.validation.strict,
      });
    }
  }
}

function checkObject(
  o: RenderedObject,
  registry: SchemaRegistry,
  config: FederationConfig,
  reporter: Reporter,
): void {
  const r = o.resource;
  const hit = registry.lookup(r.id.apiVersion, r.id.kind);
  const subject = `${r.id.kind} ${r.id.namespace ? r.id.namespace + '/' : ''}${r.id.name}`;
  if (!hit) {
    if (skipped(r, config)) return;
    const alternatives = registry.alternatives(r.id.kind).filter((a) => a !== r.id.apiVersion);
    const version = registry.set?.kubernetesVersion ?? '?';
    reporter.error(
      'MISSING_SCHEMA',
      posOf(r.origin === 'kubefed' ? r.ref : r.bodyRef, r.origin === 'kubefed' ? ['kind'] : ['apiVersion']),
      alternatives.length
        ? `${r.id.apiVersion} ${r.id.kind} is not served by Kubernetes ${version}; use ${alternatives.join(' or ')}`
        : `no schema for ${r.id.apiVersion} ${r.id.kind} (Kubernetes ${version}, CRDs, schemaLocations)`,
      alternatives.length
        ? undefined
        : 'add its CustomResourceDefinition to validation.crds, list the kind in validation.skipKinds, or set validation.ignoreMissingSchemas: true',
    );
    return;
  }
  checkSchema(hit.validate, withoutNulls(o.body), r.bodyRef, reporter, {
    subject,
    unknownFieldsAsWarnings: !config.validation.strict,
    locate: (path, key) => locate(o, path, key),
    suffix: (path) => clusterSuffix(o, path),
  });
}

/** validation.skipKinds takes `Kind` or `apiVersion/Kind`; ignoreMissingSchemas skips all. */
function skipped(r: Resource, config: FederationConfig): boolean {
  if (config.validation.ignoreMissingSchemas) return true;
  return config.validation.skipKinds.some((k) => k === r.id.kind || k === `${r.id.apiVersion}/${r.id.kind}`);
}

/**
 * The API server reads `null` as "not set" (`creationTimestamp: null` from `kubectl create
 * --dry-run -o yaml` is accepted), so nulls are dropped before schema checks. Frozen shared
 * subtrees without nulls are returned as they are.
 */
const nullFree = new WeakMap<object, Json>();

function withoutNulls(v: Json): Json {
  if (typeof v !== 'object' || v === null) return v;
  // Shared frozen subtrees are walked once, not once per cluster.
  const known = nullFree.get(v);
  if (known !== undefined) return known;
  const out = stripNulls(v);
  if (Object.isFrozen(v)) nullFree.set(v, out);
  return out;
}

function stripNulls(v: Json): Json {
  if (Array.isArray(v)) {
    const mapped = v.map(withoutNulls);
    return mapped.every((x, i) => x === v[i]) ? v : mapped;
  }
  if (!isObject(v)) return v;
  let changed = false;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null) {
      changed = true;
      continue;
    }
    const y = withoutNulls(x);
    if (y !== x) changed = true;
    out[k] = y;
  }
  return changed ? out : v;
}

function name(v: JsonObject): string {
  const m = isObject(v.metadata) ? v.metadata : {};
  return `${typeof m.namespace === 'string' ? m.namespace + '/' : ''}${String(m.name ?? '')}`;
}

/** Rendered output is committed to git: a Secret's data would be published with it. */
function refuseSecrets(model: Model, config: FederationConfig, reporter: Reporter): void {
  if (config.output.allowSecrets) return;
  for (const r of model.resources) {
    if (r.id.kind !== 'Secret' || r.id.group !== '') continue;
    const field = ['data', 'stringData'].find(
      (f) => isObject(r.body[f]) && Object.keys(r.body[f] as object).length > 0,
    );
    if (!field) continue;
    const at: SourceRef = r.bodyRef;
    const message = `Secret ${r.id.namespace}/${r.id.name} has ${field}; rendered output is committed to git`;
    const hint = 'use a SealedSecret or ExternalSecret, or set output.allowSecrets: true';
    if (r.origin === 'plain')
      reporter.error(
        'SECRET_REFUSED',
        posOf(at, [field], { key: true }),
        `${message}, so plain Secrets are refused`,
        hint,
      );
    else
      reporter.warning(
        'SECRET_REFUSED',
        posOf(at, [field], { key: true }),
        `${message}: it will be published there`,
        hint,
      );
  }
}
