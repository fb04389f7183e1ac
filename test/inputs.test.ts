// Hostile and mistaken inputs: YAML aliases, globs, symlinks, open-file limits, and the CLI's
// last-resort handler. Each gives a diagnostic at its line (or exit 70 for a bug), never a trace.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli.js';
import { deployment, federation, project, readTree, ROOT, run, tempDir } from './helpers.js';

const CLUSTER = '  - name: fedhost';
const FED = federation(CLUSTER);
const TRACE = /\n\s+at .*:\d+:\d+/;

/** Diagnostic lines as `file:line:col severity RULE`. */
function diags(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /: (error|warning): /.test(l))
    .map((l) => l.replace(/: (error|warning): .*\[(\w+)\]$/, ' $1 $2'));
}

function configMap(body: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n${body}`;
}

test('an alias before (or without) its anchor is an error at the alias, in manifests and federation.yaml', async () => {
  const dir = project({
    'federation.yaml': FED + 'defaults: {namespace: *ns}\n',
    'manifests/a.yaml': configMap('data: {a: *x, b: &x y}\n'),
  });
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  assert.equal(diags(r.stderr), ['federation.yaml:7:23 error YAML_ALIAS']);
  const fixed = await run(['build'], project({ 'federation.yaml': FED }, dir));
  assert.is(fixed.code, 1);
  assert.equal(diags(fixed.stderr), ['manifests/a.yaml:4:11 error YAML_ALIAS']);
  assert.not.match(r.stderr + fixed.stderr, TRACE);
  assert.not.ok(existsSync(join(dir, 'rendered')));
});

test('join and unjoin refuse a federation.yaml with a dangling alias at its line, and leave it alone', async () => {
  const text = FED + 'defaults: {namespace: *ns}\n';
  const dir = project({ 'federation.yaml': text });
  for (const argv of [
    ['join', 'member1'],
    ['unjoin', 'fedhost'],
  ]) {
    const r = await run(argv, dir);
    assert.is(r.code, 1);
    assert.match(r.stderr, /^fedrender: federation\.yaml:7:23: alias \*ns .* \[YAML_ALIAS\]$/m);
    assert.is(readFileSync(join(dir, 'federation.yaml'), 'utf8'), text);
  }
});

test('a recursive alias is an error at the alias', async () => {
  const dir = project({ 'federation.yaml': FED, 'manifests/a.yaml': configMap('data: &d {a: b, c: *d}\n') });
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  assert.equal(diags(r.stderr), ['manifests/a.yaml:4:20 error YAML_ALIAS']);
});

test('hundreds of aliases in an honest document render; an alias bomb is refused at its line', async () => {
  const many = Array.from({ length: 300 }, (_, i) => `  k${i}: *v\n`).join('');
  const dir = project({
    'federation.yaml': FED,
    'manifests/a.yaml': configMap(`data:\n  v: &v value\n${many}`),
  });
  const ok = await run(['build'], dir);
  assert.is(ok.code, 0, ok.stderr);
  const out = readFileSync(join(dir, 'rendered/fedhost/default/configmap-c.yaml'), 'utf8');
  assert.match(out, /k299: value/);
  assert.not.match(out, /[&*]v\b/);

  let lol = 'data:\n  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let prev = 'a';
  for (const c of 'bcdefghi') {
    lol += `  ${c}: &${c} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    prev = c;
  }
  const bomb = project({ 'federation.yaml': FED, 'manifests/a.yaml': configMap(lol) });
  const r = await run(['build'], bomb);
  assert.is(r.code, 1);
  assert.equal(diags(r.stderr), ['manifests/a.yaml:10:10 error YAML_LIMIT']);
  assert.not.match(r.stderr, TRACE);
});

