// The shipped Kubernetes schema bundles. Two of them (CROSS_CHECKED) are compared with
// kubernetes-models, a devDependency generated from Kubernetes' OpenAPI spec (see
// test/upstream-models.ts): every definition's properties, types and (for the version it is
// generated from) required fields must match, and every manifest of test/fixtures/k8s-corpus must
// be accepted or rejected alike, at the same places, by both; the file name says what each
// version does, lax and strict. The versions between them are checked against their
// cross-checked neighbours (shared definitions agree, the corpus gives the same results), against
// the corpus' per-version expectations, and against the API lifecycle in Kubernetes' deprecation
// guide and release notes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { createAjv } from '../src/core/ajv.js';
import {
  modelDefinitions,
  modelName,
  modelsVersion,
  modelValidator,
  schemaShape,
  type ModelValidator,
} from './upstream-models.js';
import { packageRoot } from '../src/core/package-files.js';
import {
  availableKubernetesVersions,
  kindSchema,
  loadKubernetesSchemas,
  strictDefinitions,
  type KubernetesSchemaSet,
} from '../src/core/k8s-schemas.js';

type Schema = Record<string, unknown>;
type Outcome = 'valid' | 'invalid' | 'strict-invalid' | 'no-schema';

const ROOT = packageRoot();
const CORPUS = join(ROOT, 'test', 'fixtures', 'k8s-corpus');
const VERSIONS = availableKubernetesVersions();
/** Versions compared with an upstream bundle; every other shipped version lies between two of them. */
const CROSS_CHECKED = ['1.32', '1.36'];
const minor = (version: string) => Number(version.split('.')[1]);

// ---------------------------------------------------------------------------------------------
// The upstream side: kubernetes-models (a devDependency, generated from Kubernetes' OpenAPI spec):
// its declarations give every definition's properties, types and required fields, its compiled
// validators accept or reject manifests. Its current release is generated from Kubernetes 1.36
// (EXACT: compared both ways, required fields included); an older cross-checked bundle must be
// a subset of it, typed alike (fields are added between minors, hardly ever removed).
const EXACT = '1.36';

/** Known, counted differences: free-form values the client erases to `any` (see the generator README). */
const FREE_FORM = new Set([
  'ref:IoK8sApimachineryPkgRuntimeRawExtension',
  'ref:IoK8sApimachineryPkgApisMetaV1FieldsV1',
  'ref:IoK8sApiextensionsApiserverPkgApisApiextensionsV1JSON',
  'ref:IoK8sApiextensionsApiserverPkgApisApiextensionsV1JSONSchemaPropsOrArray',
  'ref:IoK8sApiextensionsApiserverPkgApisApiextensionsV1JSONSchemaPropsOrBool',
  'ref:IoK8sApiextensionsApiserverPkgApisApiextensionsV1JSONSchemaPropsOrStringArray',
  'ref:IoK8sApiextensionsApiserverPkgApisApiextensionsV1CustomResourceSubresourceStatus',
]);
/** kubernetes-models inlines the embedded PersistentVolumeClaim of a StatefulSet. */
const INLINED = new Set(['io.k8s.api.apps.v1.StatefulSetSpec.volumeClaimTemplates']);

/** The compiled validator for a kind, or undefined when kubernetes-models has none. */
async function upstreamValidator(definition: string): Promise<ModelValidator | undefined> {
  const name = modelName(definition);
  return (
    (await modelValidator('kubernetes-models', name)) ??
    (await modelValidator('@kubernetes-models/apimachinery', name))
  );
}

// ---------------------------------------------------------------------------------------------
// Running one manifest through one side.

interface Result {
  outcome: 'accepted' | 'rejected' | 'no-schema';
  /** Where the errors are: instance path, plus the unknown or missing property. */
  where: string[];
}

const ajvShipped = createAjv();
const compiled = new WeakMap<object, ValidateFunction>();

function check(ajv: ReturnType<typeof createAjv>, schema: object | undefined, doc: unknown): Result {
  if (!schema) return { outcome: 'no-schema', where: [] };
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(doc)) return { outcome: 'accepted', where: [] };
  return { outcome: 'rejected', where: [...new Set((validate.errors ?? []).map(where))].sort() };
}

function where(e: ErrorObject): string {
  const p = e.params as { additionalProperty?: string; missingProperty?: string };
  const extra = p.additionalProperty ?? p.missingProperty;
  return extra === undefined ? e.instancePath : `${e.instancePath}/${extra}`;
}

