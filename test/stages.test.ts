// Unit tests of single stages, asserting codes, lines and columns: placement selection, the
// copy-on-write patch (KubeFed's JSON-patch quirks), selectors, and the model's KubeFed rendering.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LineCounter, parseDocument } from 'yaml';
import { deepFreeze } from '../src/core/cow.js';
import { Reporter } from '../src/core/diagnostics.js';
import { selectorMatches } from '../src/core/selector.js';
import { ref } from '../src/core/source.js';
import { parseYamlFile } from '../src/core/yaml-source.js';
import { parseFederation } from '../src/load/config.js';
import { federatedTypes } from '../src/model/federated-types.js';
import { buildModel, crdScopes } from '../src/model/build-model.js';
import { applyPatch } from '../src/override/apply-patch.js';
import { computePlacement } from '../src/place.js';
import type { Cluster, JsonObject, PlacementSpec } from '../src/types.js';

function source(text: string) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return { doc: { file: 'f.yaml', index: 0, doc, lineCounter }, value: doc.toJS() };
}

const CLUSTERS: Cluster[] = [
  { name: 'a', labels: { region: 'eu', tier: 'gold' }, ref: ref(source('{}').doc) },
  { name: 'b', labels: { region: 'us' }, ref: ref(source('{}').doc) },
  { name: 'c', labels: {}, ref: ref(source('{}').doc) },
];

function place(yaml: string, severity: 'kubefed' | 'rule' = 'kubefed') {
  const s = source(yaml);
  const reporter = new Reporter();
  const names = computePlacement(s.value as PlacementSpec, ref(s.doc), CLUSTERS, reporter, severity);
  return { names, diagnostics: reporter.diagnostics.map((d) => [d.code, d.severity, d.line, d.column]) };
}

test('placement: a clusters list, even empty, wins over clusterSelector', () => {
  assert.equal(place('clusters: [{name: b}]\nclusterSelector: {}').names, ['b']);
  assert.equal(place('clusters: []\nclusterSelector: {}').names, []);
  assert.equal(place('clusters: null\nclusterSelector: {}').names, ['a', 'b', 'c']);
});

test('placement: selector {} selects all, absent or null none', () => {
  assert.equal(place('clusterSelector: {}').names, ['a', 'b', 'c']);
  assert.equal(place('{}').names, []);
  assert.equal(place('clusterSelector: null').names, []);
});

test('placement: unknown names warn in KubeFed objects and are errors in rules, at the name', () => {
  assert.equal(place('clusters:\n  - name: a\n  - name: bb').diagnostics, [
    ['UNKNOWN_CLUSTER', 'warning', 3, 11],
  ]);
  assert.equal(place('clusters:\n  - name: a\n  - name: bb', 'rule').diagnostics, [
    ['UNKNOWN_CLUSTER', 'error', 3, 11],
  ]);
});

test('selectors: NotIn and DoesNotExist match clusters without the label; requirements are AND-ed', () => {
  const sel = (y: string) =>
    CLUSTERS.filter((c) => selectorMatches(source(y).value, c.labels)).map((c) => c.name);
  assert.equal(sel('matchExpressions: [{key: region, operator: NotIn, values: [eu]}]'), ['b', 'c']);
  assert.equal(sel('matchExpressions: [{key: tier, operator: DoesNotExist}]'), ['b', 'c']);
  assert.equal(sel('matchExpressions: [{key: region, operator: Exists}]'), ['a', 'b']);
  assert.equal(
    sel('matchLabels: {region: eu}\nmatchExpressions: [{key: tier, operator: In, values: [silver]}]'),
    [],
  );
});

test("patch: replace of a missing key in an existing object adds it (KubeFed's JSON-patch library)", () => {
  const base = deepFreeze<JsonObject>({ spec: { a: 1 } });
  const r = applyPatch(base, { op: 'replace', segments: ['spec', 'b'], value: 2 });
  assert.ok(r.ok);
  if (r.ok) assert.equal(r.root, { spec: { a: 1, b: 2 } });
  const missing = applyPatch(base, { op: 'replace', segments: ['nope', 'b'], value: 2 });
  assert.not.ok(missing.ok);
  assert.not.ok(applyPatch(base, { op: 'remove', segments: ['spec', 'zz'] }).ok);
});

test('patch: copy-on-write copies only the spine and leaves the base untouched', () => {
  const base = deepFreeze<JsonObject>({
    metadata: { name: 'x', labels: { a: 'b' } },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'c' }] } } },
  });
  const r = applyPatch(base, { op: 'replace', segments: ['spec', 'replicas'], value: 5 });
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is((base.spec as JsonObject).replicas, 1);
  assert.is(r.root.metadata, base.metadata, 'untouched subtree shared');
  assert.is(
    (r.root.spec as JsonObject).template,
    (base.spec as JsonObject).template,
    'sibling subtree shared',
  );
  assert.ok(Object.isFrozen(r.root.spec), 'the new spine is frozen too, so the serializer may cache it');
});

test('model: a Federated<Kind> renders with forced name and namespace, type kind and apiVersion; annotations dropped at their key', () => {
  const reporter = new Reporter();
  const config = parseFederation(
    'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters: [{name: a}]\n',
    'federation.yaml',
    '/x',
    reporter,
  )!;
  const docs = parseYamlFile(
    'apiVersion: types.kubefed.io/v1beta1\nkind: FederatedIngress\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata:\n      name: other\n      annotations: {a: b}\n    spec: {}\n  placement: {clusterSelector: {}}\n',
    'k.yaml',
    reporter,
  );
  const types = federatedTypes(docs, config, reporter);
  const model = buildModel(docs, config, crdScopes(docs), { types, schemaErrors: new Map() }, reporter);
  assert.equal(model.resources[0]!.body, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {},
  });
  assert.equal(
    reporter.diagnostics.map((d) => [d.code, d.severity, d.file, d.line, d.column]),
    [['DROPPED_FIELD', 'warning', 'k.yaml', 8, 7]],
  );
});

test('yaml: a leading-zero integer is octal, as kubectl and kustomize read it', () => {
  const [doc] = parseYamlFile('defaultMode: 0644\nquoted: "0644"\nplain: 10\n', 'f.yaml', new Reporter());
  assert.equal(doc?.value, { defaultMode: 420, quoted: '0644', plain: 10 });
});

test.run();
