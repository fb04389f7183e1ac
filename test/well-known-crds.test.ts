// Well-known custom resources (SealedSecret, ExternalSecret, cert-manager, prometheus-operator,
// Argo CD, Flux, Gateway API, Istio, KEDA) validate offline without their CRDs; a user's CRD
// wins over the shipped schema; cluster-scoped kinds get no namespace; fedrender's own GitOps
// objects are checked against Argo CD's and Flux's schemas at build time.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Reporter } from '../src/core/diagnostics.js';
import { checkGeneratedGitops } from '../src/validate/well-known-crds.js';
import { project, readTree, ROOT, run } from './helpers.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'well-known');
const FED =
  'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n  - name: eu-1\nresources: [manifests/*.yaml]\n';

function fixtureProject(file: string, extra: Record<string, string> = {}): string {
  const dir = project({ 'federation.yaml': FED, ...extra });
  mkdirSync(join(dir, 'manifests'), { recursive: true });
  copyFileSync(join(FIXTURES, file), join(dir, 'manifests', file));
  return dir;
}

test('documented custom resources of every family render without their CRDs', async () => {
  const dir = fixtureProject('valid.yaml');
  const out = join(dir, 'out');
  const r = await run(['build', '-c', join(dir, 'federation.yaml'), '-o', out], dir);
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, / (error|warning): /, r.stderr);
  const tree = readTree(out);
  // Cluster-scoped kinds get no namespace; namespaced ones keep theirs.
  assert.not.match(tree['eu-1/_cluster/clusterissuer-letsencrypt.yaml'] ?? '', 'namespace:');
  assert.ok(tree['eu-1/_cluster/clusterissuer-letsencrypt.yaml']);
  assert.ok(tree['eu-1/_cluster/clustersecretstore-vault.yaml']);
  assert.ok(tree['eu-1/shop/sealedsecret-db-credentials.yaml']);
});

test('mistakes in well-known custom resources are errors at their line', async () => {
  const dir = fixtureProject('broken.yaml');
  const r = await run(['validate', '-c', join(dir, 'federation.yaml')], dir);
  assert.is(r.code, 1);
  const lines = readFileSync(join(FIXTURES, 'broken.yaml'), 'utf8').split('\n');
  const expected = lines.flatMap((l, i) => {
    const m = / # expect: (.*)$/.exec(l);
    return m?.[1] ? [{ line: i + 1, text: m[1] }] : [];
  });
  const errors = r.stderr.split('\n').filter((l) => / error: /.test(l));
  assert.is(errors.length, expected.length, r.stderr);
  for (const e of expected)
    assert.ok(
      errors.some((l) => l.startsWith(`manifests/broken.yaml:${e.line}:`) && l.includes(e.text)),
      `line ${e.line}: ${e.text}\n${r.stderr}`,
    );
});

test("a user's CRD takes precedence over the shipped schema", async () => {
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: sealedsecrets.bitnami.com}
spec:
  group: bitnami.com
  names: {kind: SealedSecret, plural: sealedsecrets}
  scope: Namespaced
  versions:
    - name: v1alpha1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [owner]
              properties:
                owner: {type: string}
                encryptedData: {type: object, additionalProperties: {type: string}}
`;
  const dir = project({
    'federation.yaml': FED + 'validation:\n  crds: [crds/*.yaml]\n',
    'crds/sealed.yaml': crd,
    'manifests/s.yaml':
      'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: s, namespace: default}\nspec:\n  encryptedData: {a: AgB=}\n',
  });
  const r = await run(['validate', '-c', join(dir, 'federation.yaml')], dir);
  assert.is(r.code, 1);
  assert.match(r.stderr, /manifests\/s\.yaml:4:1: error: .*missing required field "owner"/);
});

test('a generated Kustomization that Flux would refuse is reported as a fedrender bug', async () => {
  const reporter = new Reporter();
  const at = { file: 'federation.yaml', line: 3, column: 1 };
  const ok =
    'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: fedrender, namespace: flux-system}\n' +
    'spec: {interval: 10m, path: ./eu-1, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n';
  await checkGeneratedGitops([{ path: 'eu-1/fedrender.yaml', content: ok }], at, reporter);
  assert.equal(reporter.diagnostics, []);
  const bad = ok.replace('prune: true', 'prune: true, decryption: {provider: vault}');
  await checkGeneratedGitops([{ path: 'eu-1/fedrender.yaml', content: bad }], at, reporter);
  assert.is(reporter.diagnostics.length, 1);
  assert.match(
    reporter.diagnostics[0]?.message ?? '',
    /^internal error: fedrender generated eu-1\/fedrender\.yaml.*\/spec\/decryption\/provider.*fedrender bug/,
  );
});

test.run();
