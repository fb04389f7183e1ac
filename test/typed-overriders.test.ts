// Typed overriders (Karmada's) of native override rules: the operations each item turns into for a
// body (Karmada's own test cases for images included), and end to end: codes, lines and columns
// of what cannot apply, order against clusterOverrides, shared subtrees, recorded operations.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deepFreeze } from '../src/core/cow.js';
import { posOf } from '../src/core/source.js';
import { compile } from '../src/index.js';
import {
  formatImage,
  parseImage,
  typedOverriderOps,
  type TypedOverriderName,
} from '../src/override/typed-overriders.js';
import type { JsonObject, RenderedObject } from '../src/types.js';
import { federation, project } from './helpers.js';

const SHA = 'sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';

function deployment(containers: JsonObject[], extra: JsonObject = {}): JsonObject {
  return deepFreeze({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers, ...extra } },
    },
  });
}

function ops(name: TypedOverriderName, item: JsonObject, body: JsonObject) {
  const r = typedOverriderOps(name, item, body);
  if (!r.ok) throw new Error(`unexpected failure: ${r.reason}`);
  return r.ops.map((o) => ({
    op: o.op,
    path: '/' + o.segments.join('/'),
    ...(o.value !== undefined ? { value: o.value } : {}),
  }));
}

function reason(name: TypedOverriderName, item: JsonObject, body: JsonObject): string {
  const r = typedOverriderOps(name, item, body);
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.ops)}`);
  return r.reason;
}

/** The new image of the first container, as Karmada's imageoverride_test.go cases state it. */
function image(from: string, item: JsonObject): string | undefined {
  const r = typedOverriderOps('imageOverrider', item, deployment([{ name: 'nginx', image: from }]));
  if (!r.ok) return `error: ${r.reason}`;
  return r.ops.length ? (r.ops[0]!.value as string) : from;
}

// --- image references -------------------------------------------------------------------------

test('image references split as Karmada splits them: no docker.io default, registry only with "." ":" or localhost', () => {
  const cases: [string, string, string, string, string][] = [
    ['pause', '', 'pause', '', ''],
    ['subpath/imagename:v1.0.0', '', 'subpath/imagename', 'v1.0.0', ''],
    ['library/nginx', '', 'library/nginx', '', ''],
    ['fictional.registry.example/imagename:v1.0.0', 'fictional.registry.example', 'imagename', 'v1.0.0', ''],
    [
      'fictional.registry.example:10443/subpath/imagename:v1.0.0',
      'fictional.registry.example:10443',
      'subpath/imagename',
      'v1.0.0',
      '',
    ],
    ['10.10.10.10:10443/subpath/imagename', '10.10.10.10:10443', 'subpath/imagename', '', ''],
    ['localhost/foo', 'localhost', 'foo', '', ''],
    ['[::1]:5000/foo:1', '[::1]:5000', 'foo', '1', ''],
    [`registry.k8s.io/pause@${SHA}`, 'registry.k8s.io', 'pause', '', SHA],
    [`example/api:2.0@${SHA}`, '', 'example/api', '2.0', SHA],
  ];
  for (const [ref, registry, repository, tag, digest] of cases) {
    assert.equal(parseImage(ref), { registry, repository, tag, digest }, ref);
    assert.is(formatImage({ registry, repository, tag, digest }), ref, `${ref} round trip`);
  }
});

test('invalid image references are refused with a reason', () => {
  for (const ref of [
    '',
    'Nginx',
    'nginx:bad tag',
    'nginx@sha256:abc',
    `nginx@md5:${'a'.repeat(32)}`,
    'nginx/',
    'a//b',
    `${'a'.repeat(256)}`,
  ]) {
    assert.ok('reason' in parseImage(ref), JSON.stringify(ref));
  }
  assert.match((parseImage('Nginx:1') as { reason: string }).reason, /lower case/);
});

// --- imageOverrider ---------------------------------------------------------------------------

test("imageOverrider: Karmada's test cases on fictional.registry.example/imagename:v1.0.0", () => {
  const img = 'fictional.registry.example/imagename:v1.0.0';
  assert.is(
    image(img, { component: 'Registry', operator: 'add', value: '.test' }),
    'fictional.registry.example.test/imagename:v1.0.0',
  );
  assert.is(
    image(img, { component: 'Registry', operator: 'replace', value: 'fictional.registry.us' }),
    'fictional.registry.us/imagename:v1.0.0',
  );
  assert.is(
    image(img, { component: 'Registry', operator: 'remove', value: 'fictional.registry.us' }),
    'imagename:v1.0.0',
  );
  assert.is(
    image(img, { component: 'Repository', operator: 'add', value: '/nginx' }),
    'fictional.registry.example/imagename/nginx:v1.0.0',
  );
  assert.is(
    image(img, { component: 'Repository', operator: 'replace', value: 'nginx' }),
    'fictional.registry.example/nginx:v1.0.0',
  );
  assert.is(
    image(img, { component: 'Tag', operator: 'replace', value: SHA }),
    `fictional.registry.example/imagename@${SHA}`,
  );
  assert.is(
    image(img, { component: 'Tag', operator: 'remove', value: SHA }),
    'fictional.registry.example/imagename',
  );
  assert.is(
    image('perl:5.34.0', { component: 'Registry', operator: 'add', value: 'registry.k8s.io' }),
    'registry.k8s.io/perl:5.34.0',
  );
  // Where Karmada keeps the image silently (tag + digest is neither) or writes "host/:v1.0.0",
  // fedrender reports the overrider.
  assert.match(
    image(img, { component: 'Tag', operator: 'add', value: SHA })!,
    /^error: .* is neither a tag nor a digest/,
  );
  assert.match(
    image(img, { component: 'Repository', operator: 'remove' })!,
    /^error: container "nginx": removing the repository/,
  );
});

test('imageOverrider: tag add appends, tag or digest chosen by the value, a digest kept by other components', () => {
  assert.is(
    image('envoy:v1.30', { component: 'Tag', operator: 'add', value: '-alpine' }),
    'envoy:v1.30-alpine',
  );
  assert.is(image('envoy', { component: 'Tag', operator: 'add', value: 'v1' }), 'envoy:v1');
  assert.is(
    image(`api:2.0@${SHA}`, { component: 'Registry', operator: 'replace', value: 'eu.gcr.io' }),
    `eu.gcr.io/api:2.0@${SHA}`,
  );
  assert.is(image(`api:2.0@${SHA}`, { component: 'Tag', operator: 'replace', value: '3.0' }), 'api:3.0');
  assert.is(image(`api:2.0@${SHA}`, { component: 'Tag', operator: 'remove' }), `api@${SHA}`);
  assert.is(image(`api@${SHA}`, { component: 'Tag', operator: 'remove' }), 'api');
  // A registry value may carry a path, as Karmada writes it verbatim; its host must read as one.
  assert.is(
    image('nginx:1', { component: 'Registry', operator: 'replace', value: 'mirror.example.com/dockerhub' }),
    'mirror.example.com/dockerhub/nginx:1',
  );
  assert.match(
    image('nginx:1', { component: 'Registry', operator: 'replace', value: 'mirror' })!,
    /"mirror" would not be read as a registry/,
  );
  assert.match(
    image('gcr.io/foo.io/x', { component: 'Registry', operator: 'remove' })!,
    /would be read as an image of registry "foo.io"/,
  );
  assert.match(image('Example/Web:1', { component: 'Tag', operator: 'replace', value: '2' })!, /lower case/);
});

test('imageOverrider: every container and init container of each pod-template kind, narrowed by containerName', () => {
  const item = { component: 'Registry', operator: 'replace', value: 'eu.gcr.io' };
  const body = deployment(
    [{ name: 'main', image: 'web:1' }, { name: 'side', image: 'eu.gcr.io/side:1' }, { name: 'noimage' }],
    {
      initContainers: [{ name: 'init', image: 'busybox' }],
    },
  );
  // side already has the registry: no operation, so its subtree stays shared.
  assert.equal(ops('imageOverrider', item, body), [
    { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'eu.gcr.io/web:1' },
    { op: 'replace', path: '/spec/template/spec/initContainers/0/image', value: 'eu.gcr.io/busybox' },
  ]);
  assert.equal(ops('imageOverrider', { ...item, containerName: 'init' }, body), [
    { op: 'replace', path: '/spec/template/spec/initContainers/0/image', value: 'eu.gcr.io/busybox' },
  ]);
  // No container of that name: nothing, as Karmada.
  assert.equal(ops('imageOverrider', { ...item, containerName: 'nope' }, body), []);
  const pods: [JsonObject, string][] = [
    [{ kind: 'Pod', spec: { containers: [{ name: 'c', image: 'x' }] } }, '/spec/containers/0/image'],
    [
      { kind: 'PodTemplate', template: { spec: { containers: [{ name: 'c', image: 'x' }] } } },
      '/template/spec/containers/0/image',
    ],
    [
      {
        kind: 'CronJob',
        spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } } },
      },
      '/spec/jobTemplate/spec/template/spec/containers/0/image',
    ],
  ];
  for (const kind of ['ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController']) {
    pods.push([
      { kind, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } },
      '/spec/template/spec/containers/0/image',
    ]);
  }
  for (const [body2, path] of pods)
    assert.equal(
      ops('imageOverrider', item, deepFreeze(body2)),
      [{ op: 'replace', path, value: 'eu.gcr.io/x' }],
      JSON.stringify(body2.kind),
    );
  // Not a pod-template kind, or no template: left alone, as Karmada.
  assert.equal(ops('imageOverrider', item, deepFreeze({ kind: 'ConfigMap', data: { image: 'x' } })), []);
  assert.equal(ops('imageOverrider', item, deepFreeze({ kind: 'Deployment', spec: {} })), []);
});

test('imageOverrider: a predicate path picks one string on any kind, `[field=value]` allowed; absent is an error', () => {
  const body = deployment([
    { name: 'side', image: 'side:1' },
    { name: 'main', image: 'web:1' },
  ]);
  const item = {
    component: 'Tag',
    operator: 'replace',
    value: 'v2',
    predicate: { path: '/spec/template/spec/containers/[name=main]/image' },
  };
  assert.equal(ops('imageOverrider', item, body), [
    { op: 'replace', path: '/spec/template/spec/containers/1/image', value: 'web:v2' },
  ]);
  const crd = deepFreeze({ kind: 'Widget', spec: { runner: { image: 'runner:1' } } });
  assert.equal(ops('imageOverrider', { ...item, predicate: { path: '/spec/runner/image' } }, crd), [
    { op: 'replace', path: '/spec/runner/image', value: 'runner:v2' },
  ]);
  assert.match(
    reason(
      'imageOverrider',
      { ...item, predicate: { path: '/spec/template/spec/containers/5/image' } },
      body,
    ),
    /does not exist/,
  );
  assert.match(
    reason(
      'imageOverrider',
      { ...item, predicate: { path: '/spec/template/spec/containers/[name=x]/image' } },
      body,
    ),
    /no element .* has name=x/,
  );
  assert.match(
    reason('imageOverrider', { ...item, predicate: { path: '/spec/template/spec/containers/0' } }, body),
    /holds an object, not an image/,
  );
  assert.match(reason('imageOverrider', { ...item, operator: 'upsert' }, body), /unknown operator "upsert"/);
  assert.match(
    reason('imageOverrider', { ...item, component: 'Digest' }, body),
    /unknown component "Digest"/,
  );
});

// --- labels and annotations -------------------------------------------------------------------

test('labelsOverrider / annotationsOverrider: add sets (creating the map), replace and remove touch existing keys only', () => {
  const body = deployment([]);
  assert.equal(
    ops(
      'labelsOverrider',
      { operator: 'add', value: { tier: 'gold', app: 'web', 'fleet.io/zone': 'a' } },
      body,
    ),
    [
      { op: 'add', path: '/metadata/labels/fleet.io/zone', value: 'a' },
      { op: 'add', path: '/metadata/labels/tier', value: 'gold' },
    ],
  );
  const seg = typedOverriderOps(
    'labelsOverrider',
    { operator: 'add', value: { 'fleet.io/zone': 'a' } },
    body,
  );
  assert.equal(
    seg.ok && seg.ops[0]!.segments,
    ['metadata', 'labels', 'fleet.io/zone'],
    'a key with "/" is one segment',
  );
  assert.equal(ops('labelsOverrider', { operator: 'replace', value: { app: 'api', absent: 'x' } }, body), [
    { op: 'replace', path: '/metadata/labels/app', value: 'api' },
  ]);
  assert.equal(ops('labelsOverrider', { operator: 'remove', value: { app: '', absent: '' } }, body), [
    { op: 'remove', path: '/metadata/labels/app' },
  ]);
  assert.equal(ops('annotationsOverrider', { operator: 'add', value: { b: '2', a: '1' } }, body), [
    { op: 'add', path: '/metadata/annotations', value: { a: '1', b: '2' } },
  ]);
  assert.equal(ops('annotationsOverrider', { operator: 'replace', value: { a: '1' } }, body), []);
  assert.equal(ops('annotationsOverrider', { operator: 'remove', value: { a: '1' } }, body), []);
  assert.match(
    reason(
      'labelsOverrider',
      { operator: 'add', value: { a: 'b' } },
      deepFreeze({ kind: 'X', metadata: { labels: 'oops' } }),
    ),
    /metadata.labels is string "oops", not a map/,
  );
});

// --- command and args -------------------------------------------------------------------------

test('commandOverrider / argsOverrider: add appends (creating the list), remove drops every equal item', () => {
  const body = deployment(
    [{ name: 'main', image: 'web', command: ['/web'], args: ['--debug', '--port=80', '--debug'] }],
    {
      initContainers: [{ name: 'init', image: 'busybox' }],
    },
  );
  assert.equal(ops('commandOverrider', { containerName: 'main', operator: 'add', value: ['--v=2'] }, body), [
    { op: 'replace', path: '/spec/template/spec/containers/0/command', value: ['/web', '--v=2'] },
  ]);
  assert.equal(
    ops('argsOverrider', { containerName: 'main', operator: 'remove', value: ['--debug'] }, body),
    [{ op: 'replace', path: '/spec/template/spec/containers/0/args', value: ['--port=80'] }],
  );
  assert.equal(ops('argsOverrider', { containerName: 'init', operator: 'add', value: ['-x'] }, body), [
    { op: 'add', path: '/spec/template/spec/initContainers/0/args', value: ['-x'] },
  ]);
  // Nothing to remove, nothing to add, no such container: no operation (Karmada skips too).
  assert.equal(ops('argsOverrider', { containerName: 'init', operator: 'remove', value: ['-x'] }, body), []);
  assert.equal(
    ops('argsOverrider', { containerName: 'main', operator: 'remove', value: ['--absent'] }, body),
    [],
  );
  assert.equal(ops('commandOverrider', { containerName: 'main', operator: 'add' }, body), []);
  assert.equal(ops('commandOverrider', { containerName: 'nope', operator: 'add', value: ['x'] }, body), []);
  assert.match(
    reason('commandOverrider', { containerName: 'main', operator: 'replace', value: ['x'] }, body),
    /unknown operator "replace"/,
  );
});

// --- env --------------------------------------------------------------------------------------

test('envOverrider: set replaces in place or appends, remove drops by name; one operation per variable', () => {
  const body = deployment([
    {
      name: 'main',
      image: 'web',
      env: [
        { name: 'LEVEL', value: 'info' },
        { name: 'RATE', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } },
        { name: 'KEEP', value: '1' },
      ],
    },
  ]);
  const env = '/spec/template/spec/containers/0/env';
  assert.equal(
    ops(
      'envOverrider',
      {
        containerName: 'main',
        operator: 'set',
        value: [
          { name: 'RATE', value: '5' },
          { name: 'USERS', value: '50' },
          { name: 'KEEP', value: '1' },
          { name: 'USERS', value: '60' },
        ],
      },
      body,
    ),
    [
      { op: 'replace', path: `${env}/1`, value: { name: 'RATE', value: '5' } },
      { op: 'add', path: `${env}/3`, value: { name: 'USERS', value: '50' } },
      { op: 'replace', path: `${env}/3`, value: { name: 'USERS', value: '60' } },
    ],
  );
  assert.equal(
    ops(
      'envOverrider',
      {
        containerName: 'main',
        operator: 'remove',
        value: [{ name: 'LEVEL' }, { name: 'KEEP' }, { name: 'ABSENT' }],
      },
      body,
    ),
    [
      { op: 'remove', path: `${env}/2` },
      { op: 'remove', path: `${env}/0` },
    ],
  );
  const bare = deployment([{ name: 'main', image: 'web' }]);
  assert.equal(
    ops(
      'envOverrider',
      {
        containerName: 'main',
        operator: 'set',
        value: [
          { name: 'A', value: '1' },
          { name: 'A', value: '2' },
        ],
      },
      bare,
    ),
    [{ op: 'add', path: env, value: [{ name: 'A', value: '2' }] }],
  );
  assert.equal(
    ops('envOverrider', { containerName: 'main', operator: 'remove', value: [{ name: 'A' }] }, bare),
    [],
  );
  assert.equal(
    ops('envOverrider', { containerName: 'nope', operator: 'set', value: [{ name: 'A', value: '1' }] }, body),
    [],
  );
});

// --- end to end -------------------------------------------------------------------------------

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: main
          image: example/web:1.0
`;

