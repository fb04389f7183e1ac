// Tests written to kill mutations that once survived the suite: each names the code it guards
// and fails when that code is changed the way the comment says (checked by making the change).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { serializeDocument } from '../src/core/serialize.js';
import { deployment, federation, project, run, tempDir } from './helpers.js';

const CLUSTERS = '  - name: a\n  - name: b';

async function build(files: Record<string, string>) {
  const dir = project(files);
  const r = await run(['build', '-c', join(dir, 'federation.yaml'), '--format', 'json'], dir);
  const diagnostics = r.stdout.trim() ? (JSON.parse(r.stdout) as { code: string; line: number }[]) : [];
  return { dir, code: r.code, diagnostics, stderr: r.stderr };
}

function readObject(dir: string, cluster: string, file: string): Record<string, unknown> {
  return parse(readFileSync(join(dir, 'rendered', cluster, file), 'utf8')) as Record<string, unknown>;
}

// Guards load/config.ts's default op (`o.op ?? 'replace'`): with `add` as the default, a
// container at index 0 would be inserted before the existing one instead of replacing it.
test('an override without op replaces the item at an array index (KubeFed default op)', async () => {
  const rule = `overrides:
  - match: {kinds: [Deployment]}
    overrides:
      - clusterName: a
        clusterOverrides:
          - path: /spec/template/spec/containers/0
            value: {name: web, image: "nginx:1.27"}
`;
  const r = await build({
    'federation.yaml': federation(CLUSTERS, rule),
    'manifests/web.yaml': deployment(),
  });
  assert.is(r.code, 0, r.stderr);
  const spec = readObject(r.dir, 'a', 'default/deployment-web.yaml').spec as {
    template: { spec: { containers: { image: string }[] } };
  };
  assert.equal(
    spec.template.spec.containers.map((c) => c.image),
    ['nginx:1.27'],
  );
});

// Same default inside a KubeFed object's own overrides.
test('a KubeFed override without op replaces the item at an array index', async () => {
  const fed = `apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: web, image: nginx}]
  placement: {clusters: [{name: a}]}
  overrides:
    - clusterName: a
      clusterOverrides:
        - path: /spec/template/spec/containers/0
          value: {name: web, image: "nginx:1.27"}
`;
  const r = await build({
    'federation.yaml': federation(CLUSTERS),
    'manifests/web.yaml': fed,
    'manifests/ns.yaml':
      'apiVersion: types.kubefed.io/v1beta1\nkind: FederatedNamespace\nmetadata: {name: shop, namespace: shop}\nspec: {placement: {clusters: [{name: a}]}}\n',
  });
  assert.is(r.code, 0, r.stderr + JSON.stringify(r.diagnostics));
  const spec = readObject(r.dir, 'a', 'shop/deployment-web.yaml').spec as {
    template: { spec: { containers: { image: string }[] } };
  };
  assert.equal(
    spec.template.spec.containers.map((c) => c.image),
    ['nginx:1.27'],
  );
});

// Guards '/metadata/generateName' in override.ts's FORBIDDEN_PATHS: KubeFed refuses it.
test('an override of /metadata/generateName is forbidden, at the operation line', async () => {
  const rule = `overrides:
  - match: {kinds: [Deployment]}
    overrides:
      - clusterName: a
        clusterOverrides:
          - {path: /metadata/generateName, value: web-}
`;
  const r = await build({
    'federation.yaml': federation(CLUSTERS, rule),
    'manifests/web.yaml': deployment(),
  });
  assert.is(r.code, 1);
  assert.equal(
    r.diagnostics.map((d) => [d.code, d.line]),
    [['FORBIDDEN_PATH', 13]],
  );
});

// Guards override.ts's sameIdentity check: replacing the whole metadata (a path that is not
// forbidden itself) must not rename the object in one cluster.
test('an override that renames the object through /metadata is refused', async () => {
  const rule = `overrides:
  - match: {kinds: [Deployment]}
    overrides:
      - clusterName: a
        clusterOverrides:
          - {path: /metadata, value: {name: other, namespace: default}}
`;
  const r = await build({
    'federation.yaml': federation(CLUSTERS, rule),
    'manifests/web.yaml': deployment(),
  });
  assert.is(r.code, 1);
  assert.equal(
    r.diagnostics.map((d) => d.code),
    ['FORBIDDEN_PATH'],
  );
});

// go-yaml's sorter is not transitive for keys such as `a1b` beside `a10` (kubectl's own output
// then varies from run to run), so the list keeps to keys it orders consistently.
// Guards the digit-run comparison in serialize.ts's compareKeys (numeric value, then length for
// leading zeros, then big numbers): the order must be exactly what kubectl kustomize prints.
test('map keys with digits are ordered exactly as kubectl kustomize orders them', () => {
  const keys = [
    'a10',
    'a9',
    'a09',
    'a009',

    'a01',
    '0',
    '00',
    '1',
    '01',
    '10',
    '9',
    'x-1',
    'x_1',
    'X1',
    'ä1',
    'a',
    'ab',
    'a0',
    'b2c10',
    'b2c9',
    'file-1.10',
    'file-1.9',
    'v1.2',
    'v1.10',
    'a.b',
    'a-b',
    '99999999999999999999',
    '100000000000000000000',
  ];
  const data = Object.fromEntries(keys.map((k) => [k, 'x']));
  const ours = serializeDocument({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'k' }, data });
  const dir = tempDir();
  writeFileSync(join(dir, 'cm.yaml'), ours);
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n- cm.yaml\n');
  const theirs = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  const order = (text: string) => Object.keys((parse(text) as { data: Record<string, string> }).data);
  // yaml's parse keeps document order, so comparing key lists compares the printed orders.
  assert.equal(order(ours), order(theirs));
  assert.is(order(ours).length, keys.length);
});

test.run();