interface Fixture {
  file: string;
  doc: { apiVersion: string; kind: string };
  expect: (version: string) => Outcome;
  /** Whether some `# expect 1.NN:` line makes the outcome depend on the version. */
  versionSpecific: boolean;
}

function corpus(): Fixture[] {
  const files = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  return files.map((file) => {
    const text = readFileSync(join(CORPUS, file), 'utf8');
    // The name says what every version does; `# expect 1.32: no-schema` overrides one version.
    const byName: Outcome | undefined = file.startsWith('valid-')
      ? 'valid'
      : file.startsWith('invalid-')
        ? 'invalid'
        : file.startsWith('strict-invalid-')
          ? 'strict-invalid'
          : file.startsWith('removed-')
            ? 'no-schema'
            : undefined;
    if (!byName)
      throw new Error(`${file}: name must start with valid-, invalid-, strict-invalid- or removed-`);
    const overrides = new Map<string, Outcome>();
    for (const m of text.matchAll(/^# expect (\d+\.\d+): (valid|invalid|strict-invalid|no-schema)\b/gm)) {
      overrides.set(m[1]!, m[2]! as Outcome);
    }
    const doc = parse(text) as Fixture['doc'];
    return {
      file,
      doc,
      expect: (version: string) => overrides.get(version) ?? byName,
      versionSpecific: overrides.size > 0,
    };
  });
}

let corpusCache: Fixture[] | undefined;
function fixtures(): Fixture[] {
  corpusCache ??= corpus();
  return corpusCache;
}

function outcomeOf(lax: Result, strict: Result): Outcome | string {
  if (lax.outcome === 'no-schema' && strict.outcome === 'no-schema') return 'no-schema';
  if (lax.outcome === 'accepted' && strict.outcome === 'accepted') return 'valid';
  if (lax.outcome === 'rejected' && strict.outcome === 'rejected') return 'invalid';
  if (lax.outcome === 'accepted' && strict.outcome === 'rejected') return 'strict-invalid';
  return `lax ${lax.outcome}, strict ${strict.outcome}`;
}

function shippedSet(version: string): KubernetesSchemaSet {
  const set = loadKubernetesSchemas(version);
  if (!set) throw new Error(`no bundle for ${version}`);
  return set;
}

// ---------------------------------------------------------------------------------------------

test('bundles are shipped for the cross-checked versions and the minors between them', () => {
  assert.ok(
    VERSIONS.length >= 2,
    `expected two or more bundles in schemas/kubernetes, found ${VERSIONS.join(', ')}`,
  );
  for (const v of VERSIONS) assert.ok(/^1\.\d+$/.test(v), v);
  for (const v of CROSS_CHECKED) {
    assert.ok(VERSIONS.includes(v), `schemas/kubernetes/v${v}.json is missing`);
  }
  const [low, high] = [minor(CROSS_CHECKED[0]!), minor(CROSS_CHECKED[CROSS_CHECKED.length - 1]!)];
  for (const v of VERSIONS)
    assert.ok(minor(v) >= low && minor(v) <= high, `${v} has no cross-checked neighbour on each side`);
});

test('loader: versions, patch versions, caching, unknown versions', () => {
  assert.equal(
    VERSIONS,
    [...VERSIONS].sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1])),
  );
  const [first] = VERSIONS;
  const set = shippedSet(first!);
  assert.is(set.kubernetesVersion, first);
  assert.ok(set.source.startsWith('@kubernetes/client-node@'), set.source);
  assert.is(loadKubernetesSchemas(`${first}.7`), set, 'a patch version selects the minor bundle');
  assert.is(loadKubernetesSchemas(`v${first}`), set);
  assert.is(loadKubernetesSchemas('1.0'), undefined);
  assert.is(loadKubernetesSchemas('latest'), undefined);
  assert.is(set.kinds.get('apps/v1/Deployment'), 'io.k8s.api.apps.v1.Deployment');
  assert.is(set.kinds.get('v1/ConfigMap'), 'io.k8s.api.core.v1.ConfigMap');
});

