// Stage validate: every input and every rendered object against its JSON Schema (ajv), plus the
// checks no schema expresses: names and labels as the API server checks them, Secrets that would
// land in git, references that dangle in some clusters. Errors point at the source node a value
// came from, or at the override operation that put it there, naming the cluster.
import type { Reporter, SourcePos } from '../core/diagnostics.js';
import { isObject } from '../core/cow.js';
import { text } from '../core/json-read.js';
import { didYouMean } from '../core/diagnostics.js';
import { checkSchema, type SchemaCheckOptions } from '../core/schema-check.js';
import { decryptedShape } from '../core/sops.js';
import { formatPointer, plainScalarSource, posOf, type JsonPath, type SourceRef } from '../core/source.js';
import type { ParsedDoc } from '../core/yaml-source.js';
import type { Model } from '../model/build-model.js';
import type { FederationConfig, Json, JsonObject, RenderedObject, Resource } from '../types.js';
import { compileCelRules, type CelRules } from './cel-rules.js';
import { withDefaults } from './crd-defaults.js';
import { crdSchemas, type CrdSchema } from './crd-schemas.js';
import { API_RULES } from './api-rules.js';
import { walkObject, pointer, type RuleProblem } from './api-walk.js';
import { checkName, clusterSuffix, locate, overridden } from './names.js';
import { checkObjectReferences, referenceIndex } from './references.js';
import { removedApi } from './removed-apis.js';
import { pickKubernetesVersion, SchemaRegistry, type SchemaHit } from './schema-registry.js';
import type { WellKnownSchema } from './well-known-crds.js';

/** What a build reuses from the render cache, and how it learns whose checks are running. */
export interface ValidateScope {
  /** Objects an earlier run rendered and checked, reused as they are: they count as rendered. */
  reused?: readonly { resource: Resource; cluster: string }[];
  /** Called before the checks of each resource's objects (the render cache attributes diagnostics). */
  onResource?: (r: Resource | undefined) => void;
}

export function validateRendered(
  rendered: readonly RenderedObject[],
  model: Model,
  config: FederationConfig,
  registry: SchemaRegistry,
  reporter: Reporter,
  unrendered: readonly Resource[] = model.resources,
  scope: ValidateScope = {},
): void {
  refuseSecrets(model, config, reporter);
  const references = referenceIndex([
    ...rendered.map((o) => ({ resource: o.resource, cluster: o.cluster.name })),
    ...(scope.reused ?? []),
  ]);
  // Each distinct body once: clusters that did not patch an object share its base body. A Set,
  // not a WeakSet: the bodies live through this call anyway, and a Set adds them for less.
  const seen = new Set<object>();
  const placedSomewhere = new Set<Resource>();
  for (const o of rendered) {
    scope.onResource?.(o.resource);
    placedSomewhere.add(o.resource);
    checkName(o, reporter);
    checkObjectReferences(o, references, reporter);
    if (seen.has(o.body)) continue;
    seen.add(o.body);
    checkObject(o, registry, config, reporter);
  }
  for (const r of unrendered) {
    if (placedSomewhere.has(r) || seen.has(r.body)) continue;
    seen.add(r.body);
    scope.onResource?.(r);
    checkObject(
      { resource: r, cluster: { name: '', labels: {}, ref: r.ref }, body: r.body, applied: [] },
      registry,
      config,
      reporter,
    );
  }
  scope.onResource?.(undefined);
}

/**
 * The schemas of a run, created once after load: the KubeFed inputs are checked against them
 * before the model reads them, the rendered objects at the end. `wellKnown` may be filled later
 * (the well-known kinds are known from the model); KubeFed kinds never resolve to them.
 */
