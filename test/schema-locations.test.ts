// kubeconform-style schema locations, offline: the path naming of kubeconform's registry.go
// (checked against the cases of its registry_test.go), its default folder layout with version
// and strict fallbacks, Datree's CRDs-catalog layout, the flat layout, templates, location order,
// draft-04 files made compilable by ajv, unusable files passed over, and the file cache.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAjv } from '../src/core/ajv.js';
import { packageRoot } from '../src/core/package-files.js';
import {
  findSchemaInLocations,
  schemaPath,
  versionCandidates,
  type SchemaQuery,
} from '../src/validate/schema-locations.js';

const BASE = join(packageRoot(), 'test', 'fixtures', 'schema-locations');
const DEFAULT =
  'https://kubernetesjsonschema.dev/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json';

function q(apiVersion: string, kind: string, over: Partial<SchemaQuery> = {}): SchemaQuery {
  return { kubernetesVersion: '1.32', strict: true, apiVersion, kind, ...over };
}

function find(locations: string[], query: SchemaQuery, baseDir = BASE) {
  const problems: string[] = [];
  const hit = findSchemaInLocations(locations, baseDir, query, (location, message) =>
    problems.push(`${location}: ${message}`),
  );
  return { hit, problems };
}

function fileOf(locations: string[], query: SchemaQuery): string | undefined {
  return find(locations, query).hit?.file;
}

/** Compiles with the one ajv configuration, failing the test if ajv logs anything. */
function compile(schema: object) {
  const warn = console.warn;
  const said: unknown[] = [];
  console.warn = (...args: unknown[]) => void said.push(args);
  try {
    return createAjv().compile(schema);
  } finally {
    console.warn = warn;
    assert.equal(said, [], 'ajv logged nothing');
  }
}

function errorsOf(schema: object, value: unknown): string[] {
  const validate = compile(schema);
  if (validate(value)) return [];
  return (validate.errors ?? [])
    .map((e) => {
      const p = e.params as { additionalProperty?: string; missingProperty?: string };
      const extra = p.additionalProperty ?? p.missingProperty;
      return `${e.instancePath}${extra === undefined ? '' : '/' + extra} ${e.keyword}`;
    })
    .sort();
}

test('schemaPath names files as kubeconform does (the cases of its registry_test.go)', () => {
  assert.is(
    schemaPath(DEFAULT, 'Deployment', 'apps/v1', '1.16.0', true),
    'https://kubernetesjsonschema.dev/v1.16.0-standalone-strict/deployment-apps-v1.json',
  );
  assert.is(
    schemaPath(DEFAULT, 'Deployment', 'apps/v1', '1.16.0', false),
    'https://kubernetesjsonschema.dev/v1.16.0-standalone/deployment-apps-v1.json',
  );
  assert.is(
    schemaPath(DEFAULT, 'Service', 'v1', '1.18.0', false),
    'https://kubernetesjsonschema.dev/v1.18.0-standalone/service-v1.json',
  );
  assert.is(
    schemaPath(DEFAULT, 'Service', 'v1', 'master', false),
    'https://kubernetesjsonschema.dev/master-standalone/service-v1.json',
  );
});

