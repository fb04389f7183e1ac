// Validation end to end from the CLI: schema errors at the offending node (or at the override
// that put the value there, naming the cluster), strict and lax modes, missing schemas, removed
// APIs, Kubernetes versions, CRDs, KubeFed inputs, names, labels and dangling references.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Reporter } from '../src/core/diagnostics.js';
import { parseYamlFile } from '../src/core/yaml-source.js';
import { deployment, project, run } from './helpers.js';

function fed(
  extra = '',
  clusters = '  - name: a\n    labels: {region: eu}\n  - name: b\n    labels: {region: us}',
): string {
  return `apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n${clusters}\nresources: [m/*.yaml]\n${extra}`;
}

const DEPLOY = (extra = '', container = '') => deployment({ replicas: 2, container, extra });

async function validate(files: Record<string, string>, ...args: string[]) {
  const dir = project(files);
  const r = await run(['validate', ...args], dir);
  const lines = r.stderr.split('\n').filter((l) => /: (error|warning): /.test(l));
  return { ...r, lines, dir };
}

test('a valid project validates with no diagnostics', async () => {
  const r = await validate({ 'federation.yaml': fed(), 'm/d.yaml': DEPLOY() });
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.lines, []);
});

test('wrong types and unknown fields point at the node; unknown fields are warnings when not strict', async () => {
  const bad = DEPLOY('', '        imagePullPolcy: Always\n        ports: [{containerPort: "80"}]\n');
  const strict = await validate({ 'federation.yaml': fed(), 'm/d.yaml': bad });
  assert.is(strict.code, 1);
  assert.equal(
    strict.lines.map((l) => l.replace(/: (error|warning): .*\[(\w+)\]$/, ' $1 $2')),
    ['m/d.yaml:15:9 error SCHEMA', 'm/d.yaml:16:33 error SCHEMA'],
  );
  assert.match(strict.lines[0]!, /unknown field "imagePullPolcy" \(did you mean "imagePullPolicy"\?\)/);
  assert.match(
    strict.lines[1]!,
    /\/spec\/template\/spec\/containers\/0\/ports\/0\/containerPort: expected integer, found string "80"/,
  );
  const lax = await validate({ 'federation.yaml': fed('validation: {strict: false}\n'), 'm/d.yaml': bad });
  assert.is(lax.code, 1);
  assert.match(lax.lines[0]!, /m\/d\.yaml:15:9: warning: .*unknown field/);
  assert.match(lax.lines[1]!, /m\/d\.yaml:16:33: error: /);
});

test('duplicate keys are errors, warnings when not strict', async () => {
  const dup = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: "1"\n  a: "2"\n';
  const strict = await validate({ 'federation.yaml': fed(), 'm/c.yaml': dup });
  assert.is(strict.code, 1);
  assert.match(strict.lines[0]!, /^m\/c\.yaml:6:3: error: duplicate key "a"/);
  const lax = await validate({ 'federation.yaml': fed('validation: {strict: false}\n'), 'm/c.yaml': dup });
  assert.is(lax.code, 0, lax.stderr);
  assert.match(lax.lines[0]!, /^m\/c\.yaml:6:3: warning: duplicate key "a"/);
});

test('an override that breaks a manifest is reported at the override, naming the cluster', async () => {
  const rule =
    'overrides:\n  - match: {kinds: [Deployment]}\n    overrides:\n      - clusterSelector: {matchLabels: {region: us}}\n        clusterOverrides:\n          - {path: /spec/replicas, value: "three"}\n';
  const r = await validate({ 'federation.yaml': fed(rule), 'm/d.yaml': DEPLOY() });
  assert.is(r.code, 1);
  assert.equal(r.lines, [
    'federation.yaml:14:13: error: Deployment default/web: /spec/replicas: expected integer, found string "three" (cluster "b") [SCHEMA]',
  ]);
});