const CLUSTERS = '  - name: eu-1\n    labels: {region: eu}\n  - name: us-1\n    labels: {region: us}';

async function compiled(rules: string, files: Record<string, string> = {}) {
  const dir = project({
    'federation.yaml': federation(CLUSTERS, rules),
    'manifests/web.yaml': WEB,
    ...files,
  });
  return compile({ config: 'federation.yaml', cwd: dir });
}

function at(d: { line: number; column: number; code: string }) {
  return `${d.line}:${d.column} ${d.code}`;
}

test('end to end: what cannot apply is an error at its item, naming the cluster; the object is not rendered there', async () => {
  const c = await compiled(`overrides:
  - match: {kinds: [Deployment]}
    overrides:
      - clusterName: eu-1
        imageOverrider:
          - {component: Tag, operator: replace, value: v2, predicate: {path: /spec/template/spec/containers/3/image}}
        labelsOverrider:
          - operator: add
            value: {zone: "\${cluster.zone}"}
`);
  assert.equal(c.reporter.diagnostics.map(at), ['15:13 PATCH_FAILED', '18:27 UNKNOWN_VARIABLE']);
  assert.match(
    c.reporter.diagnostics[0]!.message,
    /cannot apply imageOverrider to Deployment default\/web in cluster "eu-1": predicate path .* does not exist/,
  );
  assert.equal(
    c.rendered.map((o) => o.cluster.name),
    ['us-1'],
  );
});