test('schemaPath: Group and ResourceAPIVersion (CRDs-catalog), KindSuffix of dotted groups, unknown variables', () => {
  const catalog = '{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json';
  assert.is(
    schemaPath(catalog, 'Prometheus', 'monitoring.coreos.com/v1', 'master', true),
    'monitoring.coreos.com/prometheus_v1.json',
  );
  assert.is(
    schemaPath(catalog, 'Application', 'argoproj.io/v1alpha1', '1.32.0', false),
    'argoproj.io/application_v1alpha1.json',
  );
  // the core group has no "/": kubeconform's Group is then the version itself
  assert.is(schemaPath(catalog, 'ConfigMap', 'v1', 'master', false), 'v1/configmap_v1.json');
  assert.is(
    schemaPath(
      '{{ .ResourceKind }}{{ .KindSuffix }}.json',
      'Ingress',
      'networking.k8s.io/v1',
      'master',
      false,
    ),
    'ingress-networking-v1.json',
  );
  assert.is(
    schemaPath(
      '{{ .ResourceKind }}{{ .KindSuffix }}.json',
      'CronTab',
      'Stable.Example.com/V1',
      'master',
      false,
    ),
    'crontab-stable-v1.json',
  );
  assert.is(schemaPath('{{ .Kind }}.json', 'Service', 'v1', 'master', false), undefined);
  assert.is(schemaPath('{{ .ResourceKind | lower }}.json', 'Service', 'v1', 'master', false), undefined);
});

test('versionCandidates: the patch asked for, .0, other patches present (newest first), master', () => {
  const dir = join(BASE, 'kubeconform');
  assert.equal(versionCandidates(dir, '1.32'), ['1.32.0', '1.32.5', '1.32.2', 'master']);
  assert.equal(versionCandidates(dir, 'v1.32.2'), ['1.32.2', '1.32.0', '1.32.5', 'master']);
  assert.equal(versionCandidates(dir, '1.31'), ['1.31.0', 'master']);
  assert.equal(versionCandidates(dir, 'master'), ['master']);
});

test('kubeconform folder: the strict or lax folder of the version, file relative to baseDir', () => {
  assert.is(
    fileOf(['kubeconform'], q('v1', 'ConfigMap')),
    'kubeconform/v1.32.0-standalone-strict/configmap-v1.json',
  );
  assert.is(
    fileOf(['kubeconform'], q('v1', 'ConfigMap', { strict: false })),
    'kubeconform/v1.32.0-standalone/configmap-v1.json',
  );
  assert.is(
    fileOf(['./kubeconform/'], q('v1', 'ConfigMap', { kubernetesVersion: '1.32.0' })),
    'kubeconform/v1.32.0-standalone-strict/configmap-v1.json',
  );
  const { hit } = find(['kubeconform'], q('v1', 'ConfigMap'));
  const cm = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'a', labels: { x: 'y' } },
    data: { k: 'v' },
  };
  assert.equal(errorsOf(hit!.schema, cm), []);
  assert.equal(errorsOf(hit!.schema, { ...cm, metadata: { nmae: 'a' } }), [
    '/metadata/nmae additionalProperties',
  ]);
});

test('kubeconform folder, strict, only a lax file: used, with its listed objects closed', () => {
  const { hit } = find(['kubeconform'], q('apps/v1', 'Deployment'));
  assert.is(hit?.file, 'kubeconform/v1.32.0-standalone/deployment-apps-v1.json');
  const d = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { selector: { matchLabels: { app: 'web' } } },
  };
  assert.equal(errorsOf(hit!.schema, d), []);
  assert.equal(errorsOf(hit!.schema, { ...d, spec: { ...d.spec, replica: 2 } }), [
    '/spec/replica additionalProperties',
  ]);
  const lax = find(['kubeconform'], q('apps/v1', 'Deployment', { strict: false })).hit!;
  assert.equal(errorsOf(lax.schema, { ...d, spec: { ...d.spec, replica: 2 } }), []);
});

