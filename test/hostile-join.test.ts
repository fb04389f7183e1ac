// join/unjoin/init edit federation.yaml under a crash-safe lock: concurrent joins all land, a
// symlinked federation.yaml is followed (its target edited, the link kept), CRLF line endings
// and the file mode stay, and a lock left by a killed process delays an edit by seconds only.
import { spawn } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { project, ROOT, run } from './helpers.js';

const FED =
  'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n  - name: a\nresources:\n  - manifests/*.yaml\n';
const names = (text: string) => (parse(text) as { clusters: { name: string }[] }).clusters.map((c) => c.name);

function spawnJoin(cwd: string, name: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/fedrender.js'), 'join', name], { cwd });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

test('four concurrent joins (four processes) all land', async () => {
  const dir = project({ 'federation.yaml': FED });
  const results = await Promise.all(['b', 'c', 'd', 'e'].map((n) => spawnJoin(dir, n)));
  for (const r of results) assert.is(r.code, 0, r.stderr);
  assert.equal(names(readFileSync(join(dir, 'federation.yaml'), 'utf8')).sort(), ['a', 'b', 'c', 'd', 'e']);
});

test('four concurrent joins in one process all land too; a duplicate fails clearly', async () => {
  const dir = project({ 'federation.yaml': FED });
  const results = await Promise.all(['b', 'c', 'd', 'b'].map((n) => run(['join', n], dir)));
  assert.equal(results.map((r) => r.code).sort(), [0, 0, 0, 1]);
  assert.match(results.find((r) => r.code === 1)!.stderr, /cluster "b" is already joined/);
  assert.equal(names(readFileSync(join(dir, 'federation.yaml'), 'utf8')).sort(), ['a', 'b', 'c', 'd']);
});

test('join and unjoin follow a symlinked federation.yaml and edit its target', async () => {
  const dir = project({ 'conf/real.yaml': FED });
  symlinkSync('conf/real.yaml', join(dir, 'federation.yaml'));
  assert.is((await run(['join', 'b'], dir)).code, 0);
  assert.ok(lstatSync(join(dir, 'federation.yaml')).isSymbolicLink());
  assert.is(readlinkSync(join(dir, 'federation.yaml')), 'conf/real.yaml');
  assert.equal(names(readFileSync(join(dir, 'conf/real.yaml'), 'utf8')), ['a', 'b']);
  assert.is((await run(['unjoin', 'a'], dir)).code, 0);
  assert.ok(lstatSync(join(dir, 'federation.yaml')).isSymbolicLink());
  assert.equal(names(readFileSync(join(dir, 'conf/real.yaml'), 'utf8')), ['b']);
});

test('join keeps CRLF line endings and a 0600 mode', async () => {
  const dir = project({ 'federation.yaml': FED.replace(/\n/g, '\r\n') });
  chmodSync(join(dir, 'federation.yaml'), 0o600);
  assert.is((await run(['join', 'b', '--label', 'x=y'], dir)).code, 0);
  const text = readFileSync(join(dir, 'federation.yaml'), 'utf8');
  assert.not.match(text, /[^\r]\n/);
  assert.match(text, /- name: b\r\n/);
  assert.is(statSync(join(dir, 'federation.yaml')).mode & 0o777, 0o600);
  assert.is((await run(['unjoin', 'b'], dir)).code, 0);
  assert.is(readFileSync(join(dir, 'federation.yaml'), 'utf8'), FED.replace(/\n/g, '\r\n'));
  assert.is(statSync(join(dir, 'federation.yaml')).mode & 0o777, 0o600);
});

test('a lock left by a killed join is taken over within seconds', async () => {
  const dir = project({ 'federation.yaml': FED });
  mkdirSync(join(dir, 'federation.yaml.lock'));
  const t = Date.now();
  const r = await run(['join', 'b'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.ok(Date.now() - t < 15_000);
  assert.equal(names(readFileSync(join(dir, 'federation.yaml'), 'utf8')), ['a', 'b']);
});

test('init never overwrites, also when two run at once', async () => {
  const dir = project({});
  const rs = await Promise.all([run(['init'], dir), run(['init'], dir)]);
  assert.equal(rs.map((r) => r.code).sort(), [0, 1]);
  assert.match(readFileSync(join(dir, 'federation.yaml'), 'utf8'), /kind: Federation/);
});

test.run();