test('a per-cluster label or annotation never hides a schema error: of the copy, or of the source body', async () => {
  // Every cluster gets a label (the copies differ from the source only there), one an annotation.
  const labels =
    'overrides:\n  - match: {kinds: [Deployment]}\n    overrides:\n' +
    '      - clusterSelector: {}\n        clusterOverrides:\n          - {path: /metadata/labels/cluster, value: x}\n' +
    '      - clusterName: b\n        clusterOverrides:\n          - {path: /metadata/annotations/note, value: "y"}\n';
  const labelled = DEPLOY().replace(
    '  namespace: default\n',
    '  namespace: default\n  labels: {app: web}\n  annotations: {a: b}\n',
  );
  const clean = await validate({ 'federation.yaml': fed(labels), 'm/d.yaml': labelled });
  assert.is(clean.code, 0, clean.stderr);
  // The source body's own mistake is still reported (once: both clusters give the same line).
  const broken = labelled.replace('replicas: 2', 'replicas: two');
  const bad = await validate({ 'federation.yaml': fed(labels), 'm/d.yaml': broken });
  assert.equal(
    bad.lines.map((l) => l.replace(/: error: .*(\/spec\/replicas).*\[(\w+)\]$/, ' $1 $2')),
    ['m/d.yaml:9:13 /spec/replicas SCHEMA'],
  );
  // A label value that is not a string: the copy fails its own check, in that cluster only.
  const number =
    'overrides:\n  - match: {kinds: [Deployment]}\n    overrides:\n' +
    '      - clusterName: a\n        clusterOverrides:\n          - {path: /metadata/labels/tier, value: 3}\n';
  const typed = await validate({ 'federation.yaml': fed(number), 'm/d.yaml': labelled });
  assert.is(typed.code, 1);
  assert.equal(typed.lines.length, 1, typed.stderr);
  assert.match(
    typed.lines[0]!,
    /^federation\.yaml:\d+:\d+: error: .*\/metadata\/labels\/tier: expected string.*\(cluster "a"\)/,
  );
});

test('kinds without a schema are errors unless skipped; removed APIs name the release and replacement; typos get a did-you-mean', async () => {
  const files = {
    'm/old.yaml': 'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: old}\nspec: {}\n',
    'm/w.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n',
  };
  const r = await validate({
    'federation.yaml': fed(),
    ...files,
    'm/moved.yaml': 'apiVersion: apps/v1\nkind: CronJob\nmetadata: {name: c}\n',
    'm/typo.yaml': 'apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: t}\n',
  });
  assert.is(r.code, 1);
  assert.equal(r.lines, [
    'm/moved.yaml:1:13: error: apps/v1 CronJob is not served by Kubernetes 1.36; use batch/v1 [MISSING_SCHEMA]',
    'm/old.yaml:1:13: error: extensions/v1beta1 Ingress was removed in Kubernetes 1.22; use networking.k8s.io/v1 [MISSING_SCHEMA]',
    'm/typo.yaml:2:7: error: unknown kind Deploymnet in apps/v1 (did you mean Deployment?) [MISSING_SCHEMA]',
    'm/w.yaml:1:13: error: no schema for example.com/v1 Widget (Kubernetes 1.36, CRDs, schemaLocations) [MISSING_SCHEMA]',
  ]);
  // Only the unknown kind is offered the ways to skip it: skipping a typo ships a broken object.
  assert.is(r.stderr.split('ignoreMissingSchemas').length, 2, r.stderr);
  assert.match(r.stderr, /hint: Deployment is served as apps\/v1/);
  const skipped = await validate({
    'federation.yaml': fed('validation: {skipKinds: [Widget, extensions/v1beta1/Ingress]}\n'),
    ...files,
  });
  assert.is(skipped.code, 0, skipped.stderr);
  const ignored = await validate({
    'federation.yaml': fed('validation: {ignoreMissingSchemas: true}\n'),
    ...files,
  });
  assert.is(ignored.code, 0, ignored.stderr);
});

test('validation.kubernetesVersion selects the schema set; an unshipped version uses the nearest with a warning', async () => {
  const claim =
    'apiVersion: resource.k8s.io/v1\nkind: ResourceClaim\nmetadata: {name: gpu}\nspec: {devices: {requests: [{name: gpu, exactly: {deviceClassName: gpu.example.com}}]}}\n';
  const v136 = await validate({
    'federation.yaml': fed('validation: {kubernetesVersion: "1.36"}\n'),
    'm/c.yaml': claim,
  });
  assert.is(v136.code, 0, v136.stderr);
  const v132 = await validate({
    'federation.yaml': fed('validation: {kubernetesVersion: "1.32"}\n'),
    'm/c.yaml': claim,
  });
  assert.is(v132.code, 1);
  assert.match(v132.stderr, /resource\.k8s\.io\/v1 ResourceClaim is not served by Kubernetes 1\.32/);
  const v131 = await validate({
    'federation.yaml': fed('validation: {kubernetesVersion: "1.31"}\n'),
    'm/d.yaml': DEPLOY(),
  });
  assert.is(v131.code, 0);
  assert.match(
    v131.lines[0]!,
    /federation\.yaml:9:33: warning: no built-in schemas for Kubernetes 1\.31; validating against 1\.32/,
  );
});

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Namespaced
  names: {kind: CronTab, plural: crontabs, singular: crontab}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [cronSpec]
            properties:
              cronSpec: {type: string}
              replicas: {type: integer}