test('kubeconform folder: another patch release of the minor, then master; never another minor', () => {
  assert.is(
    fileOf(['kubeconform'], q('v1', 'Service')),
    'kubeconform/v1.32.5-standalone-strict/service-v1.json',
  );
  assert.is(
    fileOf(['kubeconform'], q('v1', 'Service', { kubernetesVersion: '1.32.2' })),
    'kubeconform/v1.32.2-standalone-strict/service-v1.json',
  );
  assert.is(
    fileOf(['kubeconform'], q('networking.k8s.io/v1', 'Ingress')),
    'kubeconform/master-standalone-strict/ingress-networking-v1.json',
  );
  assert.is(
    fileOf(['kubeconform'], q('v1', 'ConfigMap', { kubernetesVersion: 'master' })),
    'kubeconform/master-standalone-strict/configmap-v1.json',
  );
  assert.is(
    fileOf(['kubeconform'], q('batch/v1', 'CronJob', { kubernetesVersion: '1.31' })),
    'kubeconform/v1.31.0-standalone-strict/cronjob-batch-v1.json',
  );
  assert.is(fileOf(['kubeconform'], q('batch/v1', 'CronJob')), undefined);
  // strict only: a lax-only master file is not there either
  assert.is(fileOf(['kubeconform'], q('networking.k8s.io/v1', 'Ingress', { strict: false })), undefined);
});

test('a folder in the CRDs-catalog layout, or the catalog template itself', () => {
  const query = q('argoproj.io/v1alpha1', 'Application');
  assert.is(fileOf(['catalog'], query), 'catalog/argoproj.io/application_v1alpha1.json');
  assert.is(
    fileOf(['catalog/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'], query),
    'catalog/argoproj.io/application_v1alpha1.json',
  );
  const { hit } = find(['catalog'], query);
  const app = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'a' },
    spec: {
      project: 'default',
      destination: { name: 'eu-1' },
      source: { repoURL: 'https://x', helm: { valuesObject: { any: { thing: 1 } } } },
    },
  };
  assert.equal(errorsOf(hit!.schema, app), []);
  // the catalog has no strict variant: strict closes its root too, which openapi2jsonschema left open
  assert.equal(errorsOf(hit!.schema, { ...app, extra: 1 }), ['/extra additionalProperties']);
  assert.equal(
    errorsOf(find(['catalog'], { ...query, strict: false }).hit!.schema, { ...app, extra: 1 }),
    [],
  );
});

test('a flat folder: <kind><kindSuffix>.json', () => {
  assert.is(fileOf(['flat'], q('example.com/v1', 'Widget')), 'flat/widget-example-v1.json');
  assert.is(fileOf(['flat'], q('other.com/v1', 'Widget')), undefined);
});

test('locations are tried in order and the first hit wins', () => {
  const app = q('argoproj.io/v1alpha1', 'Application');
  assert.is(fileOf(['catalog', 'flat'], app), 'catalog/argoproj.io/application_v1alpha1.json');
  assert.is(fileOf(['flat', 'catalog'], app), 'flat/application-argoproj-v1alpha1.json');
  assert.is(
    fileOf(['flat', 'catalog', 'kubeconform'], q('v1', 'ConfigMap')),
    'kubeconform/v1.32.0-standalone-strict/configmap-v1.json',
  );
  assert.is(fileOf(['missing-folder', 'catalog'], app), 'catalog/argoproj.io/application_v1alpha1.json');
  assert.is(fileOf([], app), undefined);
});

test('templates: relative to baseDir or absolute; version and strict suffix expanded', () => {
  const template =
    'templated/{{ .NormalizedKubernetesVersion }}/{{ .Group }}/{{ .ResourceKind }}{{ .StrictSuffix }}.json';
  const widget = q('example.com/v1', 'Widget');
  assert.is(fileOf([template], widget), 'templated/v1.32.0/example.com/widget-strict.json');
  assert.is(fileOf([template], { ...widget, strict: false }), 'templated/v1.32.0/example.com/widget.json');
  assert.is(
    fileOf([join(BASE, template)], widget),
    join(BASE, 'templated/v1.32.0/example.com/widget-strict.json').split('\\').join('/'),
  );
  assert.is(fileOf([template], { ...widget, kubernetesVersion: '1.31' }), undefined);
  const { hit, problems } = find(['templated/{{ .Kind }}.json', template], widget);
  assert.is(hit?.file, 'templated/v1.32.0/example.com/widget-strict.json');
  assert.is(problems.length, 1);
  assert.match(problems[0]!, /^templated\/\{\{ \.Kind \}\}\.json: unknown template variable/);
});