test('kindSchema: self-contained, cached per kind and mode, undefined for unknown kinds', () => {
  const set = shippedSet(VERSIONS[0]!);
  const lax = kindSchema(set, 'apps/v1', 'Deployment', { strict: false }) as Schema;
  const strict = kindSchema(set, 'apps/v1', 'Deployment', { strict: true }) as Schema;
  assert.is(lax.$ref, '#/definitions/io.k8s.api.apps.v1.Deployment');
  assert.is(kindSchema(set, 'apps/v1', 'Deployment', { strict: false }), lax);
  assert.is(kindSchema(set, 'apps/v1', 'Deployment', { strict: true }), strict);
  const defs = (s: Schema) => s.definitions as Record<string, Schema>;
  assert.ok('io.k8s.api.core.v1.PodSpec' in defs(lax));
  assert.not.ok('io.k8s.api.rbac.v1.PolicyRule' in defs(lax), 'only the definitions the kind reaches');
  assert.is(defs(lax)['io.k8s.api.apps.v1.DeploymentSpec']!.additionalProperties, undefined);
  assert.is(defs(strict)['io.k8s.api.apps.v1.DeploymentSpec']!.additionalProperties, false);
  assert.is(kindSchema(set, 'extensions/v1beta1', 'Deployment', { strict: false }), undefined);
  assert.is(kindSchema(set, 'example.com/v1', 'Widget', { strict: true }), undefined);
});

test("every shipped kind compiles with fedrender's ajv, lax and strict", () => {
  // ajvShipped (one createAjv() configuration) and the shared compile cache: the corpus tests
  // below reuse these validators instead of compiling every kind again
  for (const version of VERSIONS) {
    const set = shippedSet(version);
    for (const key of set.kinds.keys()) {
      const i = key.lastIndexOf('/');
      for (const strict of [false, true]) {
        const schema = kindSchema(set, key.slice(0, i), key.slice(i + 1), { strict })!;
        compiled.set(schema, ajvShipped.compile(schema));
      }
    }
  }
});

test('strict transform: closes objects with properties, leaves free-form values open', () => {
  const out = strictDefinitions({
    A: {
      type: 'object',
      properties: { m: { type: 'object', additionalProperties: { type: 'string' } }, any: {} },
    },
    B: {
      type: 'object',
      properties: { x: { type: 'string' } },
      'x-kubernetes-preserve-unknown-fields': true,
    },
    C: { type: 'array', items: { type: 'object', properties: { y: { type: 'integer' } } } },
    D: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
  });
  assert.equal(out.A, {
    type: 'object',
    properties: { m: { type: 'object', additionalProperties: { type: 'string' } }, any: {} },
    additionalProperties: false,
  });
  assert.is(out.B!.additionalProperties, undefined);
  assert.equal(out.C!.items, {
    type: 'object',
    properties: { y: { type: 'integer' } },
    additionalProperties: false,
  });
  assert.equal(out.D, { anyOf: [{ type: 'integer' }, { type: 'string' }] });
});

test('bundle files are canonical: fixed top-level order, sorted keys, one-space indent, LF', () => {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (typeof v !== 'object' || v === null) return v;
    const o: Schema = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys((v as Schema)[k]);
    return o;
  };
  for (const v of VERSIONS) {
    const text = readFileSync(join(ROOT, 'schemas', 'kubernetes', `v${v}.json`), 'utf8');
    const b = JSON.parse(text) as Schema;
    assert.equal(Object.keys(b), ['kubernetesVersion', 'source', 'kinds', 'definitions']);
    const canonical = {
      kubernetesVersion: b.kubernetesVersion,
      source: b.source,
      kinds: sortKeys(b.kinds),
      definitions: sortKeys(b.definitions),
    };
    assert.ok(text === `${JSON.stringify(canonical, null, 1)}\n`, `v${v}.json is not in canonical form`);
    assert.not.match(text, /"description"\s*:\s*"/, 'descriptions are dropped');
  }
});

