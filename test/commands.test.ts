// plan and explain, end to end from the CLI on the seed 003 example and a scheduled project.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EXAMPLES, project, run } from './helpers.js';

const SEED3 = join(EXAMPLES, 'kubefed-overrides', 'federation.yaml');

test('plan prints the resources x clusters matrix with replicas', async () => {
  const r = await run(['plan', '-c', SEED3]);
  assert.is(r.code, 0, r.stderr);
  assert.is(
    r.stdout,
    'RESOURCE                                   host  jskim  TOTAL\n' +
      'Deployment/test-namespace/test-deployment     5      3      8\n' +
      'Namespace/test-namespace                      ✓      ✓\n',
  );
});

test('plan --format json gives the same matrix as data', async () => {
  const r = await run(['plan', '-c', SEED3, '--format', 'json']);
  assert.is(r.code, 0, r.stderr);
  const data = JSON.parse(r.stdout);
  assert.equal(data.clusters, ['host', 'jskim']);
  assert.equal(data.resources[0].clusters, { host: 5, jskim: 3 });
  assert.equal(data.resources[1].clusters, { host: true, jskim: true });
});

test('plan wraps clusters that do not fit the width into further tables', async () => {
  const clusters = Array.from(
    { length: 24 },
    (_, i) => `  - name: cluster-${String(i).padStart(2, '0')}`,
  ).join('\n');
  const dir = project({
    'federation.yaml': `apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n${clusters}\nresources: [m.yaml]\nreplicaScheduling:\n  - match: {kinds: [Deployment]}\n    totalReplicas: 48\n`,
    'm.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: nginx}]}\n',
  });
  const r = await run(['plan'], dir);
  assert.is(r.code, 0, r.stderr);
  for (const line of r.stdout.split('\n')) assert.ok(line.length <= 100, `too wide: ${line}`);
  assert.ok(r.stdout.split('\n').filter((l) => l.startsWith('RESOURCE')).length >= 3);
  assert.match(r.stdout, /TOTAL\nDeployment\/default\/web .* 48\n$/);
});

test('explain tells placement and overrides per cluster with their lines', async () => {
  const r = await run(['explain', 'deployment/test-deployment', '-c', SEED3]);
  assert.is(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /placement: its own spec\.placement at kubefed\/deployment\.yaml:25:5: clusters \[host, jskim\] -> host, jskim/,
  );
  assert.match(
    r.stdout,
    /host: placed, replicas 5; overrides: \/spec\/replicas \(kubefed\/deployment\.yaml:31:7\)/,
  );
  assert.match(r.stdout, /jskim: placed, replicas 3\n/);
  assert.match(
    r.stdout,
    /namespace: test-namespace is rendered \(FederatedNamespace at kubefed\/namespace\.yaml:1:1\) in host, jskim/,
  );
});

test('explain: kind is case-insensitive; unknown objects and malformed arguments fail', async () => {
  assert.is(
    (await run(['explain', 'DEPLOYMENT/test-deployment', '-n', 'test-namespace', '-c', SEED3])).code,
    0,
  );
  const missing = await run(['explain', 'deployment/nope', '-c', SEED3]);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /no deployment\/nope among the inputs/);
  assert.is((await run(['explain', 'deployment', '-c', SEED3])).code, 2);
});

test('init writes a starter that validates once a cluster is joined; join and unjoin keep comments', async () => {
  const { readFileSync, mkdirSync, writeFileSync } = await import('node:fs');
  const dir = project({});
  assert.is((await run(['init'], dir)).code, 0);
  assert.is((await run(['init'], dir)).code, 1, 'init never overwrites');
  assert.is(
    (await run(['join', 'fedhost', '--label', 'region=ap', '--server', 'https://fedhost:6443'], dir)).code,
    0,
  );
  assert.is((await run(['join', 'member1', '--label', 'region=eu'], dir)).code, 0);
  const dup = await run(['join', 'member1'], dir);
  assert.is(dup.code, 1);
  assert.match(dup.stderr, /already joined/);
  assert.is((await run(['join', 'Bad_Name'], dir)).code, 1);
  assert.is((await run(['join', 'x', '--label', 'novalue'], dir)).code, 2);
  const text = readFileSync(join(dir, 'federation.yaml'), 'utf8');
  assert.match(text, /^# fedrender federation/);
  assert.match(text, /- name: member1\n    labels: \{region: eu\}\n/);
  mkdirSync(join(dir, 'manifests'));
  writeFileSync(join(dir, 'manifests/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
  const built = await run(['build'], dir);
  assert.is(built.code, 0, built.stderr);
  const un = await run(['unjoin', 'fedhost'], dir);
  assert.is(un.code, 0);
  assert.not.match(readFileSync(join(dir, 'federation.yaml'), 'utf8'), /fedhost/);
  assert.is((await run(['unjoin', 'fedhost'], dir)).code, 1);
  assert.is((await run(['build'], dir)).code, 0);
  const { existsSync } = await import('node:fs');
  assert.not.ok(existsSync(join(dir, 'rendered/fedhost')));
});

test.run();