test('remote locations are not read (offline)', () => {
  const { hit, problems } = find(
    [
      'default',
      'https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json',
    ],
    q('v1', 'ConfigMap'),
  );
  assert.is(hit, undefined);
  assert.is(problems.length, 2);
});

test('draft-04 files: $schema and id dropped, boolean exclusiveMaximum, nullable, formats and Go patterns', () => {
  const { hit, problems } = find(['catalog'], q('stable.example.com/v1', 'CronTab'));
  assert.is(hit?.file, 'catalog/stable.example.com/crontab_v1.json');
  // a pattern JavaScript cannot run is not checked, and said so
  assert.equal(problems.length, 1);
  assert.match(
    problems[0]!,
    'catalog: catalog/stable.example.com/crontab_v1.json: #/properties/spec/properties/name/pattern',
  );
  const text = JSON.stringify(hit!.schema);
  for (const word of ['$schema', 'schemas.example.com', 'nullable', 'description'])
    assert.not.ok(text.includes(word), word);
  const ct = { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c' } };
  const spec = {
    id: 'job-1',
    replicas: 9,
    suspend: null,
    network: '10.0.0.0/8',
    every: '1h30m',
    name: 'ABC',
    tags: ['a'],
  };
  assert.equal(errorsOf(hit!.schema, { ...ct, spec }), []);
  assert.equal(
    errorsOf(hit!.schema, { ...ct, spec: { ...spec, id: 'job_1', replicas: 10, suspend: 'no' } }),
    ['/spec/id pattern', '/spec/replicas exclusiveMaximum', '/spec/suspend type'],
  );
  assert.equal(errorsOf(hit!.schema, { ...ct, spec: {} }), ['/spec/id required']);
});

test('a file that is not JSON, or not standalone, is passed over for the next location', () => {
  const secret = find(['broken', 'kubeconform'], q('v1', 'Secret'));
  assert.is(secret.hit, undefined);
  assert.is(secret.problems.length, 1);
  assert.match(
    secret.problems[0]!,
    /^broken: broken\/v1\.32\.0-standalone-strict\/secret-v1\.json: not a JSON Schema/,
  );
  const pod = find(['broken'], q('v1', 'Pod'));
  assert.is(pod.hit, undefined);
  assert.match(pod.problems[0]!, '_definitions.json');
  const fallback = find(['broken', 'kubeconform'], q('v1', 'ConfigMap'));
  assert.is(fallback.hit?.file, 'kubeconform/v1.32.0-standalone-strict/configmap-v1.json');
});

test('files are read once while unchanged: the same object, so ajv compiles it once; a changed file is re-read', () => {
  const a = find(['kubeconform'], q('v1', 'ConfigMap')).hit!;
  const b = find(['kubeconform'], q('v1', 'ConfigMap')).hit!;
  assert.is(a.schema, b.schema);
  const dir = mkdtempSync(join(tmpdir(), 'fedrender-locations-'));
  const file = join(dir, 'v1.32.0-standalone-strict', 'configmap-v1.json');
  mkdirSync(join(dir, 'v1.32.0-standalone-strict'));
  writeFileSync(file, JSON.stringify({ type: 'object', properties: { data: { type: 'object' } } }));
  const first = find([dir], q('v1', 'ConfigMap')).hit!;
  assert.is(first.file, file.split('\\').join('/'));
  assert.is(find([dir], q('v1', 'ConfigMap')).hit!.schema, first.schema);
  writeFileSync(
    file,
    JSON.stringify({ type: 'object', properties: { data: { type: 'string' } }, required: ['data'] }),
  );
  const second = find([dir], q('v1', 'ConfigMap')).hit!;
  assert.is.not(second.schema, first.schema);
  assert.equal(errorsOf(second.schema, {}), ['/data required']);
});

test.run();
