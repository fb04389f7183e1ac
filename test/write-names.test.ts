// One output path per object: the file-name scheme is injective over (group, kind, namespace,
// name), case included (file systems that ignore case too), `_` in names cannot fake a clash
// suffix, long names are shortened deterministically under 255 bytes, and kustomization.yaml
// lists each file once.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { emitClusters } from '../src/emit/emit.js';
import { fileNames } from '../src/emit/file-names.js';
import type { Cluster, RenderedObject, Resource } from '../src/types.js';
import { project, readTree, run } from './helpers.js';

function obj(group: string, kind: string, name: string, namespace?: string): RenderedObject {
  const apiVersion = group ? `${group}/v1` : 'v1';
  const resource = {
    id: { apiVersion, group, kind, name, ...(namespace !== undefined ? { namespace } : {}) },
    scope: namespace === undefined ? 'Cluster' : 'Namespaced',
    body: { apiVersion, kind, metadata: { name } },
  } as unknown as Resource;
  return { resource, cluster: { name: 'c' } as Cluster, body: resource.body, applied: [] };
}

const paths = (objects: RenderedObject[]) => {
  const { names, collisions } = fileNames(objects);
  assert.is(collisions.length, 0);
  return objects.map((o) => names.get(o)!);
};

function assertDistinct(list: string[]): void {
  assert.is(new Set(list.map((p) => p.toLowerCase())).size, list.length, list.join('\n'));
  for (const p of list) for (const seg of p.split('/')) assert.ok(Buffer.byteLength(seg) <= 255, seg);
}

test('ordinary objects keep their plain names; a group clash gets the documented suffix', () => {
  assert.equal(
    paths([
      obj('apps', 'Deployment', 'web', 'shop'),
      obj('example.com', 'Deployment', 'web', 'shop'),
      obj('', 'Namespace', 'shop'),
      obj('apps', 'Deployment', 'api', 'shop'),
    ]),
    [
      'shop/deployment-web_apps.yaml',
      'shop/deployment-web_example.com.yaml',
      '_cluster/namespace-shop.yaml',
      'shop/deployment-api.yaml',
    ],
  );
});

test('Widget/w and WIDGET/w of one group get two files', () => {
  const list = paths([obj('x.io', 'Widget', 'w', 'd'), obj('x.io', 'WIDGET', 'w', 'd')]);
  assertDistinct(list);
  assert.match(list[0]!, /^d\/widget-w_[0-9a-f]{10}\.yaml$/);
});

test('an RBAC name with `_` cannot collide with a clash suffix, nor names differing in case', () => {
  const objects = [
    obj('rbac.authorization.k8s.io', 'Role', 'web', 'd'),
    obj('example.com', 'Role', 'web', 'd'),
    obj('rbac.authorization.k8s.io', 'Role', 'web_example.com', 'd'),
    obj('rbac.authorization.k8s.io', 'Role', 'web_rbac.authorization.k8s.io', 'd'),
    obj('rbac.authorization.k8s.io', 'Role', 'Admin', 'd'),
    obj('rbac.authorization.k8s.io', 'Role', 'admin', 'd'),
    obj('rbac.authorization.k8s.io', 'ClusterRole', 'system:aggregate-to-view'),
    obj('', 'ConfigMap', 'x', '_cluster'),
    obj('', 'ConfigMap', 'x'),
  ];
  const list = paths(objects);
  assertDistinct(list);
  assert.is(list[2], 'd/role-web%5Fexample.com.yaml');
  assert.is(list[6], '_cluster/clusterrole-system%3Aaggregate-to-view.yaml');
  assert.is(list[7], '%5Fcluster/configmap-x.yaml');
});

test('a brute-force sweep over kinds, names and groups finds no two objects sharing a file', () => {
  const parts = ['a', 'A', 'a-b', 'b', 'a_b', 'a_core', 'core', '_', '-', 'a.b', '%41', 'é', 'a~1'];
  const objects: RenderedObject[] = [];
  for (const g of ['', 'core', 'a', 'A', 'a_b'])
    for (const k of parts) for (const n of parts) objects.push(obj(g, k, n, 'ns'));
  assertDistinct(paths(objects));
});

test('long names and kinds are shortened deterministically below 255 bytes', () => {
  const long = 'x'.repeat(253);
  const colon = ':'.repeat(200);
  const list = paths([
    obj('', 'ConfigMap', long, 'd'),
    obj('', 'ConfigMap', long.slice(0, 252) + 'y', 'd'),
    obj('rbac.authorization.k8s.io', 'Role', colon, 'd'),
    obj('k.io', 'K'.repeat(250), 'w', 'd'),
  ]);
  assertDistinct(list);
  assert.match(list[0]!, /^d\/configmap-x+~[0-9a-f]{12}\.yaml$/);
  assert.equal(paths([obj('', 'ConfigMap', long, 'd')]), [list[0]], 'deterministic');
  assert.not.match(list[2]!, /%3~|%~/, 'no escape cut in two');
});

test('objects that still land in one file are reported, and neither is written', () => {
  const a = obj('', 'ConfigMap', 'same', 'd');
  const b = obj('', 'ConfigMap', 'same', 'd');
  const seen: string[] = [];
  const files = emitClusters([a, b], [{ name: 'c' } as Cluster], (_k, _d, path) => seen.push(path));
  assert.is(seen.length, 1);
  assert.match(seen[0]!, /^c\/d\/configmap-same/);
  assert.equal(
    files.map((f) => f.path),
    ['c/kustomization.yaml'],
  );
  const k = files.find((f) => f.path === 'c/kustomization.yaml')!;
  const resources = (parse(k.content) as { resources: string[] }).resources;
  assert.is(new Set(resources).size, resources.length);
});

test('the CLI renders RBAC names differing in case or holding `_` and `:` to their own files', async () => {
  const role = (name: string) =>
    `---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: "${name}"\nrules: []\n`;
  const names = ['Admin', 'admin', 'a_b', 'system:auth-delegator', 'x:'.repeat(120)];
  const dir = project({
    'federation.yaml':
      'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n  - name: a\nresources: [m.yaml]\n',
    'm.yaml': names.map(role).join(''),
  });
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  const tree = readTree(join(dir, 'rendered/a'));
  const listed = (parse(tree['kustomization.yaml']!) as { resources: string[] }).resources;
  assert.is(listed.length, names.length);
  assert.is(new Set(listed.map((p) => p.toLowerCase())).size, names.length);
  const out = execFileSync('kubectl', ['kustomize', join(dir, 'rendered/a')], { encoding: 'utf8' });
  for (const n of names.slice(0, 4))
    assert.ok(out.includes(`name: ${n.includes(':') ? `'${n}'` : n}`) || out.includes(n), n);
  assert.ok(readFileSync(join(dir, 'rendered/a/kustomization.yaml'), 'utf8').length > 0);
});

test.run();