for (const version of CROSS_CHECKED) {
  const exact = version === EXACT;
  test(`${version}: kinds and definitions match kubernetes-models${exact ? '' : ` (${EXACT}) as a subset`}`, () => {
    const set = shippedSet(version);
    const models = modelDefinitions();
    const problems: string[] = [];
    for (const [key, name] of set.kinds) {
      // kubernetes-models keeps one version of alpha and beta groups, every GA kind
      const ga = /^(?:[^/]+\/)?v\d+\//.test(key);
      if (exact && ga && !models.has(modelName(name)))
        problems.push(`kind ${key} (${name}) has no upstream model`);
    }
    const erased: string[] = [];
    let compared = 0;
    for (const name of Object.keys(set.definitions).sort()) {
      const model = models.get(modelName(name));
      if (!model) continue; // kubernetes-models keeps one version of alpha/beta groups only
      compared += 1;
      const def = set.definitions[name] as Schema;
      const props = (def.properties ?? {}) as Record<string, Schema>;
      const required = new Set((def.required ?? []) as string[]);
      for (const p of [...new Set([...Object.keys(props), ...model.properties.keys()])].sort()) {
        const mine = props[p];
        const theirs = model.properties.get(p);
        if (!theirs) {
          problems.push(`${name}.${p}: only the shipped bundle has it`);
          continue;
        }
        if (!mine) {
          if (exact) problems.push(`${name}.${p}: only upstream has it`);
          continue;
        }
        const shape = schemaShape(mine);
        const theirsErased = theirs.type.replace(/ref:\w+/g, (ref) => (FREE_FORM.has(ref) ? 'any' : ref));
        if (shape !== theirs.type && shape === theirsErased) erased.push(`${name}.${p}`);
        else if (INLINED.has(`${name}.${p}`)) continue;
        else if (shape !== theirs.type && shape !== 'object')
          problems.push(`${name}.${p}: ${shape}, upstream ${theirs.type}`);
        // apiVersion and kind: optional upstream, selected by the bundle's kind map here
        if (exact && p !== 'apiVersion' && p !== 'kind' && required.has(p) !== theirs.required)
          problems.push(`${name}.${p}: ${required.has(p) ? 'required' : 'optional'}, upstream the other`);
      }
    }
    assert.ok(
      compared > 400,
      `only ${compared} definitions compared with kubernetes-models ${modelsVersion()}`,
    );
    assert.equal(problems, [], `${problems.length} differences:\n${problems.join('\n')}`);
    // The erasures are few and known: runtime.RawExtension, meta FieldsV1, apiextensions JSON...
    assert.ok(erased.length > 0 && erased.length < 25, `free-form erasures: ${erased.join(', ')}`);
  });

  test(`${version}: the corpus is accepted and rejected alike by the shipped bundle and kubernetes-models`, async () => {
    const set = shippedSet(version);
    const problems: string[] = [];
    let checked = 0;
    for (const fixture of fixtures()) {
      const { apiVersion, kind } = fixture.doc;
      const lax = check(ajvShipped, kindSchema(set, apiVersion, kind, { strict: false }), fixture.doc);
      const strict = check(ajvShipped, kindSchema(set, apiVersion, kind, { strict: true }), fixture.doc);
      const got = outcomeOf(lax, strict);
      const want = fixture.expect(version);
      if (got !== want) problems.push(`${fixture.file}: expected ${want}, shipped bundle says ${got}`);
      // kubernetes-models has no strict mode and keeps removed API versions: lax outcomes only
      const definition = set.kinds.get(`${apiVersion}/${kind}`);
      const validate =
        definition && (exact || !fixture.versionSpecific) && (await upstreamValidator(definition));
      if (!validate) continue;
      const theirs: Result = validate(fixture.doc)
        ? { outcome: 'accepted', where: [] }
        : {
            outcome: 'rejected',
            where: [...new Set((validate.errors ?? []).map((e) => where(e as ErrorObject)))].sort(),
          };
      if (lax.outcome !== theirs.outcome || lax.where.join(' ') !== theirs.where.join(' ')) {
        problems.push(
          `${fixture.file}: shipped ${lax.outcome} [${lax.where.join(' ')}], ` +
            `kubernetes-models ${theirs.outcome} [${theirs.where.join(' ')}]`,
        );
      }
      checked += 1;
    }
    assert.ok(checked >= 40, `only ${checked} manifests compared with kubernetes-models`);
    assert.equal(problems, [], `${problems.length} problems:\n${problems.join('\n')}`);
  });
}

// ---------------------------------------------------------------------------------------------
// Versions without an upstream counterpart: checked against their cross-checked neighbours.

/** The cross-checked versions just below and just above `version` (either may be missing). */
function neighbours(version: string): string[] {
  const below = CROSS_CHECKED.filter((v) => minor(v) < minor(version)).at(-1);
  const above = CROSS_CHECKED.find((v) => minor(v) > minor(version));
  return [below, above].filter((v): v is string => v !== undefined);
}

/** The cross-checked versions nearest to `version`: both when it lies halfway. */
function nearest(version: string): string[] {
  const around = neighbours(version);
  const distance = Math.min(...around.map((v) => Math.abs(minor(v) - minor(version))));
  return around.filter((v) => Math.abs(minor(v) - minor(version)) === distance);
}