test('nesting beyond the limit is an error at its line, however deep', async () => {
  for (const depth of [300, 100_000]) {
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    const dir = project({ 'federation.yaml': FED, 'manifests/a.yaml': configMap(`data: {a: ${deep}}\n`) });
    const r = await run(['build'], dir);
    assert.is(r.code, 1);
    const lines = diags(r.stderr).filter((l) => l.includes(' error '));
    assert.ok(
      lines.length > 0 && lines.every((l) => /^manifests\/a\.yaml:4:\d+ error YAML_LIMIT$/.test(l)),
      r.stderr,
    );
  }
});

test('a pattern that matches no file is an error at its line; a leading ? makes it optional', async () => {
  const typo = project({
    'federation.yaml': federation(CLUSTER).replace('manifests/**/*.yaml', 'manifests/**/*.yml'),
    'manifests/a.yaml': deployment(),
  });
  const r = await run(['build'], typo);
  assert.is(r.code, 1);
  assert.equal(diags(r.stderr), ['federation.yaml:6:5 error RESOURCE_GLOB']);
  assert.match(r.stderr, /"manifests\/\*\*\/\*\.yml" matched no file/);

  const optional = project({
    'federation.yaml': FED + '  - "?extra/**/*.yaml"\n',
    'manifests/a.yaml': deployment(),
  });
  for (const argv of [['build'], ['build', '--strict']]) {
    const ok = await run(argv, optional);
    assert.is(ok.code, 0, ok.stderr);
    assert.equal(diags(ok.stderr), []);
  }

  const excluded = project({
    'federation.yaml': FED + '  - "!manifests/a.yaml"\n',
    'manifests/a.yaml': deployment(),
  });
  const ex = await run(['validate'], excluded);
  assert.is(ex.code, 1);
  assert.match(ex.stderr, /federation\.yaml:6:5: error: .* matched only files that a "!" pattern excludes/);
  const both = await run(['validate'], project({ 'federation.yaml': FED + '  - "?!x"\n' }, excluded));
  assert.equal(diags(both.stderr), ['federation.yaml:7:5 error RESOURCE_GLOB']);
});

test('node_modules and dot-folders are matched only when a pattern names them', async () => {
  const cm = (name: string) => configMap('').replace('name: c', `name: ${name}`);
  const files = {
    'manifests/a.yaml': cm('a'),
    'manifests/node_modules/pkg/b.yaml': cm('b'),
    'manifests/.cache/c.yaml': cm('c'),
    'manifests/.d.yaml': cm('d'),
  };
  const wild = project({ 'federation.yaml': FED, ...files });
  assert.is((await run(['build'], wild)).code, 0);
  assert.equal(Object.keys(readTree(join(wild, 'rendered/fedhost/default'))), ['configmap-a.yaml']);
  const named = project({
    'federation.yaml': FED + '  - manifests/node_modules/**/*.yaml\n  - manifests/.cache/*.yaml\n',
    ...files,
  });
  assert.is((await run(['build'], named)).code, 0);
  assert.equal(Object.keys(readTree(join(named, 'rendered/fedhost/default'))), [
    'configmap-a.yaml',
    'configmap-b.yaml',
    'configmap-c.yaml',
  ]);
});

test('NUL bytes and over-long patterns or paths are errors at their line', async () => {
  const long = 'm/' + 'a'.repeat(70_000) + '/*.yaml';
  const dir = project({
    'federation.yaml': FED + `  - "bad\\0glob/*.yaml"\n  - ${long}\noutput: {dir: "out\\0put"}\n`,
    'manifests/a.yaml': deployment(),
  });
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  assert.equal(diags(r.stderr), [
    'federation.yaml:7:5 error SCHEMA',
    'federation.yaml:8:5 error SCHEMA',
    'federation.yaml:9:15 error SCHEMA',
  ]);
  assert.ok(r.stderr.length < 2000, 'the long pattern is not echoed whole');
  const o = await run(
    ['build', '-o', 'out\0put'],
    project({ 'federation.yaml': FED, 'manifests/a.yaml': deployment() }),
  );
  assert.is(o.code, 2);
  assert.match(o.stderr, /^fedrender: -o: a path cannot hold a NUL character$/m);
});

