// Well-known custom resources (SealedSecret, ExternalSecret, cert-manager, prometheus-operator,
// Argo CD, Flux, Gateway API, Istio, KEDA) validate offline without their CRDs, against the
// upstream CRDs shipped in schemas/well-known/ (unknown fields, CEL rules) or, for versions those
// no longer serve, the @kubernetes-models validators; a user's CRD wins over both; cluster-scoped
// kinds get no namespace; fedrender's own GitOps objects are checked at build time.
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Reporter } from '../src/core/diagnostics.js';
import { checkGeneratedGitops, shippedCrdSchema, wellKnownPackage } from '../src/validate/well-known-crds.js';
import { compileCelRules } from '../src/validate/cel-rules.js';
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

test("the projects' own examples of every family validate without their CRDs", async () => {
  // test/fixtures/well-known/upstream/: files copied unchanged from the projects' repositories at
  // the releases of scripts/well-known-crds.sources.json (docs, samples, examples folders).
  const dir = project({ 'federation.yaml': FED.replace('manifests/*.yaml', 'upstream/*.yaml') });
  mkdirSync(join(dir, 'upstream'));
  const files = readdirSync(join(FIXTURES, 'upstream'));
  for (const f of files) copyFileSync(join(FIXTURES, 'upstream', f), join(dir, 'upstream', f));
  const families = new Set(files.map((f) => f.split('_')[0]));
  assert.equal([...families].sort(), [
    'argo-cd',
    'cert-manager',
    'external-secrets',
    'flux',
    'gateway-api',
    'istio',
    'keda',
    'prometheus-operator',
    'sealed-secrets',
  ]);
  const r = await run(['validate', '-c', join(dir, 'federation.yaml')], dir);
  assert.is(r.code, 0, r.stderr);
  const warnings = r.stderr
    .split('\n')
    .filter((l) => / warning: /.test(l) && !l.includes('NAMESPACE_NOT_RENDERED'));
  // GatewayClass's one rule compares with the stored object: said once, never silently dropped.
  assert.is(warnings.length, 1, r.stderr);
  assert.match(
    warnings[0] ?? '',
    /^upstream\/gateway-api_basic-grpc\.yaml:3:13: warning: GatewayClass \(CustomResourceDefinition gatewayclasses\.gateway\.networking\.k8s\.io of kubernetes-sigs\/gateway-api v1\.6\.1, shipped with fedrender\): 1 of 1 CEL rules are not checked: 1 compare with the stored object \(oldSelf\) \[CEL_RULE\]$/,
  );
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

test('a version the shipped CRDs no longer serve is checked by the @kubernetes-models validator', async () => {
  const dir = project({
    'federation.yaml': FED,
    'manifests/es.yaml':
      'apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata: {name: es, namespace: default}\nspec:\n  refreshInterval: 1h\n  secretStoreRef: {name: vault, kind: SecretStore}\n  target: {creationPolicy: Always}\n  extra: 1\n',
  });
  const r = await run(['validate', '-c', join(dir, 'federation.yaml')], dir);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /manifests\/es\.yaml:7:\d+: error: .*creationPolicy/);
  // Those validators know types, not unknown fields: the shipped CRDs are what catches `extra`.
  assert.not.match(r.stderr, /extra/);
});

test('a misspelt well-known kind gets a did-you-mean; skipped CEL rules are one warning per CRD', async () => {
  const gc = (name: string) =>
    `apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: ${name}}\nspec: {controllerName: example.com/gateway}\n`;
  const dir = project({
    'federation.yaml': FED,
    'manifests/a.yaml': `${gc('one')}---\n${gc('two')}`,
    'manifests/b.yaml':
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoutes\nmetadata: {name: r, namespace: default}\nspec: {}\n',
  });
  const r = await run(['validate', '-c', join(dir, 'federation.yaml')], dir);
  assert.is(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    'manifests/b.yaml:2:7: error: unknown kind HTTPRoutes in gateway.networking.k8s.io/v1 (did you mean HTTPRoute?)',
  );
  const cel = r.stderr.split('\n').filter((l) => l.includes('[CEL_RULE]'));
  assert.equal(cel.length, 1, r.stderr);
  assert.match(
    cel[0] ?? '',
    /^manifests\/a\.yaml:1:13: warning: GatewayClass .*1 of 1 CEL rules are not checked/,
  );
});

test('every shipped CRD schema converts without error and its CEL rules compile', () => {
  const dir = join(ROOT, 'schemas', 'well-known');
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Record<
    string,
    Record<string, { versions: string[] }>
  >;
  const sources = readFileSync(join(dir, 'SOURCES.md'), 'utf8');
  let kinds = 0;
  let rules = 0;
  const skipped: string[] = [];
  for (const [group, byKind] of Object.entries(index)) {
    const body = JSON.parse(gunzipSync(readFileSync(join(dir, `${group}.json.gz`))).toString()) as {
      kinds: Record<string, { source: string }>;
    };
    assert.equal(Object.keys(body.kinds).sort(), Object.keys(byKind).sort(), group);
    // The pipeline preloads the groups wellKnownPackage names: every shipped group must be one.
    assert.ok(wellKnownPackage(`${group}/v1`), group);
    for (const [kind, k] of Object.entries(byKind))
      for (const v of k.versions) {
        const crd = shippedCrdSchema(`${group}/${v}`, kind);
        assert.ok(crd, `${group}/${v} ${kind}`);
        assert.ok(sources.includes(crd.shipped!.split(' ')[0]!), crd.shipped);
        const cel = compileCelRules(crd.openAPI);
        rules += cel?.total ?? 0;
        for (const s of cel?.skipped ?? [])
          skipped.push(`${group}/${v} ${kind}: ${s.reason} ${s.detail ?? ''}`);
        kinds++;
      }
  }
  assert.ok(kinds > 100 && rules > 700, `${kinds} kinds, ${rules} rules`);
  // What cannot be checked offline, known and summed up in a warning when used: transition rules
  // (oldSelf) and format.dns1123Label(), which fedrender's CEL library does not implement.
  assert.equal(skipped.sort(), [
    'gateway.networking.k8s.io/v1 GatewayClass: transition ',
    'gateway.networking.k8s.io/v1beta1 GatewayClass: transition ',
    'gateway.networking.x-k8s.io/v1alpha1 XBackend: unsupported dns1123Label',
    'gateway.networking.x-k8s.io/v1alpha1 XMesh: transition ',
  ]);
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
  // The CRD's CEL rules are checked too: kubeConfig needs exactly one of its two references.
  const cel = ok.replace('prune: true', 'prune: true, kubeConfig: {}');
  await checkGeneratedGitops([{ path: 'eu-1/fedrender.yaml', content: cel }], at, reporter);
  assert.is(reporter.diagnostics.length, 2);
  assert.match(
    reporter.diagnostics[1]?.message ?? '',
    /fedrender\.yaml, which kustomizations\.kustomize\.toolkit\.fluxcd\.io \(fluxcd\/kustomize-controller v1\.9\.4\) refuses \(\/spec\/kubeConfig exactly one of spec\.kubeConfig\.configMapRef or spec\.kubeConfig\.secretRef must be specified\)/,
  );
});

test.run();
