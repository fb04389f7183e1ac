// CRDs -> custom resource schemas: realistic Argo CD and Flux objects checked against the
// upstream models (npm devDependencies); hand-written CRDs in
// test/fixtures/crds exercise nullable, int-or-string, preserve-unknown-fields, embedded
// resources, defaults, strict vs lax, v1beta1 and malformed CRDs (asserted by code and position).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ErrorObject } from 'ajv';
import { createAjv } from '../src/core/ajv.js';
import { Reporter, sortDiagnostics, type Diagnostic } from '../src/core/diagnostics.js';
import { packageRoot } from '../src/core/package-files.js';
import { parseYamlFile, type ParsedDoc } from '../src/core/yaml-source.js';
import {
  ajvPattern,
  crdSchemas,
  toJsonSchema,
  type CrdSchema,
  type UserCrd,
} from '../src/validate/crd-schemas.js';
import { modelErrors } from './upstream-models.js';

const ROOT = packageRoot();
const FIXTURES = join(ROOT, 'test', 'fixtures', 'crds');

function parse(
  path: string,
  file = path.slice(path.lastIndexOf('/') + 1),
  text = readFileSync(path, 'utf8'),
): ParsedDoc[] {
  const r = new Reporter();
  const docs = parseYamlFile(text, file, r);
  assert.equal(r.diagnostics, [], `${file} parses`);
  return docs;
}

function schemasOf(path: string, strict = true): { map: Map<string, UserCrd>; diagnostics: Diagnostic[] } {
  const reporter = new Reporter();
  const map = crdSchemas(parse(path), reporter, { strict });
  return { map, diagnostics: sortDiagnostics(reporter.diagnostics) };
}

/** Where each error is and what failed: `/spec/image required`, `/extra additionalProperties`. */
function errorsOf(schema: object, value: unknown): string[] {
  const validate = createAjv().compile(schema);
  if (validate(value)) return [];
  return [...new Set((validate.errors ?? []).map(where))].sort();
}

function where(e: ErrorObject): string {
  const p = e.params as { additionalProperty?: string; missingProperty?: string };
  const extra = p.additionalProperty ?? p.missingProperty;
  return `${e.instancePath}${extra === undefined ? '' : '/' + extra} ${e.keyword}`;
}

/** Each custom resource of a fixture file, by metadata.name, against the map's schemas. */
function outcomes(map: Map<string, CrdSchema>, resources: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { value } of parse(join(FIXTURES, resources))) {
    const v = value as { apiVersion: string; kind: string; metadata: { name?: string } | string };
    const crd = map.get(`${v.apiVersion}/${v.kind}`);
    assert.ok(crd, `a schema for ${v.apiVersion}/${v.kind}`);
    out[typeof v.metadata === 'string' ? v.metadata : v.metadata.name!] = errorsOf(crd.schema, value);
  }
  return out;
}