test('every matched file must stay inside the project: braces, symlinked files and folders', async () => {
  const outside = project({ 'o.yaml': configMap('').replace('name: c', 'name: outside') });
  const dir = project({
    'federation.yaml': FED + `  - "{${outside}/o.yaml,manifests/a.yaml}"\n`,
    'manifests/a.yaml': deployment(),
  });
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  assert.equal(diags(r.stderr), ['federation.yaml:7:5 error RESOURCE_GLOB']);
  assert.match(r.stderr, /matches a file outside the federation folder/);

  // A symlinked manifest inside the project is followed; one that leaves it is refused.
  const linked = project({ 'federation.yaml': FED, 'shared/cm.yaml': configMap('') });
  mkdirSync(join(linked, 'manifests'));
  symlinkSync('../shared/cm.yaml', join(linked, 'manifests/cm.yaml'));
  const ok = await run(['build'], linked);
  assert.is(ok.code, 0, ok.stderr);
  assert.ok(existsSync(join(linked, 'rendered/fedhost/default/configmap-c.yaml')));
  symlinkSync(join(outside, 'o.yaml'), join(linked, 'manifests/o.yaml'));
  const out = await run(['build'], linked);
  assert.is(out.code, 1);
  assert.match(
    out.stderr,
    /^federation\.yaml:6:5: error: .* outside the federation folder: manifests\/o\.yaml/m,
  );

  // A symlinked folder that points outside is refused, whether named or walked into by a folder pattern.
  const folder = project({ 'federation.yaml': FED.replace('manifests/**/*.yaml', 'manifests') });
  symlinkSync(outside, join(folder, 'manifests'));
  const f = await run(['build'], folder);
  assert.is(f.code, 1);
  assert.match(f.stderr, /^federation\.yaml:6:5: error: .* outside the federation folder/m);
  assert.not.ok(existsSync(join(folder, 'rendered')));
});

test('a symlink loop under a wildcard does not hang the build', async () => {
  const dir = project({ 'federation.yaml': FED, 'manifests/a.yaml': deployment() });
  mkdirSync(join(dir, 'manifests/sub'));
  symlinkSync('..', join(dir, 'manifests/sub/loop'));
  symlinkSync('..', join(dir, 'manifests/sub/loop2'));
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
});

test('3,000 manifests build under an open-file limit of 256 (spawned)', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'manifests'));
  writeFileSync(join(dir, 'federation.yaml'), FED);
  for (let i = 0; i < 3000; i++)
    writeFileSync(
      join(dir, `manifests/c${i}.yaml`),
      configMap('data: {a: b}\n').replace('name: c', `name: c${i}`),
    );
  const bin = join(ROOT, 'bin/fedrender.js');
  const r = spawnSync('bash', ['-c', `ulimit -n 256 && node ${JSON.stringify(bin)} build`], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /1 cluster, 3001 files in rendered/);
});

test('an unexpected exception is one line, exit 70, its stack only with FEDRENDER_DEBUG=1', async () => {
  const boom = (env: Record<string, string>) => {
    let stderr = '';
    const io = {
      stdout: () => {
        throw new Error('disk on fire\nsecond line');
      },
      stderr: (t: string) => (stderr += t),
      cwd: ROOT,
      env,
    };
    return main(['schema'], io).then((code) => ({ code, stderr }));
  };
  const quiet = await boom({});
  assert.is(quiet.code, 70);
  assert.is(quiet.stderr, 'fedrender: internal error: disk on fire (please report)\n');
  const debug = await boom({ FEDRENDER_DEBUG: '1' });
  assert.is(debug.code, 70);
  assert.match(debug.stderr, TRACE);
});