test('end to end: typed overriders first, then the entry clusterOverrides; later entries after', async () => {
  const c = await compiled(`overrides:
  - match: {kinds: [Deployment]}
    overrides:
      - clusterSelector: {}
        labelsOverrider: [{operator: add, value: {tier: gold, region: "\${cluster.labels.region}"}}]
        clusterOverrides:
          - {path: /metadata/labels/tier, value: silver}
      - clusterName: us-1
        labelsOverrider: [{operator: replace, value: {tier: bronze}}]
`);
  assert.equal(c.reporter.diagnostics, []);
  const labels = Object.fromEntries(
    c.rendered.map((o) => [o.cluster.name, (o.body.metadata as JsonObject).labels]),
  );
  assert.equal(labels, {
    'eu-1': { app: 'web', tier: 'silver', region: 'eu' },
    'us-1': { app: 'web', tier: 'bronze', region: 'us' },
  });
});

test('end to end: unchanged subtrees stay shared, and each operation is recorded at its item line', async () => {
  const c = await compiled(`overrides:
  - match: {kinds: [Deployment]}
    overrides:
      - clusterName: eu-1
        imageOverrider:
          - {component: Registry, operator: replace, value: eu.gcr.io}
        commandOverrider:
          - {containerName: nope, operator: add, value: [x]}
`);
  // The no-op item is not an error (as in Karmada) but is named once for the whole run.
  assert.equal(
    c.reporter.diagnostics.map((d) => [d.code, d.severity, d.line, d.column]),
    [['UNUSED_RULE', 'warning', 17, 13]],
  );
  const [eu, us] = c.rendered as [RenderedObject, RenderedObject];
  const base = eu.resource.body;
  assert.is(us.body, base, 'a cluster nothing applies to shares the whole body');
  assert.is(eu.body.metadata, base.metadata);
  assert.is((eu.body.spec as JsonObject).selector, (base.spec as JsonObject).selector);
  assert.is.not((eu.body.spec as JsonObject).template, (base.spec as JsonObject).template);
  assert.ok(Object.isFrozen(eu.body.spec));
  assert.equal(
    eu.applied.map((a) => [a.path, posOf(a.ref).line]),
    [['/spec/template/spec/containers/0/image', 15]],
  );
});