`;

test('custom resources validate against CRDs from validation.crds or among the inputs', async () => {
  const cr =
    'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: t}\nspec:\n  cronSpec: "* * * * *"\n  replicas: many\n';
  const viaGlob = await validate({
    'federation.yaml': fed('validation: {crds: [crds/*.yaml]}\n'),
    'crds/crontab.yaml': CRD,
    'm/t.yaml': cr,
  });
  assert.is(viaGlob.code, 1);
  assert.equal(viaGlob.lines, [
    'm/t.yaml:6:13: error: CronTab default/t: /spec/replicas: expected integer, found string "many" [SCHEMA]',
  ]);
  const inline = await validate({
    'federation.yaml': fed(),
    'm/crd.yaml': CRD,
    'm/t.yaml': cr.replace('many', '2'),
  });
  assert.is(inline.code, 0, inline.stderr);
});

test('KubeFed objects are checked against their own schema', async () => {
  const fd =
    'apiVersion: types.kubefed.io/v1beta1\nkind: FederatedConfigMap\nmetadata: {name: c, namespace: default}\nspec:\n  template: {data: {a: "1"}}\n  placement:\n    clusters: a\n  overides: []\n';
  const r = await validate({ 'federation.yaml': fed(), 'm/f.yaml': fd });
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /m\/f\.yaml:7:15: error: FederatedConfigMap default\/c: \/spec\/placement\/clusters: expected array or null, found string "a"/,
  );
  assert.match(r.stderr, /m\/f\.yaml:8:3: error: .*unknown field "overides" \(did you mean "overrides"\?\)/);
});

test('names and label values are checked as the API server does', async () => {
  const cm =
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: My_Config\n  labels:\n    "bad key!": x\n    ok: "not valid value"\n';
  const r = await validate({ 'federation.yaml': fed(), 'm/c.yaml': cm });
  assert.is(r.code, 1);
  assert.equal(
    r.lines.map((l) => l.split(': error')[0]),
    ['m/c.yaml:4:9', 'm/c.yaml:6:5', 'm/c.yaml:7:9'],
  );
});

test('a pod template that needs a ConfigMap rendered for other clusters only warns, naming the cluster', async () => {
  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}\n';
  const d = DEPLOY('', '        envFrom: [{configMapRef: {name: settings}}]\n');
  const rule = 'placements:\n  - match: {kinds: [ConfigMap]}\n    placement: {clusters: [{name: a}]}\n';
  const r = await validate({ 'federation.yaml': fed(rule), 'm/c.yaml': cm, 'm/d.yaml': d });
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.lines, [
    'm/d.yaml:15:41: warning: Deployment web refers to ConfigMap settings, which is rendered for other clusters but not for "b"; its pods would not start there [DANGLING_REFERENCE]',
  ]);
});

test('null fields read as unset, as the API server reads them', async () => {
  const d = DEPLOY('status: {}\n').replace(
    '  namespace: default\n',
    '  namespace: default\n  creationTimestamp: null\n',
  );
  const r = await validate({ 'federation.yaml': fed(), 'm/d.yaml': d });
  assert.is(r.code, 0, r.stderr);
});

test('YAML 1.1 booleans are read as go-yaml v2 reads them; quoted, or any other word, they stay strings', () => {
  const words = [
    'y',
    'Y',
    'yes',
    'Yes',
    'YES',
    'on',
    'On',
    'ON',
    'n',
    'N',
    'no',
    'No',
    'NO',
    'off',
    'Off',
    'OFF',
  ];
  const text = words.map((w, i) => `k${i}: ${w}\n`).join('') + 'q: "yes"\nw: yesno\nt: True\nx: oN\n';
  const reporter = new Reporter();
  const [doc] = parseYamlFile(text, 'f.yaml', reporter);
  assert.equal(reporter.diagnostics, []);
  assert.equal(doc!.value, {
    ...Object.fromEntries(words.map((w, i) => [`k${i}`, /^(y|yes|on)$/i.test(w)])),
    q: 'yes',
    w: 'yesno',
    t: true,
    x: 'oN',
  });
});

test.run();
