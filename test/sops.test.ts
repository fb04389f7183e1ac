// SOPS-encrypted documents (SPEC §2): their text is cut out of the file as written (markers and
// line ends aside), their encrypted values validate as the type SOPS recorded, a CRLF checkout
// renders the same bytes, an explicit output.flux.decryption is written as given, and the
// per-object opt-in annotation of plain Secrets never reaches the output.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { decryptedShape, documentText, isSopsDocument } from '../src/core/sops.js';
import { copyDir, GOLDEN, project, readTree, run, tempDir } from './helpers.js';

const ENC = (type: string) => `ENC[AES256_GCM,data:RdGyEw==,iv:aXY=,tag:dGFn,type:${type}]`;

test('documentText keeps leading comments and drops markers, CRLF and the end marker', () => {
  const text =
    '%YAML 1.2\r\n---\r\n# first\r\nkind: A\r\n...\r\n---\r\n# second\r\nkind: B\r\nsops:\r\n    mac: x\r\n\r\n';
  const docs = parseAllDocuments(text);
  assert.is(documentText(text, docs, 0), '# first\nkind: A\n');
  assert.is(documentText(text, docs, 1), '# second\nkind: B\nsops:\n    mac: x\n');
});

test('a document is SOPS-encrypted only with a sops mapping holding a mac', () => {
  assert.ok(isSopsDocument({ kind: 'Secret', sops: { mac: ENC('str') } }));
  assert.not.ok(isSopsDocument({ kind: 'Secret', sops: { version: '3.9.4' } }));
  assert.not.ok(isSopsDocument({ kind: 'Secret', sops: 'yes' }));
});

test('decryptedShape drops sops and gives encrypted values a value of their recorded type', () => {
  const shaped = decryptedShape({
    kind: 'Deployment',
    spec: { replicas: ENC('int'), paused: ENC('bool'), x: [ENC('str'), 'plain'] },
    sops: { mac: ENC('str') },
  });
  assert.equal(shaped, { kind: 'Deployment', spec: { replicas: 0, paused: false, x: ['', 'plain'] } });
});

test('a CRLF checkout renders the SOPS documents byte for byte like an LF one', async () => {
  const input = join(GOLDEN, 'sops-passthrough', 'input');
  const builds = [];
  for (const crlf of [false, true]) {
    const dir = tempDir();
    copyDir(input, dir);
    mkdirSync(join(dir, '.git'));
    if (crlf) {
      for (const f of ['federation.yaml', 'manifests/api.yaml', 'manifests/config.yaml']) {
        const p = join(dir, 'platform', f);
        writeFileSync(p, readFileSync(p, 'utf8').replace(/\n/g, '\r\n'));
      }
    }
    const r = await run(
      ['build', '-c', join(dir, 'platform', 'federation.yaml'), '-o', join(dir, 'out')],
      dir,
    );
    assert.is(r.code, 0, r.stderr);
    builds.push(readTree(join(dir, 'out')));
  }
  assert.equal(builds[1], builds[0]);
  const secret = builds[0]?.['eu-1/shop/secret-db-credentials.yaml'] ?? '';
  assert.ok(secret.includes('\n    name: db-credentials\n'), 'SOPS indentation kept');
  assert.ok(secret.endsWith('    version: 3.9.4\n'), 'sops stays last');
});

test('output.flux.decryption is written into every Kustomization, with no warning', async () => {
  const dir = project({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'federation.yaml':
      'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n  - name: eu-1\nresources: [manifests/*.yaml]\n' +
      'output:\n  name: shop\n  gitops: flux\n  flux:\n    decryption: {provider: sops, secretRef: {name: sops-age}}\n',
    'manifests/s.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: default\ndata:\n  k: ${ENC('str')}\nsops:\n  mac: ${ENC('str')}\n`,
  });
  const r = await run(['build', '-c', join(dir, 'federation.yaml')], dir);
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, ': warning:', r.stderr);
  const k = readFileSync(join(dir, 'clusters', 'eu-1', 'shop.yaml'), 'utf8');
  assert.match(k, '  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n');
});

test('an unknown decryption provider is a config error at its line', async () => {
  const dir = project({
    'federation.yaml':
      'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n  - name: eu-1\nresources: [manifests/*.yaml]\n' +
      'output:\n  gitops: flux\n  flux:\n    decryption: {provider: vault}\n',
    'manifests/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n',
  });
  const r = await run(['validate', '-c', join(dir, 'federation.yaml')], dir);
  assert.is(r.code, 1);
  assert.match(r.stderr, /federation\.yaml:9:\d+: error: .*provider/);
});

test('fedrender.io/allow-secret: "true" lets one plain Secret through and is not rendered', async () => {
  const dir = project({
    'federation.yaml':
      'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n  - name: eu-1\nresources: [manifests/*.yaml]\n',
    'manifests/s.yaml':
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: default\n  annotations:\n    fedrender.io/allow-secret: "true"\nstringData:\n  k: v\n',
  });
  const out = join(dir, 'out');
  const r = await run(['build', '-c', join(dir, 'federation.yaml'), '-o', out], dir);
  assert.is(r.code, 0, r.stderr);
  assert.is(
    readTree(out)['eu-1/default/secret-s.yaml'],
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: default\nstringData:\n  k: v\n',
  );
});

test.run();