export function createRegistry(
  config: FederationConfig,
  docs: readonly ParsedDoc[],
  reporter: Reporter,
  wellKnown: Map<string, WellKnownSchema> | undefined,
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
    wellKnown,
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
    if (skipped(r, config))
      return checkApiRules(o, registry, undefined, { subject, sourceText: () => undefined }, reporter);
    reportMissingSchema(r, registry, reporter);
    return;
  }
  const opts = {
    subject,
    unknownFieldsAsWarnings: !config.validation.strict,
    locate: (path: JsonPath, key: boolean) => locate(o, path, key),
    suffix: (path: JsonPath) => clusterSuffix(o, path),
    sourceText: (path: JsonPath) => (overridden(o, path) ? undefined : plainScalarSource(r.bodyRef, path)),
  };
  if (labelsOnlyCopyOfValid(o, hit)) {
    checkApiRules(o, registry, hit, opts, reporter);
    return;
  }
  const written = withoutNulls(r.verbatim !== undefined ? decryptedShape(o.body) : o.body);
  // A custom resource is defaulted by the API server before its schema and rules run.
  const body = hit.crd ? withDefaults(written, hit.crd.openAPI) : written;
  const valid = checkSchema(hit.validate, body, r.bodyRef, reporter, opts);
  checkApiRules(o, registry, hit, opts, reporter);
  // As the API server, CEL rules run only over a value its schema accepts.
  const rules =
    hit.crd && valid ? celRulesOf(hit.crd, () => posOf(r.bodyRef, ['apiVersion']), reporter) : undefined;
  if (isObject(body))
    rules?.check(body, (path, message) => {
      const key = path.length > 0 && isCollection(valueAt(body, path));
      const where = path.length ? `${formatPointer(path)}: ` : '';
      reporter.error(
        'CEL_RULE',
        locate(o, path, key),
        `${subject}: ${where}${message}${clusterSuffix(o, path)}`,
      );
    });
}
/**
 * Whether a per-cluster copy needs no schema check of its own: a built-in kind whose source body
 * passes its schema, and the copy differs from it only in metadata.labels and
 * metadata.annotations, both maps of strings (what ObjectMeta's schema asks of them). The most
 * common per-cluster override, a cluster label on every object, then costs one schema check per
 * object rather than one per cluster (~0.6 s of a 2,000x20 build). The API rules still run on the
 * copy (label syntax is theirs). Decided from the values, not from the operations applied.
 */
function labelsOnlyCopyOfValid(o: RenderedObject, hit: SchemaHit): boolean {
  const r = o.resource;
  const copy = o.body;
  const base = r.body;
  if (!hit.builtin || copy === base || r.verbatim !== undefined) return false;
  if (!sameExcept(copy, base, 'metadata')) return false;
  const meta = copy.metadata;
  const baseMeta = base.metadata;
  if (!isObject(meta) || !isObject(baseMeta) || !sameExcept(meta, baseMeta, 'labels', 'annotations'))
    return false;
  if (!stringMap(meta.labels) || !stringMap(meta.annotations)) return false;
  return baseValid(base, hit);
}

/** The same keys with the same (identical) values, but for `except`. */
function sameExcept(a: JsonObject, b: JsonObject, ...except: string[]): boolean {
  for (const k in a) if (!except.includes(k) && (!Object.hasOwn(b, k) || a[k] !== b[k])) return false;
  for (const k in b) if (!except.includes(k) && !Object.hasOwn(a, k)) return false;
  return true;
}

/** Absent, or a map whose every value is a string. */
function stringMap(v: Json | undefined): boolean {
  if (v === undefined) return true;
  if (!isObject(v)) return false;
  for (const k in v) if (typeof v[k] !== 'string') return false;
  return true;
}

/** A source body's schema verdict, per schema: checked once, whatever the number of copies. */
const baseVerdicts = new WeakMap<object, Map<SchemaHit['validate'], boolean>>();

function baseValid(base: JsonObject, hit: SchemaHit): boolean {
  let verdicts = baseVerdicts.get(base);
  if (!verdicts) baseVerdicts.set(base, (verdicts = new Map<SchemaHit['validate'], boolean>()));
  let valid = verdicts.get(hit.validate);
  if (valid === undefined) verdicts.set(hit.validate, (valid = hit.validate(withoutNulls(base))));
  return valid;
}

/** Compiled CEL rules per CRD version, and CRDs whose skipped rules were already reported. */
const celCache = new WeakMap<CrdSchema, CelRules | null>();
const reportedSkips = new WeakMap<Reporter, Set<string>>();