for (const version of VERSIONS.filter((v) => !CROSS_CHECKED.includes(v))) {
  test(`${version}: kinds and definitions agree with the cross-checked ${neighbours(version).join(' and ')}`, () => {
    const set = shippedSet(version);
    const others = neighbours(version).map((v) => ({ version: v, set: shippedSet(v) }));
    const problems: string[] = [];
    for (const [key, name] of set.kinds) {
      for (const o of others) {
        const theirs = o.set.kinds.get(key);
        if (theirs !== undefined && theirs !== name)
          problems.push(`kind ${key}: ${name}, in ${o.version} ${theirs}`);
      }
    }
    let shared = 0;
    for (const name of Object.keys(set.definitions).sort()) {
      const mine = set.definitions[name] as Schema;
      const found = others.filter((o) => name in o.set.definitions);
      if (found.length === 0) continue; // new in this version, or only between the neighbours
      shared += 1;
      const myProps = (mine.properties ?? {}) as Schema;
      const requiredSeen: string[] = [];
      for (const o of found) {
        const theirs = o.set.definitions[name] as Schema;
        const theirProps = (theirs.properties ?? {}) as Schema;
        // every property both have is typed alike (a Quantity left out of QUANTITY_FIELDS shows here)
        for (const p of Object.keys(myProps)) {
          if (p in theirProps && JSON.stringify(myProps[p]) !== JSON.stringify(theirProps[p])) {
            problems.push(
              `${name}.${p}: ${JSON.stringify(myProps[p])}, in ${o.version} ${JSON.stringify(theirProps[p])}`,
            );
          }
        }
        for (const k of new Set([...Object.keys(mine), ...Object.keys(theirs)])) {
          if (
            k !== 'properties' &&
            k !== 'required' &&
            JSON.stringify(mine[k]) !== JSON.stringify(theirs[k])
          ) {
            problems.push(
              `${name}: ${k} is ${JSON.stringify(mine[k])}, in ${o.version} ${JSON.stringify(theirs[k])}`,
            );
          }
        }
        const both = (list: unknown, props: Schema) =>
          ((list ?? []) as string[]).filter((r) => r in props).join(',');
        requiredSeen.push(`${both(mine.required, theirProps)} ${both(theirs.required, myProps)}`);
      }
      // Where both neighbours have the definition, a required field changed once between them, so
      // this version matches one of them. (With one neighbour, the change may lie on either side.)
      const matchesOne = requiredSeen.some((pair) => pair.split(' ')[0] === pair.split(' ')[1]);
      if (found.length === 2 && !matchesOne) {
        problems.push(
          `${name}: required ${JSON.stringify(mine.required ?? [])} matches no neighbour (${requiredSeen.join(' / ')})`,
        );
      }
    }
    assert.ok(shared > 400, `only ${shared} definitions shared with ${neighbours(version).join(', ')}`);
    assert.equal(problems, [], `${problems.length} differences:\n${problems.join('\n')}`);
  });

  test(`${version}: the corpus gives the results of ${nearest(version).join(' and ')}, and its expectations for ${version}`, () => {
    const set = shippedSet(version);
    const run = (s: KubernetesSchemaSet, doc: Fixture['doc']) =>
      ([false, true] as const).map((strict) =>
        check(ajvShipped, kindSchema(s, doc.apiVersion, doc.kind, { strict }), doc),
      );
    const problems: string[] = [];
    let compared = 0;
    for (const fixture of fixtures()) {
      const mine = run(set, fixture.doc);
      const got = outcomeOf(mine[0]!, mine[1]!);
      const want = fixture.expect(version);
      if (got !== want) problems.push(`${fixture.file}: expected ${want}, the ${version} bundle says ${got}`);
      if (fixture.versionSpecific) continue;
      compared += 1;
      for (const other of nearest(version)) {
        run(shippedSet(other), fixture.doc).forEach((theirs, i) => {
          const same =
            mine[i]!.outcome === theirs.outcome && mine[i]!.where.join(' ') === theirs.where.join(' ');
          if (!same) {
            problems.push(
              `${fixture.file} (${i === 0 ? 'lax' : 'strict'}): ${version} ${mine[i]!.outcome} [${mine[i]!.where.join(' ')}], ` +
                `${other} ${theirs.outcome} [${theirs.where.join(' ')}]`,
            );
          }
        });
      }
    }
    assert.ok(compared >= 40, `only ${compared} version-independent manifests`);
    assert.equal(problems, [], `${problems.length} problems:\n${problems.join('\n')}`);
  });
}

// ---------------------------------------------------------------------------------------------
// API lifecycle, from Kubernetes' deprecation guide (removals) and release notes (additions):
// apiVersion/kind -> first and last minor that serves it (omitted: before or after every bundle).
// Two removals are in neither document; they are read from the OpenAPI specs (marked "spec").

