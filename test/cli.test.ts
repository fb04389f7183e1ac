// The CLI in-process: exit codes (0, 1, 2, 3), the three diagnostic formats, every problem in one
// run, no stack traces for user errors.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deployment, project, run } from './helpers.js';

const FED = `apiVersion: fedrender.io/v1alpha1
kind: Federation
clusters:
  - name: fedhost
    labels: {role: host}
  - name: member1
resources:
  - manifests/*.yaml
`;
const DEPLOY = deployment();

test('no command and unknown commands or options are usage errors (exit 2)', async () => {
  assert.is((await run([])).code, 2);
  const r = await run(['bulid']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /fedrender: /);
  assert.is((await run(['build', '--format', 'xml'])).code, 2);
  assert.is((await run(['build', '--no-such-flag'])).code, 2);
});

test('--help prints usage and exits 0', async () => {
  const r = await run(['--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /build/);
  assert.match(r.stdout, /validate/);
});

test('a missing federation file is an input error with a hint, not a stack trace', async () => {
  const dir = project({});
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^federation\.yaml:1:1: error: cannot read federation file: no such file \[IO\]/m);
  assert.not.match(r.stderr, /at .*\.js:\d+/);
});

test('every problem is reported in one run, sorted by file and line, with a summary', async () => {
  const dir = project({
    'federation.yaml':
      FED + 'placements:\n  - match: {kinds: [Deployment]}\n    placement: {clusters: [{name: membr1}]}\n',
    'manifests/a.yaml': DEPLOY,
    'manifests/b.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: [\n',
    'manifests/c.yaml': 'kind: ConfigMap\nmetadata: {name: d}\n',
  });
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  const lines = r.stderr.split('\n').filter((l) => /: (error|warning): /.test(l));
  assert.equal(
    lines.map((l) => l.replace(/: (error|warning): .*\[(\w+)\]$/, ' $1 $2')),
    [
      'federation.yaml:11:35 error UNKNOWN_CLUSTER',
      'manifests/b.yaml:5:1 error YAML_SYNTAX',
      'manifests/c.yaml:1:1 error INVALID_OBJECT',
    ],
  );
  assert.match(r.stderr, /did you mean "member1"\?/);
  assert.match(r.stderr, /fedrender build: 3 errors, 0 warnings; nothing written/);
});

test('--format github prints workflow commands with paths from the working directory', async () => {
  const dir = project({
    'proj/federation.yaml': FED.replace('fedhost', 'Bad_Name'),
    'proj/manifests/a.yaml': DEPLOY,
  });
  const r = await run(['validate', '-c', 'proj/federation.yaml', '--format', 'github'], dir);
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /^::error file=proj\/federation\.yaml,line=4,col=11::\/clusters\/0\/name: .* \[SCHEMA\]$/m,
  );
});

test('--format json prints an array of diagnostics on stdout', async () => {
  const dir = project({ 'federation.yaml': FED + 'outptu: {}\n', 'manifests/a.yaml': DEPLOY });
  const r = await run(['validate', '--format', 'json'], dir);
  assert.is(r.code, 1);
  const list = JSON.parse(r.stdout);
  assert.is(list.length, 1);
  assert.equal(
    { ...list[0], message: undefined },
    { code: 'SCHEMA', severity: 'error', message: undefined, file: 'federation.yaml', line: 9, column: 1 },
  );
  assert.match(list[0].message, /unknown field "outptu" \(did you mean "output"\?\)/);
});

test('validate writes nothing and exits 0 on a valid project', async () => {
  const dir = project({ 'federation.yaml': FED, 'manifests/a.yaml': DEPLOY });
  const r = await run(['validate'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /fedrender validate: valid: 2 clusters/);
  const { existsSync } = await import('node:fs');
  assert.not.ok(existsSync(join(dir, 'rendered')));
});

test('schema prints the federation.yaml JSON Schema', async () => {
  const r = await run(['schema']);
  assert.is(r.code, 0);
  const s = JSON.parse(r.stdout);
  assert.is(s.properties.kind.const, 'Federation');
});

test('-o overrides output.dir, relative to the working directory', async () => {
  const dir = project({ 'p/federation.yaml': FED, 'p/manifests/a.yaml': DEPLOY });
  const r = await run(['build', '-c', 'p/federation.yaml', '-o', 'out'], dir);
  assert.is(r.code, 0, r.stderr);
  const { existsSync } = await import('node:fs');
  assert.ok(existsSync(join(dir, 'out/fedhost/default/deployment-web.yaml')));
});

test('a folder in resources names its YAML and JSON files only, as kubectl apply -f DIR', async () => {
  const dir = project({
    'federation.yaml': FED.replace('  - manifests/*.yaml', '  - manifests'),
    'manifests/README.md': '# notes\n- not: yaml: at all\n',
    'manifests/deploy/web.yaml': DEPLOY,
    'manifests/cm.json': '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}',
  });
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  const { existsSync } = await import('node:fs');
  assert.ok(existsSync(join(dir, 'rendered/fedhost/default/deployment-web.yaml')));
  assert.ok(existsSync(join(dir, 'rendered/fedhost/default/configmap-c.yaml')));
});

test.run();
