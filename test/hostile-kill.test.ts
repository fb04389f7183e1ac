// kill -9 of a real build at several moments (while compiling, while it holds the lock, while
// it writes temporary files, while it renames them): the tree is then exactly the old output or
// exactly the new one once the journal is replayed, and the next build is not blocked by the
// dead build's lock for more than a few seconds.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { realFs, recover } from '../src/write/index.js';
import { project, ROOT, tempDir } from './helpers.js';
import { snapshot } from './write-helpers.js';

const BIN = join(ROOT, 'bin/fedrender.js');
const FED =
  'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n  - name: east\n  - name: west\nresources:\n  - manifests/*.yaml\n';
const manifests = (v: string, n = 150) =>
  Array.from(
    { length: n },
    (_, i) =>
      `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\n  namespace: default\ndata:\n  v: "${v}"\n`,
  ).join('');

function buildSync(cwd: string): { code: number | null; ms: number; stderr: string } {
  const t = Date.now();
  const r = spawnSync(process.execPath, [BIN, 'build'], { cwd, encoding: 'utf8' });
  return { code: r.status, ms: Date.now() - t, stderr: r.stderr };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a build and SIGKILLs it as soon as `when` holds (polled every 2 ms), or at the end. */
async function killWhen(cwd: string, when: () => boolean): Promise<boolean> {
  const child = spawn(process.execPath, [BIN, 'build'], { cwd, stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => (exited = true));
  while (!exited && !when()) await sleep(2);
  const killed = !exited;
  child.kill('SIGKILL');
  while (!exited) await sleep(5);
  return killed;
}

test('kill -9 at several moments: old tree or new tree, and no lock stall', async () => {
  const base = project({ 'federation.yaml': FED, 'manifests/a.yaml': manifests('1') });
  assert.is(buildSync(base).code, 0);
  const old = snapshot(join(base, 'rendered'));
  writeFileSync(join(base, 'manifests/a.yaml'), manifests('2'));
  const ref = join(tempDir(), 'ref');
  cpSync(base, ref, { recursive: true });
  const normal = buildSync(ref);
  assert.is(normal.code, 0, normal.stderr);
  const fresh = snapshot(join(ref, 'rendered'));
  const out = (d: string) => join(d, 'rendered');
  const journal = (d: string) => join(out(d), '.fedrender-journal.json');
  const moments: [string, (d: string) => boolean][] = [
    ['holding the lock', (d) => existsSync(join(out(d), '.fedrender.lock'))],
    ['writing temporary files', (d) => existsSync(journal(d))],
    ['renaming', (d) => existsSync(journal(d)) && readFileSync(journal(d), 'utf8').includes('"commit"')],
  ];
  for (const [moment, when] of moments) {
    const dir = join(tempDir(), 'p');
    cpSync(base, dir, { recursive: true });
    const killed = await killWhen(dir, () => {
      try {
        return when(dir);
      } catch {
        return false;
      }
    });
    assert.is(await recover(realFs, [out(dir)]), undefined, moment);
    const tree = snapshot(out(dir));
    delete tree['.fedrender.lock'];
    const isOld = JSON.stringify(tree) === JSON.stringify(old);
    assert.equal(tree, isOld ? old : fresh, `killed ${killed ? 'while ' + moment : 'after the end'}`);
    const next = buildSync(dir);
    assert.is(next.code, 0, next.stderr);
    // The dead build's lock goes stale after 6 s; allow for a loaded machine around that.
    assert.ok(next.ms < normal.ms + 15_000, `next build took ${next.ms} ms (a normal one ${normal.ms} ms)`);
    assert.equal(snapshot(out(dir)), fresh, moment);
  }
});

test.run();