const LIFECYCLE: { key: string; from?: number; until?: number; why: string }[] = [
  { key: 'autoscaling/v2/HorizontalPodAutoscaler', why: 'GA in 1.23' },
  { key: 'autoscaling/v1/HorizontalPodAutoscaler', why: 'GA, never removed' },
  { key: 'autoscaling/v2beta2/HorizontalPodAutoscaler', until: 25, why: 'removed in 1.26' },
  { key: 'batch/v1beta1/CronJob', until: 24, why: 'removed in 1.25' },
  { key: 'policy/v1beta1/PodDisruptionBudget', until: 24, why: 'removed in 1.25' },
  { key: 'policy/v1beta1/PodSecurityPolicy', until: 24, why: 'removed in 1.25' },
  { key: 'networking.k8s.io/v1beta1/Ingress', until: 21, why: 'removed in 1.22' },
  { key: 'extensions/v1beta1/Ingress', until: 21, why: 'removed in 1.22' },
  { key: 'storage.k8s.io/v1beta1/CSIStorageCapacity', until: 26, why: 'removed in 1.27' },
  { key: 'flowcontrol.apiserver.k8s.io/v1beta3/FlowSchema', until: 31, why: 'removed in 1.32' },
  {
    key: 'flowcontrol.apiserver.k8s.io/v1beta3/PriorityLevelConfiguration',
    until: 31,
    why: 'removed in 1.32',
  },
  { key: 'flowcontrol.apiserver.k8s.io/v1/FlowSchema', why: 'GA in 1.29' },
  { key: 'resource.k8s.io/v1alpha2/ResourceClaim', until: 30, why: 'replaced by v1alpha3 in 1.31' },
  ...['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice'].flatMap((kind) => [
    {
      key: `resource.k8s.io/v1alpha3/${kind}`,
      until: 33,
      why: 'spec: v1alpha3 keeps only DeviceTaintRule from 1.34',
    },
    { key: `resource.k8s.io/v1beta1/${kind}`, why: 'beta in 1.32' },
    { key: `resource.k8s.io/v1beta2/${kind}`, from: 33, why: 'added in 1.33' },
    { key: `resource.k8s.io/v1/${kind}`, from: 34, why: 'GA in 1.34' },
  ]),
  { key: 'resource.k8s.io/v1alpha3/DeviceTaintRule', from: 33, why: 'added in 1.33' },
  { key: 'networking.k8s.io/v1/ServiceCIDR', from: 33, why: 'GA in 1.33' },
  { key: 'networking.k8s.io/v1/IPAddress', from: 33, why: 'GA in 1.33' },
  { key: 'storage.k8s.io/v1/VolumeAttributesClass', from: 34, why: 'GA in 1.34' },
  { key: 'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy', why: 'GA in 1.30' },
  {
    key: 'admissionregistration.k8s.io/v1beta1/ValidatingAdmissionPolicy',
    until: 33,
    why: 'spec: v1beta1 keeps only MutatingAdmissionPolicy from 1.34',
  },
  { key: 'admissionregistration.k8s.io/v1beta1/MutatingAdmissionPolicy', from: 34, why: 'beta in 1.34' },
  { key: 'admissionregistration.k8s.io/v1/MutatingAdmissionPolicy', from: 36, why: 'GA in 1.36' },
];

test('API lifecycle: each bundle serves exactly the kinds its Kubernetes minor serves', () => {
  const problems: string[] = [];
  for (const version of VERSIONS) {
    const set = shippedSet(version);
    for (const { key, from, until, why } of LIFECYCLE) {
      const served = minor(version) >= (from ?? 0) && minor(version) <= (until ?? Infinity);
      if (set.kinds.has(key) !== served)
        problems.push(`${version}: ${key} ${served ? 'missing' : 'present'} (${why})`);
    }
  }
  // GA (v1, v2...) versions are never removed within Kubernetes 1.x
  for (const [older, newer] of VERSIONS.slice(1).map((v, i): [string, string] => [VERSIONS[i]!, v])) {
    const next = shippedSet(newer);
    for (const key of shippedSet(older).kinds.keys()) {
      if (/\/v\d+\/[^/]+$/.test(key) && !next.kinds.has(key))
        problems.push(`GA kind ${key} is in ${older} but not ${newer}`);
    }
  }
  assert.equal(problems, [], `${problems.length} problems:\n${problems.join('\n')}`);
});

test.run();