function positions(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}`);
}

/** ajv logs unknown formats with console.warn; a converted schema must never make it speak. */
function silently<T>(fn: () => T): T {
  const warn = console.warn;
  const said: unknown[][] = [];
  console.warn = (...args: unknown[]) => void said.push(args);
  try {
    return fn();
  } finally {
    console.warn = warn;
    assert.equal(said, [], 'ajv logged nothing');
  }
}

// ---------------------------------------------------------------------------------------------
// The tools' real types: the realistic Applications and Kustomizations of test/fixtures/crds,
// checked against the upstream models (npm devDependencies generated from Argo CD's and Flux's
// CRDs and API types), so that those fixtures stay what the tools accept. The CRDs themselves are
// not on npm as YAML; the conversion is exercised by the hand-written CRDs below.

async function modelOutcomes(
  resources: string,
  pkg: string,
  name: string,
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const { value } of parse(join(FIXTURES, resources))) {
    const v = value as { metadata: { name: string } };
    out[v.metadata.name] = await modelErrors(pkg, name, value);
  }
  return out;
}

test('realistic Argo CD Applications are accepted by the upstream model; a broken one is not', async () => {
  assert.equal(
    await modelOutcomes(
      'argocd-applications.yaml',
      '@kubernetes-models/argo-cd',
      'ComGithubArgoprojArgoCdV3PkgApisApplicationV1alpha1Application',
    ),
    {
      'fleet-eu-1': [],
      'ingress-nginx-us-east': [],
      broken: [
        '/spec/destination required',
        '/spec/destinaton unknown',
        '/spec/syncPolicy/automated/prune type',
        '/spec/syncPolicy/retry/limit type',
      ],
    },
  );
});

test('realistic Flux Kustomizations are accepted by the upstream model; a broken one is not', async () => {
  assert.equal(
    await modelOutcomes(
      'flux-kustomizations.yaml',
      '@kubernetes-models/flux-cd',
      'ComGithubFluxcdKustomizeControllerApiV1Kustomization',
    ),
    {
      'fleet-eu-1': [],
      broken: ['/spec/prune required', '/spec/sourceRef/kind enum', '/spec/targetNamespaces unknown'],
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Hand-written CRDs.

test('CronTab: one schema per served version (v1alpha1 is not served)', () => {
  const { map, diagnostics } = schemasOf(join(FIXTURES, 'crontab-crd.yaml'));
  assert.equal(diagnostics, []);
  assert.equal([...map.keys()], ['stable.example.com/v1/CronTab', 'stable.example.com/v2/CronTab']);
  assert.equal(map.get('stable.example.com/v2/CronTab')!.ref.path, [
    'spec',
    'versions',
    2,
    'schema',
    'openAPIV3Schema',
  ]);
});

const CRONTAB_COMMON: Record<string, string[]> = {
  // nullable suspend/labelsFrom, int-or-string port as a string, preserve-unknown config and
  // template, embedded resources, a set of distinct tags, a Go duration, a date-time without a
  // time zone, a cidr (not checked, not logged), apiVersion/kind/metadata the CRD does not list
  'valid-full': [],
  // concurrencyPolicy is required but defaulted; port as an integer; labelsFrom one of two
  'valid-minimal': [],
  'wrong-types': [
    '/spec/config/level type',
    '/spec/cronSpec pattern',
    '/spec/port anyOf',
    '/spec/port type',
    '/spec/replicas type',
    '/spec/suspend type',
    '/spec/tags uniqueItems',
  ],
  // maximum 10 with OpenAPI's exclusiveMaximum: true; the port pattern applies to strings
  'out-of-range': [
    '/spec/concurrencyPolicy enum',
    '/spec/image minLength',
    '/spec/port pattern',
    '/spec/replicas exclusiveMaximum',
  ],
  'missing-required': [
    '/spec/cronSpec required',
    '/spec/image required',
    // null passes oneOf; an object with both fields does not
    '/spec/labelsFrom if',
    '/spec/labelsFrom oneOf',
    // an embedded resource needs apiVersion and kind
    '/spec/template/kind required',
    '/spec/window anyOf',
    '/spec/window/duration required',
    '/spec/window/start required',
  ],
  'not-a-map': ['/metadata type'],
  'v2-wrong-type': ['/spec/schedule type'],
};

test('CronTab resources, lax: types, ranges, required fields; unknown fields allowed', () => {
  const { map } = schemasOf(join(FIXTURES, 'crontab-crd.yaml'), false);
  assert.equal(
    silently(() => outcomes(map, 'crontab-resources.yaml')),
    {
      ...CRONTAB_COMMON,
      'unknown-fields': [],
      'v2-root-open': [],
    },
  );
});

test('CronTab resources, strict: unknown fields are errors, except under preserve-unknown-fields', () => {
  const { map } = schemasOf(join(FIXTURES, 'crontab-crd.yaml'), true);
  assert.equal(
    silently(() => outcomes(map, 'crontab-resources.yaml')),
    {
      ...CRONTAB_COMMON,
      // a top-level field, a spec field, a field of an embedded resource without preserve
      'unknown-fields': [
        '/schedule additionalProperties',
        '/spec/imagePullPolicy additionalProperties',
        '/spec/owner/data additionalProperties',
      ],
      // v2's root keeps unknown fields, its spec (which lists properties) does not
      'v2-root-open': ['/spec/whatever additionalProperties'],
    },
  );
});

test('v1beta1: warned at apiVersion, schema used; unknown fields kept unless preserveUnknownFields is false', () => {
  const { map, diagnostics } = schemasOf(join(FIXTURES, 'legacy-v1beta1.yaml'));
  assert.equal(positions(diagnostics), [
    'legacy-v1beta1.yaml:3:13 warning SCHEMA',
    'legacy-v1beta1.yaml:24:13 warning SCHEMA',
  ]);
  assert.equal([...map.keys()], ['legacy.example.com/v1/ClusterWidget', 'legacy.example.com/v1beta1/Gizmo']);
  const widget = map.get('legacy.example.com/v1/ClusterWidget')!;
  assert.is(widget.scope, 'Cluster');
  assert.equal(widget.ref.path, ['spec', 'validation', 'openAPIV3Schema']);
  const base = { apiVersion: 'legacy.example.com/v1', kind: 'ClusterWidget', metadata: { name: 'w' } };
  assert.equal(errorsOf(widget.schema, { ...base, spec: { size: 3, extra: true }, more: 1 }), []);
  assert.equal(errorsOf(widget.schema, { ...base, spec: { size: 'large' } }), ['/spec/size type']);
  const gizmo = map.get('legacy.example.com/v1beta1/Gizmo')!;
  const g = { apiVersion: 'legacy.example.com/v1beta1', kind: 'Gizmo', metadata: { name: 'g' } };
  assert.equal(errorsOf(gizmo.schema, { ...g, spec: { color: 'red', shade: 'dark' } }), [
    '/spec/shade additionalProperties',
  ]);
});

test('a List of CRDs is read item by item', () => {
  const { map, diagnostics } = schemasOf(join(FIXTURES, 'crd-list.yaml'));
  assert.equal(diagnostics, []);
  const t = map.get('home.example.com/v1/Thermostat')!;
  assert.equal(t.ref.path, ['items', 0, 'spec', 'versions', 0, 'schema', 'openAPIV3Schema']);
  const base = { apiVersion: 'home.example.com/v1', kind: 'Thermostat', metadata: { name: 't' } };
  assert.equal(errorsOf(t.schema, { ...base, spec: { target: 21.5 } }), []);
  assert.equal(errorsOf(t.schema, { ...base, spec: { target: 40 } }), ['/spec/target maximum']);
});

test('malformed CRDs are reported at the offending node and skipped or repaired', () => {
  const { map, diagnostics } = schemasOf(join(FIXTURES, 'malformed-crds.yaml'));
  assert.equal(positions(diagnostics), [
    'malformed-crds.yaml:8:3 error SCHEMA', // no spec.group: at spec
    'malformed-crds.yaml:27:5 error SCHEMA', // no spec.names.kind: at names
    'malformed-crds.yaml:46:10 error SCHEMA', // scope Namespace
    'malformed-crds.yaml:48:7 error SCHEMA', // version v1 without a schema
    'malformed-crds.yaml:60:25 error SCHEMA', // required: size (not a list)
    'malformed-crds.yaml:63:25 error SCHEMA', // type: strin
    'malformed-crds.yaml:66:28 warning SCHEMA', // (?i) pattern JavaScript cannot run
    'malformed-crds.yaml:68:19 error SCHEMA', // $ref, at its key
    'malformed-crds.yaml:73:9 error SCHEMA', // metadata.name is not <plural>.<group>
    'malformed-crds.yaml:75:3 error SCHEMA', // no spec.versions
    'malformed-crds.yaml:97:17 error SCHEMA', // root type string
  ]);
  assert.ok(
    diagnostics.every((d) => d.message.startsWith('CustomResourceDefinition ')),
    'messages name the CRD',
  );
  // Sprocket keeps its well-formed v2 (scope read as Namespaced); Bolt's root is read as an object
  assert.equal([...map.keys()], ['example.com/v2/Sprocket', 'example.com/v1/Bolt']);
  assert.is(map.get('example.com/v2/Sprocket')!.scope, 'Namespaced');
  const sprocket = map.get('example.com/v2/Sprocket')!.schema;
  const s = { apiVersion: 'example.com/v2', kind: 'Sprocket', metadata: { name: 's' } };
  assert.equal(
    silently(() => errorsOf(sprocket, { ...s, spec: { size: 1, code: 'ABC', parent: { any: 1 } } })),
    [],
  );
  assert.equal(errorsOf(sprocket, { ...s, spec: { code: 5 } }), ['/spec/code type']);
});

test('the same CRD twice is silent; a different definition of the same kind is warned, the first wins', () => {
  const path = join(FIXTURES, 'crontab-crd.yaml');
  const text = readFileSync(path, 'utf8');
  const reporter = new Reporter();
  const docs = [
    ...parse(path, 'a.yaml'),
    ...parse(path, 'b.yaml'),
    ...parse(path, 'c.yaml', text.replace('minLength: 1', 'minLength: 2')),
  ];
  const map = crdSchemas(docs, reporter);
  assert.equal(positions(reporter.diagnostics), ['c.yaml:9:10 warning SCHEMA']);
  assert.match(reporter.diagnostics[0]!.message, 'a.yaml:');
  assert.is(map.get('stable.example.com/v1/CronTab')!.ref.doc.file, 'a.yaml');
});

// ---------------------------------------------------------------------------------------------
// toJsonSchema on its own.

const RESOURCE = { apiVersion: 'x.example.com/v1', kind: 'X', metadata: { name: 'x', labels: { a: 'b' } } };

test('toJsonSchema: apiVersion, kind and an object metadata are allowed at the top even when not listed', () => {
  for (const strict of [false, true]) {
    const schema = toJsonSchema(
      { type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } },
      { strict },
    );
    assert.equal(errorsOf(schema, { ...RESOURCE, spec: { a: 'x' } }), []);
    assert.equal(errorsOf(schema, { ...RESOURCE, metadata: ['x'] }), ['/metadata type']);
    assert.equal(errorsOf(schema, { ...RESOURCE, apiVersion: 1 }), ['/apiVersion type']);
    // a CRD that constrains metadata.name does not close metadata
    const named = toJsonSchema(
      {
        type: 'object',
        properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 5 } } } },
      },
      { strict },
    );
    assert.equal(errorsOf(named, RESOURCE), []);
    assert.equal(errorsOf(named, { ...RESOURCE, metadata: { name: 'too-long' } }), [
      '/metadata/name maxLength',
    ]);
  }
});

test('toJsonSchema: strict closes listed objects, leaves maps, preserve-unknown-fields and value validations open', () => {
  const openAPI = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          free: { type: 'object' },
          kept: {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
            properties: { n: { type: 'integer' } },
          },
          either: {
            type: 'object',
            properties: { a: { type: 'string' }, b: { type: 'string' } },
            oneOf: [{ properties: { a: { minLength: 1 } }, required: ['a'] }, { required: ['b'] }],
          },
        },
      },
    },
  };
  const strict = toJsonSchema(openAPI, { strict: true });
  const lax = toJsonSchema(openAPI, { strict: false });
  const ok = {
    ...RESOURCE,
    spec: { labels: { x: 'y' }, free: { any: 1 }, kept: { n: 1, other: [1] }, either: { a: 'x' } },
  };
  assert.equal(errorsOf(strict, ok), []);
  assert.equal(errorsOf(strict, { ...RESOURCE, spec: { typo: 1 } }), ['/spec/typo additionalProperties']);
  assert.equal(errorsOf(lax, { ...RESOURCE, spec: { typo: 1 } }), []);
  assert.equal(errorsOf(strict, { ...RESOURCE, spec: { kept: { n: 'one' } } }), ['/spec/kept/n type']);
  assert.equal(errorsOf(strict, { ...RESOURCE, spec: { either: { a: 'x', c: 1 } } }), [
    '/spec/either/c additionalProperties',
  ]);
});

test('toJsonSchema: preserve-unknown-fields without a type accepts anything', () => {
  const schema = toJsonSchema(
    { type: 'object', properties: { raw: { 'x-kubernetes-preserve-unknown-fields': true } } },
    { strict: true },
  );
  for (const raw of [1, 'x', [1, { a: 2 }], { deep: { er: true } }, null])
    assert.equal(errorsOf(schema, { ...RESOURCE, raw }), [], JSON.stringify(raw));
});

test('toJsonSchema: nullable, int-or-string and embedded resources', () => {
  const schema = toJsonSchema(
    {
      type: 'object',
      properties: {
        mode: { type: 'string', enum: ['a', 'b'], nullable: true },
        size: { 'x-kubernetes-int-or-string': true },
        both: { 'x-kubernetes-int-or-string': true, nullable: true },
        object: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          'x-kubernetes-preserve-unknown-fields': true,
        },
      },
    },
    { strict: true },
  );
  assert.equal(errorsOf(schema, { ...RESOURCE, mode: null, size: '10%', both: null }), []);
  assert.equal(errorsOf(schema, { ...RESOURCE, mode: 'c', size: 1.5, both: false }), [
    '/both type',
    '/mode enum',
    '/size type',
  ]);
  assert.equal(
    errorsOf(schema, {
      ...RESOURCE,
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} },
    }),
    [],
  );
  assert.equal(errorsOf(schema, { ...RESOURCE, object: { kind: 'Pod', metadata: 'x' } }), [
    '/object/apiVersion required',
    '/object/metadata type',
  ]);
});

test('toJsonSchema: OpenAPI-only keywords never reach ajv, and ajv never logs', () => {
  const schema = toJsonSchema(
    {
      type: 'object',
      discriminator: { propertyName: 'kind' },
      externalDocs: { url: 'https://example.com' },
      example: { a: 1 },
      'x-kubernetes-validations': [{ rule: 'self.a > 0' }],
      properties: {
        when: { type: 'string', format: 'date-time' },
        every: { type: 'string', format: 'duration' },
        net: { type: 'string', format: 'cidr' },
        mac: { type: 'string', format: 'mac' },
        id: { type: 'string', format: 'uuid4' },
        link: { type: 'string', format: 'uri' },
        big: { type: 'integer', format: 'int64', minimum: 0, exclusiveMinimum: true },
      },
    },
    { strict: true },
  );
  const text = JSON.stringify(schema);
  for (const word of ['discriminator', 'externalDocs', 'example', 'x-kubernetes', 'nullable', 'description'])
    assert.not.ok(text.includes(word), word);
  silently(() => {
    assert.equal(
      errorsOf(schema, {
        ...RESOURCE,
        when: '2024-05-01T02:00:00',
        every: '1h30m',
        net: '10.0.0.0/8',
        mac: 'x',
        link: '/healthz',
        big: 1,
      }),
      [],
    );
    assert.equal(errorsOf(schema, { ...RESOURCE, when: 'yesterday', id: 'not-a-uuid', big: 0 }), [
      '/big exclusiveMinimum',
      '/id format',
      '/when format',
    ]);
  });
});

test('toJsonSchema: a defaulted field is not required (the API server defaults before validating)', () => {
  const schema = toJsonSchema(
    {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          required: ['a', 'b'],
          properties: { a: { type: 'string', default: 'x' }, b: { type: 'string' } },
        },
      },
    },
    { strict: false },
  );
  assert.equal(errorsOf(schema, { ...RESOURCE, spec: {} }), ['/spec/b required']);
});

test('ajvPattern: Go (RE2) patterns rewritten for JavaScript unicode mode', () => {
  const cases: [string, string | undefined][] = [
    ['^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'],
    ['^[a-z\\-]+$', '^[a-z\\-]+$'],
    ['^a\\-b$', '^a-b$'],
    ['\\Aabc\\z', '^abc$'],
    ['(?P<name>[a-z]+)', '(?<name>[a-z]+)'],
    ['^[[:alpha:]_][[:alnum:]_]*$', '^[A-Za-z_][0-9A-Za-z_]*$'],
    ['\\pL+', '\\p{L}+'],
    ['[]a]', '[\\]a]'],
    ['a{,3}', 'a\\{,3\\}'],
    ['^.{2,}|[^./]$', '^.{2,}|[^./]$'],
    ['(?i)^abc$', undefined],
    ['[[:^alpha:]]', undefined],
    ['\\Qa.b\\E', undefined],
  ];
  for (const [go, js] of cases) assert.is(ajvPattern(go), js, go);
});

test.run();