test('end to end: a later validation error in an overrider value points at the overrider, naming the cluster', async () => {
  const c = await compiled(`overrides:
  - match: {kinds: [Deployment]}
    overrides:
      - clusterName: us-1
        labelsOverrider:
          - {operator: add, value: {tier: "not valid!"}}
`);
  const d = c.reporter.diagnostics.filter((x) => x.severity === 'error');
  assert.equal(d.map(at), ['15:13 INVALID_NAME']);
  assert.match(d[0]!.message, /\(cluster "us-1"\)/);
});

test('end to end: predicate with containerName, and typed overriders in a KubeFed object, are refused at load, once each', async () => {
  const c = await compiled(
    `overrides:
  - match: {kinds: [Deployment]}
    overrides:
      - clusterName: eu-1
        imageOverrider:
          - {component: Tag, operator: remove, containerName: main, predicate: {path: /spec/template/spec/containers/0/image}}
`,
    {
      'manifests/fed.yaml': `apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: cfg, namespace: default}
spec:
  template: {data: {a: b}}
  placement: {clusters: [{name: eu-1}]}
  overrides:
    - clusterName: eu-1
      labelsOverrider: [{operator: add, value: {a: b}}]
`,
    },
  );
  // The KubeFed object's mistake is its schema's unknown field, reported once (it was also an
  // INVALID_PATCH before KubeFed objects were schema-checked ahead of the model).
  const own = c.reporter.diagnostics.filter((d) => d.code === 'INVALID_PATCH' || d.code === 'SCHEMA');
  assert.equal(
    own.map((d) => `${d.file}:${at(d)}`),
    ['federation.yaml:15:13 INVALID_PATCH', 'manifests/fed.yaml:9:7 SCHEMA'],
  );
});

test('end to end: schema errors in typed overriders at their node', async () => {
  const c = await compiled(`overrides:
  - match: {kinds: [Deployment]}
    overrides:
      - clusterName: eu-1
        imageOverrider:
          - {component: Registry, operator: replace}
        envOverrider:
          - {containerName: main, operator: upsert, value: []}
`);
  assert.equal(c.reporter.diagnostics.map(at), ['15:13 SCHEMA', '17:45 SCHEMA']);
});

test.run();