/**
 * The CRD's rules; the ones that cannot be evaluated are summed up in one warning per CRD, at the
 * rule in a user's CRD, or for a CRD shipped with fedrender at the first object that uses it.
 */
function celRulesOf(crd: CrdSchema, object: () => SourcePos, reporter: Reporter): CelRules | undefined {
  let rules = celCache.get(crd);
  if (rules === undefined) {
    rules = compileCelRules(crd.openAPI) ?? null;
    celCache.set(crd, rules);
  }
  if (!rules) return undefined;
  let seen = reportedSkips.get(reporter);
  if (!seen) reportedSkips.set(reporter, (seen = new Set()));
  const firstSkipped = rules.skipped[0];
  if (firstSkipped && !seen.has(crd.crd || crd.kind)) {
    seen.add(crd.crd || crd.kind);
    const count = (reason: string) => rules.skipped.filter((s) => s.reason === reason).length;
    const functions = [
      ...new Set(rules.skipped.flatMap((s) => (s.reason === 'unsupported' ? s.detail!.split(', ') : []))),
    ].sort();
    const parts = [
      count('transition') && `${count('transition')} compare with the stored object (oldSelf)`,
      count('unsupported') &&
        `${count('unsupported')} call functions fedrender does not implement (${functions.join(', ')})`,
      count('invalid') && `${count('invalid')} do not parse`,
    ].filter(Boolean);
    const what = crd.shipped
      ? `${crd.kind} (CustomResourceDefinition ${crd.crd} of ${crd.shipped}, shipped with fedrender)`
      : `CustomResourceDefinition ${crd.crd || crd.kind}`;
    reporter.warning(
      'CEL_RULE',
      crd.ref ? posOf(crd.ref, firstSkipped.schemaPath) : object(),
      `${what}: ${rules.skipped.length} of ${rules.total} CEL rules are not checked: ${parts.join('; ')}`,
    );
  }
  return rules;
}

function isCollection(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}

function valueAt(v: Json, path: JsonPath): Json | undefined {
  let cur: Json | undefined = v;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObject(cur)) cur = cur[String(seg)];
    else return undefined;
  }
  return cur;
}

/**
 * The API server's rules beyond the schema (api-rules.ts) on a built-in kind; on anything else
 * its metadata, which the API server checks as ObjectMeta whatever a CRD says.
 */
/**
 * No schema: a removed API names the release that removed it and its replacement (Kubernetes'
 * deprecation guide), a kind served under another apiVersion names that one, a misspelt kind
 * gets a did-you-mean. Only an unknown kind suggests the ways to skip it: skipping a typo would
 * ship the broken object.
 */
function reportMissingSchema(r: Resource, registry: SchemaRegistry, reporter: Reporter): void {
  const version = registry.set?.kubernetesVersion ?? '?';
  const at = posOf(
    r.origin === 'kubefed' ? r.ref : r.bodyRef,
    r.origin === 'kubefed' ? ['kind'] : ['apiVersion'],
  );
  const what = `${r.id.apiVersion} ${r.id.kind}`;
  const removed = removedApi(r.id.apiVersion, r.id.kind);
  if (removed) {
    reporter.error(
      'MISSING_SCHEMA',
      at,
      `${what} was removed in Kubernetes ${removed.removedIn}; use ${removed.replacement}`,
    );
    return;
  }
  const alternatives = registry.alternatives(r.id.kind).filter((a) => a !== r.id.apiVersion);
  if (alternatives.length) {
    reporter.error(
      'MISSING_SCHEMA',
      at,
      `${what} is not served by Kubernetes ${version}; use ${alternatives.join(' or ')}`,
    );
    return;
  }
  const known = registry.knownKinds();
  const guess = didYouMean(r.id.kind, known.keys());
  if (guess) {
    const versions = known.get(guess) ?? [];
    reporter.error(
      'MISSING_SCHEMA',
      posOf(r.origin === 'kubefed' ? r.ref : r.bodyRef, ['kind']),
      `unknown kind ${r.id.kind} in ${r.id.apiVersion} (did you mean ${guess}?)`,
      `${guess} is served as ${versions.sort().join(', ')}`,
    );
    return;
  }
  reporter.error(
    'MISSING_SCHEMA',
    at,
    `no schema for ${what} (Kubernetes ${version}, CRDs, schemaLocations)`,
    'add its CustomResourceDefinition to validation.crds, list the kind in validation.skipKinds, or set validation.ignoreMissingSchemas: true',
  );
}