test('override paths through __proto__ or constructor/prototype are errors at the operation, and pollute nothing', async () => {
  const dir = project({
    'federation.yaml':
      FED +
      `overrides:
  - match: {kinds: [ConfigMap]}
    overrides:
      - clusterName: fedhost
        clusterOverrides:
          - {path: /__proto__/polluted, value: "yes"}
          - {path: /constructor/prototype/polluted, value: "yes"}
          - {path: /metadata/annotations, op: merge, value: {__proto__: {polluted: "yes"}}}
`,
    'manifests/a.yaml':
      configMap('data: {__proto__: kept}\n') +
      `---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata: {name: d, namespace: default}
spec:
  template: {data: {a: b}}
  placement: {clusters: [{name: fedhost}]}
  overrides:
    - clusterName: fedhost
      clusterOverrides:
        - {path: /metadata/__proto__/polluted, value: "yes"}
`,
  });
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  // The merge's __proto__ key is an ordinary (and here invalid) annotation at its operation.
  const lines = diags(r.stderr).filter((l) => l.includes(' error '));
  assert.equal(
    lines.filter((l) => !l.startsWith('federation.yaml:14:13 ')),
    [
      'federation.yaml:12:20 error INVALID_PATCH',
      'federation.yaml:13:20 error INVALID_PATCH',
      'manifests/a.yaml:15:18 error INVALID_PATCH',
    ],
  );
  assert.ok(lines.includes('federation.yaml:14:13 error SCHEMA'));
  assert.not.match(r.stderr, TRACE);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  assert.is(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
});
test('more than 10,000 aliases in one document is an error at the first one over', async () => {
  const many = Array.from({ length: 10_001 }, (_, i) => `  k${i}: *v\n`).join('');
  const dir = project({ 'federation.yaml': FED, 'manifests/a.yaml': configMap(`data:\n  v: &v x\n${many}`) });
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  assert.equal(diags(r.stderr), ['manifests/a.yaml:10006:11 error YAML_LIMIT']);
});

test('a mapping used as a key is an error at the key, not a process warning', async () => {
  const warnings: unknown[] = [];
  const listen = (w: Error) => warnings.push(w);
  process.on('warning', listen);
  try {
    const dir = project({
      'federation.yaml': FED,
      'manifests/a.yaml': configMap('data:\n  ? {a: b}\n  : c\n'),
    });
    const r = await run(['build'], dir);
    assert.is(r.code, 1);
    assert.equal(diags(r.stderr), ['manifests/a.yaml:5:5 error YAML_SYNTAX']);
  } finally {
    // A warning is emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', listen);
  }
  assert.equal(warnings, []);
});

test('a 253-character name and a very long kind build, and their files stay in the output', async () => {
  const name = 'a'.repeat(253);
  const dir = project({
    'federation.yaml': FED + 'validation: {ignoreMissingSchemas: true}\n',
    'manifests/a.yaml': configMap('').replace('name: c', `name: ${name}`),
    'manifests/b.yaml': `apiVersion: x.io/v1\nkind: K${'k'.repeat(300)}\nmetadata: {name: ${name}, namespace: default}\n`,
  });
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, TRACE);
  const files = Object.keys(readTree(join(dir, 'rendered/fedhost/default')));
  assert.is(files.length, 2);
});

// Found by the fuzz test (seed 20261201, run 840): a KubeFed selector that is not a mapping was
// evaluated for placement before its schema error was reported, and crashed the run.
test('a clusterSelector that is not a mapping is a schema error, not an internal error', async () => {
  const dir = project({
    'federation.yaml': FED,
    'manifests/ns.yaml':
      'apiVersion: types.kubefed.io/v1beta1\nkind: FederatedNamespace\nmetadata: {name: shop, namespace: shop}\n' +
      'spec:\n  placement:\n    clusterSelector: -1\n',
  });
  const r = await run(['build', '-c', join(dir, 'federation.yaml')], dir);
  assert.is(r.code, 1, r.stderr);
  assert.not.match(r.stderr, 'internal error');
  assert.match(
    r.stderr,
    /manifests\/ns\.yaml:6:22: error: .*clusterSelector: expected object or null, found number -1 \[SCHEMA\]/,
  );
});

test.run();
