// CEL rules of real CRDs (Gateway API HTTPRoute, cert-manager Issuer, prometheus-operator
// Prometheus; test/fixtures/crds): documented custom resources pass, realistic mistakes fail at
// the line of the field the rule sits on with the rule's message (`# expect:` markers in
// test/fixtures/cel/broken.yaml), skipped rules are summed up once per CRD, and the Kubernetes
// CEL libraries (lists, strings, regex, URL, quantity) behave as the API server's.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kubernetesCelEnvironment } from '../src/validate/cel-library.js';
import { compileCelRules } from '../src/validate/cel-rules.js';
import { project, ROOT, run } from './helpers.js';

const FIXTURES = join(ROOT, 'test', 'fixtures');
const CRDS = [
  'gateway-httproutes.yaml',
  'cert-manager-issuers.yaml',
  'prometheus-operator-prometheuses.yaml',
];

function celProject(manifest: string): string {
  const dir = project({
    'federation.yaml':
      'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n  - name: eu-1\nresources: [manifests/*.yaml]\nvalidation:\n  crds: [crds/*.yaml]\n',
  });
  mkdirSync(join(dir, 'crds'));
  mkdirSync(join(dir, 'manifests'));
  for (const f of CRDS) copyFileSync(join(FIXTURES, 'crds', f), join(dir, 'crds', f));
  copyFileSync(join(FIXTURES, 'cel', manifest), join(dir, 'manifests', manifest));
  return dir;
}

test('custom resources that keep every CEL rule validate cleanly', async () => {
  const dir = celProject('valid.yaml');
  const r = await run(['validate', '-c', join(dir, 'federation.yaml')], dir);
  assert.is(
    r.stderr
      .split('\n')
      .filter((l) => / (error|warning): /.test(l))
      .join('\n'),
    '',
  );
  assert.is(r.code, 0);
});

test('each CEL violation is an error at its field with the rule message, and nothing else', async () => {
  const dir = celProject('broken.yaml');
  const r = await run(['validate', '-c', join(dir, 'federation.yaml')], dir);
  assert.is(r.code, 1);
  const lines = readFileSync(join(FIXTURES, 'cel', 'broken.yaml'), 'utf8').split('\n');
  const expected = lines.flatMap((l, i) => {
    const m = / # expect: (.*)$/.exec(l);
    return m ? [`manifests/broken.yaml:${i + 1} ${m[1]}`] : [];
  });
  const found = r.stderr
    .split('\n')
    .filter((l) => / error: /.test(l))
    .map((l) => {
      const m = /^(manifests\/broken\.yaml):(\d+):\d+: error: .*?: ([^:]*(?::[^:]*)*?) \[CEL_RULE\]$/.exec(l);
      return m ? `${m[1]}:${m[2]}` : l;
    });
  for (const e of expected) {
    const [where, ...msg] = e.split(' ');
    assert.ok(
      r.stderr
        .split('\n')
        .some((l) => l.startsWith(where + ':') && l.includes(msg.join(' ')) && l.endsWith('[CEL_RULE]')),
      `expected at ${where}: ${msg.join(' ')}\n${r.stderr}`,
    );
  }
  // One error per marker, except the two rules broken by one ReplaceFullPath path.
  assert.is(found.length, expected.length + 1, r.stderr);
  assert.ok(
    found.every((f) => expected.some((e) => e.startsWith(f + ' '))),
    r.stderr,
  );
});