function checkApiRules(
  o: RenderedObject,
  registry: SchemaRegistry,
  hit: SchemaHit | undefined,
  opts: SchemaCheckOptions & { sourceText: (path: JsonPath) => string | undefined },
  reporter: Reporter,
): void {
  const r = o.resource;
  const set = registry.set;
  if (!set) return;
  const definition = set.kinds.get(`${r.id.apiVersion}/${r.id.kind}`);
  let problems: RuleProblem[] = [];
  if (definition) {
    problems = walkObject(o.body, definition, set.definitions, API_RULES, [], r.body);
  } else if (isObject(o.body.metadata)) {
    const meta = registry.objectMetaValidator();
    if (hit && meta && !schemaChecksMetadata(hit.validate.schema))
      checkSchema(meta, { metadata: withoutNulls(o.body.metadata) }, r.bodyRef, reporter, opts);
    problems = walkObject(
      o.body.metadata,
      OBJECT_META,
      set.definitions,
      API_RULES,
      ['metadata'],
      r.body.metadata,
    );
  }
  for (const p of problems) {
    const pos = locate(o, p.path, p.key);
    const message = `${opts.subject}: ${pointer(p.path)}: ${p.message}${clusterSuffix(o, p.path)}`;
    const code = p.name ? 'INVALID_NAME' : 'INVALID_VALUE';
    if (p.warning) reporter.warning(code, pos, message, p.hint);
    else reporter.error(code, pos, message, p.hint);
  }
}

export const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** Whether a schema already checks metadata as ObjectMeta (built-in and kubeconform-style schemas). */
function schemaChecksMetadata(schema: unknown): boolean {
  const props = isObject(schema) ? schema.properties : undefined;
  const meta = isObject(props) ? props.metadata : undefined;
  if (!isObject(meta)) return false;
  return typeof meta.$ref === 'string' || (isObject(meta.properties) && 'labels' in meta.properties);
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

export function withoutNulls(v: Json): Json {
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
    // As for objects below: a copy only once an element changes.
    let copy: Json[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const y = withoutNulls(v[i]!);
      if (copy === undefined && y === v[i]) continue;
      copy ??= v.slice(0, i);
      copy.push(y);
    }
    return copy ?? v;
  }
  if (!isObject(v)) return v;
  // A copy only once something changes: most objects have no null anywhere.
  let out: JsonObject | undefined;
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const x = v[k]!;
    const y = x === null ? undefined : withoutNulls(x);
    if (out === undefined && y === x) continue;
    if (out === undefined) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]!] = v[keys[j]!]!;
    }
    if (y !== undefined) out[k] = y;
  }
  return out ?? v;
}

export function name(v: JsonObject): string {
  const m = isObject(v.metadata) ? v.metadata : {};
  return `${typeof m.namespace === 'string' ? m.namespace + '/' : ''}${text(m.name ?? '')}`;
}

/** Rendered output is committed to git: a Secret's data would be published with it. */
function refuseSecrets(model: Model, config: FederationConfig, reporter: Reporter): void {
  if (config.output.allowSecrets) return;
  for (const r of model.resources) {
    // Encrypted (SOPS) or opted in per object with fedrender.io/allow-secret: "true".
    if (r.id.kind !== 'Secret' || r.id.group !== '' || r.verbatim !== undefined || r.allowSecret) continue;
    const field = ['data', 'stringData'].find(
      (f) => isObject(r.body[f]) && Object.keys(r.body[f] as object).length > 0,
    );
    if (!field) continue;
    const at: SourceRef = r.bodyRef;
    const message = `Secret ${r.id.namespace}/${r.id.name} has ${field}; rendered output is committed to git`;
    const hint =
      'encrypt it with SOPS, use a SealedSecret or ExternalSecret, or opt in with the annotation fedrender.io/allow-secret: "true" (or output.allowSecrets: true for all)';
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
