// No name, namespace or cluster name can make a file land outside the output directory, even
// when validation is bypassed: the emitter encodes every path segment and the writer refuses
// any path that leaves its root. The CLI rejects such names with file:line:col first.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emitClusters } from '../src/emit/emit.js';
import { safeSegment } from '../src/emit/file-names.js';
import { commitWrite, inside, planWrite, realFs } from '../src/write/index.js';
import type { Cluster, RenderedObject, Resource } from '../src/types.js';
import { project, readTree, run, tempDir } from './helpers.js';

const HOSTILE = [
  '..',
  '.',
  '../../etc/passwd',
  '/abs',
  'a/b',
  'a\\b',
  '%2e%2e',
  '',
  ' ',
  'C:',
  '..\u0000x',
  'é',
];

function fake(name: string, namespace: string | undefined, cluster: string): RenderedObject {
  const resource = {
    id: {
      apiVersion: 'v1',
      group: '',
      kind: 'ConfigMap',
      name,
      ...(namespace !== undefined ? { namespace } : {}),
    },
    scope: namespace === undefined ? 'Cluster' : 'Namespaced',
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } },
  } as unknown as Resource;
  return { resource, cluster: { name: cluster } as Cluster, body: resource.body, applied: [] };
}

test('safeSegment never yields a separator or a dot-only segment', () => {
  for (const s of HOSTILE) {
    const seg = safeSegment(s);
    assert.not.match(seg, /[/\\\u0000]/, s);
    assert.not.match(seg, /^\.+$/, s);
    assert.ok(seg.length > 0, s);
  }
});

test('emitting and writing hostile names keeps every file inside the output directory', async () => {
  const objects: RenderedObject[] = [];
  for (const c of HOSTILE)
    for (const n of HOSTILE) for (const ns of [...HOSTILE, undefined]) objects.push(fake(n, ns, c));
  const clusters = HOSTILE.map((name) => ({ name }) as Cluster);
  const files = emitClusters(objects, clusters);
  const root = tempDir();
  const out = join(root, 'out');
  for (const f of files) assert.ok(inside(out, f.path).startsWith(resolve(out) + '/'), f.path);
  await commitWrite(realFs, await planWrite(realFs, [{ dir: out, files, reportUnowned: true }]));
  assert.equal(readdirSync(root), ['out'], 'nothing written beside the output directory');
  assert.is(Object.keys(readTree(out)).length, files.length + 1);
});

test('the writer refuses a path that leaves its root', () => {
  for (const p of ['../x', '/etc/x', 'a/../../x', '', 'a//b', './x'])
    assert.throws(() => inside('/tmp/out', p), p);
});

test('the CLI reports hostile names at their line and writes nothing', async () => {
  const dir = project({
    'federation.yaml':
      'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n  - name: a\nresources: [m.yaml]\n',
    'm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ../../evil\n  namespace: ..\n',
  });
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /^m\.yaml:4:9: error: ConfigMap name "\.\.\/\.\.\/evil" is not a DNS-1123 subdomain/m,
  );
  assert.match(r.stderr, /^m\.yaml:5:14: error: namespace "\.\." is not a DNS-1123 label/m);
  assert.equal(readdirSync(dir).sort(), ['federation.yaml', 'm.yaml']);
});

test.run();