test('transition rules and unknown functions are skipped with one warning per CRD', async () => {
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
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
              x-kubernetes-validations:
                - rule: self.size == oldSelf.size
                  message: size is immutable
                - rule: isCIDR(self.network)
                - rule: self.size <= 10
                  message: size must be at most 10
              properties:
                size: {type: integer}
                network: {type: string}
`;
  const dir = project({
    'federation.yaml':
      'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n  - name: eu-1\nresources: [manifests/*.yaml]\n',
    'manifests/crd.yaml': crd,
    'manifests/widgets.yaml':
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: a, namespace: default}\nspec: {size: 12, network: 10.0.0.0/8}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: b, namespace: default}\nspec: {size: 3, network: 10.0.0.0/8}\n',
  });
  const r = await run(['validate', '-c', join(dir, 'federation.yaml')], dir);
  assert.is(r.code, 1);
  const warnings = r.stderr.split('\n').filter((l) => l.includes('warning:'));
  assert.is(warnings.length, 1, r.stderr);
  assert.match(
    warnings[0] ?? '',
    /^manifests\/crd\.yaml:19:\d+: warning: .*2 of 3 CEL rules are not checked: 1 .*oldSelf.*; 1 .*\(isCIDR\)/,
  );
  assert.match(
    r.stderr,
    /manifests\/widgets\.yaml:4:\d+: error: Widget default\/a: \/spec: size must be at most 10 \[CEL_RULE\]/,
  );
  assert.not.match(r.stderr, 'Widget default/b');
});

test('Kubernetes CEL libraries: lists, strings, regex, URL, IP and quantity', () => {
  const env = kubernetesCelEnvironment();
  const cases = [
    '[1, 2, 3].isSorted() && [3, 1].sum() == 4 && [3, 1].min() == 1 && [3, 1].max() == 3',
    "['a', 'b', 'a'].indexOf('a') == 0 && ['a', 'b', 'a'].lastIndexOf('a') == 2",
    "'abc'.charAt(1) == 'b' && 'a-b-c'.replace('-', '.') == 'a.b.c' && 'AbC'.lowerAscii() == 'abc'",
    "'v1.2.3'.find('[0-9]+') == '1' && 'v1.2.3'.findAll('[0-9]+').size() == 3 && 'a1b2'.findAll('[0-9]', 1) == ['1']",
    "isURL('https://example.com:8443/a?x=1&x=2') && url('https://example.com:8443/a?x=1').getHostname() == 'example.com'",
    "url('https://example.com:8443/a').getPort() == '8443' && url('https://example.com').getEscapedPath() == ''",
    "url('/api?x=1&x=2').getQuery()['x'] == ['1', '2'] && !isURL('example.com/a')",
    "isIP('10.0.0.1') && isIP('2001:db8::1') && !isIP('example.com') && !isIP('01.2.3.4') && !isIP('fe80::1%eth0') && !isIP('::ffff:1.2.3.4')",
    "quantity('1Gi').isGreaterThan(quantity('1000Mi')) && quantity('500m').compareTo(quantity('0.5')) == 0",
    "isQuantity('1.5e3') && !isQuantity('1 core') && !isQuantity('128MiB') && quantity('2k').asInteger() == 2000",
    "quantity('1').add(quantity('500m')).asApproximateFloat() == 1.5 && quantity('-1').sign() == -1 && quantity('1.5').isInteger() == false",
  ];
  for (const c of cases) assert.is(env.evaluate(c), true, c);
});

test('rules see integers as CEL ints, schema defaults and escaped property names', () => {
  const rules = compileCelRules({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        'x-kubernetes-validations': [
          { rule: 'self.replicas == 1 && self.mode == "auto"', message: 'defaults apply' },
          {
            rule: "self.__namespace__ == 'shop' && self.tls__dash__mode == 'strict'",
            message: 'escaped names',
          },
          { rule: "self.labels['app.kubernetes.io/name'] == 'web'", message: 'map keys as written' },
        ],
        properties: {
          replicas: { type: 'integer' },
          mode: { type: 'string', default: 'auto' },
          namespace: { type: 'string' },
          'tls-mode': { type: 'string' },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  })!;
  const failures: string[] = [];
  rules.check(
    {
      spec: {
        replicas: 1,
        namespace: 'shop',
        'tls-mode': 'strict',
        labels: { 'app.kubernetes.io/name': 'web' },
      },
    },
    (path, message) => failures.push(`${path.join('.')}: ${message}`),
  );
  assert.equal(failures, []);
});

test.run();
