// The API server's rules beyond the schema (src/validate/api-rules.ts), on realistic manifests:
// every offending line of test/fixtures/api-rules/invalid-*.yaml says which rules it breaks
// (`# expect: rule, rule`) and exactly those are reported there; every rule of the table is
// exercised; valid manifests (the shop fixture, the schema corpus, the examples) break none.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deepFreeze, isObject } from '../src/core/cow.js';
import { Reporter } from '../src/core/diagnostics.js';
import { loadKubernetesSchemas } from '../src/core/k8s-schemas.js';
import { posOf, ref } from '../src/core/source.js';
import { parseYamlFile } from '../src/core/yaml-source.js';
import { allRules, API_RULES } from '../src/validate/api-rules.js';
import { pointer, walkObject } from '../src/validate/api-walk.js';
import type { JsonObject } from '../src/types.js';
import { EXAMPLES, ROOT } from './helpers.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'api-rules');
const set = loadKubernetesSchemas('1.36')!;

/** `line rule` for every problem the rules find in a file's built-in objects. */
function problems(file: string): string[] {
  const reporter = new Reporter();
  const docs = parseYamlFile(readFileSync(file, 'utf8'), file, reporter);
  assert.equal(reporter.diagnostics, [], file);
  const out: string[] = [];
  for (const d of docs) {
    const v = d.value;
    if (!isObject(v) || typeof v.apiVersion !== 'string' || typeof v.kind !== 'string') continue;
    const definition = set.kinds.get(`${v.apiVersion}/${v.kind}`);
    if (!definition) continue;
    for (const p of walkObject(d.value, definition, set.definitions, API_RULES))
      out.push(`${posOf(ref(d.source), p.path, { key: p.key }).line} ${p.rule}`);
  }
  return out.sort();
}

function expected(file: string): string[] {
  const out: string[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const m = /# expect: (.*)$/.exec(line);
      if (m) for (const rule of m[1]!.split(',')) out.push(`${i + 1} ${rule.trim()}`);
    });
  return out.sort();
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

const invalid = readdirSync(FIXTURES)
  .filter((f) => f.startsWith('invalid-'))
  .sort();

for (const f of invalid) {
  test(`${f}: each rule reported at the line that breaks it, nothing else`, () => {
    const file = join(FIXTURES, f);
    assert.equal(problems(file), expected(file));
  });
}

test('every rule of the table has a fixture that breaks it', () => {
  const exercised = new Set(invalid.flatMap((f) => expected(join(FIXTURES, f)).map((e) => e.split(' ')[1])));
  const untested = allRules()
    .map((r) => r.id)
    .filter((id) => !exercised.has(id));
  assert.equal(untested, []);
  for (const r of allRules()) assert.ok(r.cites.length > 0, r.id);
});

test('valid manifests break no rule: the shop fixture, the schema corpus, the examples', () => {
  const files = [
    join(FIXTURES, 'valid-shop.yaml'),
    ...yamlFiles(join(ROOT, 'test', 'fixtures', 'k8s-corpus')).filter((f) => /\/valid-[^/]*$/.test(f)),
    ...yamlFiles(EXAMPLES),
  ];
  assert.ok(files.length > 40);
  for (const f of files) assert.equal(problems(f), [], f);
});

test('per-cluster copies: shared subtrees reuse their problems only where the root reads agree', () => {
  // A StatefulSet whose pod mounts "data", a volumeClaimTemplate: fine. A copy that shares the
  // pod template but renames the claim (an override of /spec/volumeClaimTemplates) must fail.
  const claim = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };
  const base = deepFreeze({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', labels: { app: 'db' } },
    spec: {
      selector: { matchLabels: { app: 'db' } },
      serviceName: 'db',
      template: {
        metadata: { labels: { app: 'db' } },
        spec: {
          containers: [{ name: 'db', image: 'postgres', volumeMounts: [{ name: 'data', mountPath: '/d' }] }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: claim }],
    },
  });
  const definition = set.kinds.get('apps/v1/StatefulSet')!;
  const walk = (v: JsonObject) =>
    walkObject(v, definition, set.definitions, API_RULES, [], base).map(
      (p) => `${pointer(p.path)} ${p.rule}`,
    );
  assert.equal(walk(base), []);
  const spec = base.spec as JsonObject;
  const renamed = deepFreeze({
    ...base,
    spec: { ...spec, volumeClaimTemplates: [{ metadata: { name: 'other' }, spec: claim }] },
  });
  assert.equal(walk(renamed), ['/spec/template/spec/containers/0/volumeMounts/0/name pod-spec']);
  assert.equal(walk(base), []);
  // A bad label in the shared template is reported for every copy, walked or reused.
  const bad = deepFreeze({
    ...base,
    spec: { ...spec, template: { ...(spec.template as JsonObject), metadata: { labels: { 'a b': 'x' } } } },
  });
  const copy = deepFreeze({ ...bad, metadata: { name: 'db', labels: { app: 'db', cluster: 'c1' } } });
  const direct = walkObject(copy, definition, set.definitions, API_RULES).map((p) => pointer(p.path));
  const once = walkObject(copy, definition, set.definitions, API_RULES, [], bad).map((p) => pointer(p.path));
  const twice = walkObject(copy, definition, set.definitions, API_RULES, [], bad).map((p) => pointer(p.path));
  assert.ok(direct.includes('/spec/template/metadata/labels/a b'), direct.join());
  assert.equal(once, direct);
  assert.equal(twice, direct);
});

test.run();
