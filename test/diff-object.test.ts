// The semantic object diff: field paths, not lines; list items matched by the key Kubernetes
// merges them by, by index otherwise; whole subtrees present on one side only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diffValues } from '../src/diff/object-diff.js';
import { redactFields } from '../src/diff/redact.js';
import type { Json } from '../src/types.js';

const pod = (containers: Json[]): Json => ({ spec: { template: { spec: { containers } } } });
const paths = (a: Json, b: Json) =>
  diffValues(a, b).map((c) => [
    c.path.join('/'),
    'from' in c ? c.from : '(absent)',
    'to' in c ? c.to : '(absent)',
  ]);

test('equal values, including key order, have no changes', () => {
  assert.equal(diffValues({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }), []);
});

test('a container inserted in front is one added item, not every container changed', () => {
  const web = { name: 'web', image: 'nginx:1' };
  const log = { name: 'log', image: 'busybox' };
  const side = { name: 'side', image: 'envoy' };
  assert.equal(paths(pod([web, log]), pod([side, web, log])), [
    ['spec/template/spec/containers/0', '(absent)', side],
  ]);
  assert.equal(paths(pod([web, log]), pod([log])), [['spec/template/spec/containers/0', web, '(absent)']]);
  assert.equal(paths(pod([web, log]), pod([log, { ...web, image: 'nginx:2' }])), [
    ['spec/template/spec/containers/1/image', 'nginx:1', 'nginx:2'],
  ]);
});

test('env by name, volumeMounts by mountPath, ports by name or else by port number', () => {
  const c = (extra: Record<string, Json>): Json => pod([{ name: 'web', ...extra }]);
  assert.equal(
    paths(
      c({
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      }),
      c({
        env: [
          { name: 'B', value: '3' },
          { name: 'A', value: '1' },
        ],
      }),
    ),
    [['spec/template/spec/containers/0/env/0/value', '2', '3']],
  );
  assert.equal(
    paths(
      c({
        volumeMounts: [
          { name: 'data', mountPath: '/a' },
          { name: 'data', mountPath: '/b' },
        ],
      }),
      c({ volumeMounts: [{ name: 'data', mountPath: '/b', readOnly: true }] }),
    ),
    [
      ['spec/template/spec/containers/0/volumeMounts/0/readOnly', '(absent)', true],
      ['spec/template/spec/containers/0/volumeMounts/0', { name: 'data', mountPath: '/a' }, '(absent)'],
    ],
  );
  assert.equal(
    paths(
      { spec: { ports: [{ port: 80 }, { port: 443 }] } },
      { spec: { ports: [{ port: 443, name: 'tls' }] } },
    ),
    [
      ['spec/ports/0/name', '(absent)', 'tls'],
      ['spec/ports/0', { port: 80 }, '(absent)'],
    ],
  );
});

test('other lists, and keyed lists with missing or duplicate keys, compare by index', () => {
  assert.equal(paths({ args: ['a', 'b'] }, { args: ['b'] }), [
    ['args/0', 'a', 'b'],
    ['args/1', 'b', '(absent)'],
  ]);
  assert.equal(paths({ env: [{ name: 'A' }, { name: 'A' }] }, { env: [{ name: 'A' }] }), [
    ['env/1', { name: 'A' }, '(absent)'],
  ]);
});

test('a type change or a subtree on one side only is one change at its root', () => {
  assert.equal(paths({ a: { b: 1 } }, { a: 'x' }), [['a', { b: 1 }, 'x']]);
  assert.equal(paths({}, { a: { b: 1 } }), [['a', '(absent)', { b: 1 }]]);
  assert.equal(paths({ a: null }, { a: 0 }), [['a', null, 0]]);
});

test('Secret data and stringData are redacted whatever their shape; other kinds are not', () => {
  const secret = { apiVersion: 'v1', kind: 'Secret', name: 's' };
  const fields = [
    { path: '/data', to: { k: 'c2VjcmV0' } },
    { path: '/stringData/p', from: 'a', to: 'b' },
    { path: '/stringData/q', from: 'gone' },
    { path: '/metadata/labels/a', from: 'x', to: 'y' },
  ];
  assert.equal(redactFields(secret, fields), [
    { path: '/data', to: '<redacted, changed>' },
    { path: '/stringData/p', from: '<redacted, changed>', to: '<redacted, changed>' },
    { path: '/stringData/q', from: '<redacted, changed>' },
    { path: '/metadata/labels/a', from: 'x', to: 'y' },
  ]);
  assert.equal(redactFields({ ...secret, kind: 'ConfigMap' }, fields), fields);
});

test.run();
