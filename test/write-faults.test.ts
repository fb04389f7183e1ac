// The writer under injected faults: for every mutating step k of a build (temp files, journal,
// renames, deletes, folders), a failure at k leaves the tree exactly as it was (unowned files,
// empty folders and modes included, no temporary file left), with one error naming a path; a
// crash at k (every later call fails too) leaves a journal from which the next run restores
// exactly the old tree or exactly the new one.
import { chmodSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { build } from '../src/index.js';
import { realFs, recover } from '../src/write/index.js';
import { project, tempDir } from './helpers.js';
import { faultyFs, snapshot } from './write-helpers.js';

const CM = (name: string, ns: string, v: string) =>
  `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  v: "${v}"\n`;
const NS = (name: string) => `---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;
const FED = (clusters: string[]) =>
  `apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n${clusters.map((c) => `  - name: ${c}\n`).join('')}resources:\n  - manifests/*.yaml\n`;

/** A built project with the user's own things in its output, and a change that exercises every step. */
async function template(): Promise<{
  base: string;
  before: Record<string, string>;
  after: Record<string, string>;
}> {
  const base = project({
    'federation.yaml': FED(['east', 'west']),
    'manifests/a.yaml':
      NS('shop') + NS('old') + CM('a', 'shop', '1') + CM('b', 'shop', '1') + CM('gone', 'old', '1'),
  });
  const r = await build({ config: 'federation.yaml', cwd: base });
  assert.is(r.diagnostics.length, 0);
  mkdirSync(join(base, 'rendered/east/mine-empty'));
  writeFileSync(join(base, 'rendered/west/NOTES.md'), 'mine\n');
  chmodSync(join(base, 'rendered/east'), 0o700);
  const before = snapshot(join(base, 'rendered'));
  // The change: a edited, b unchanged, namespace old (and its folder) gone, a cluster added.
  const next = cpTemp(base);
  writeFileSync(join(next, 'federation.yaml'), FED(['east', 'north', 'west']));
  writeFileSync(join(next, 'manifests/a.yaml'), NS('shop') + CM('a', 'shop', '2') + CM('b', 'shop', '1'));
  const ok = await build({ config: 'federation.yaml', cwd: next });
  assert.equal(
    ok.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const after = snapshot(join(next, 'rendered'));
  assert.not.equal(after, before);
  writeFileSync(join(base, 'federation.yaml'), FED(['east', 'north', 'west']));
  writeFileSync(join(base, 'manifests/a.yaml'), NS('shop') + CM('a', 'shop', '2') + CM('b', 'shop', '1'));
  return { base, before, after };
}

function cpTemp(dir: string): string {
  const to = join(tempDir(), 'p');
  cpSync(dir, to, { recursive: true });
  return to;
}

test('the change under test keeps unowned things and changes only what it must', async () => {
  const { before, after } = await template();
  assert.is(after['east/mine-empty'], 'dir 0'.replace('0', '755'));
  assert.is(after['west/NOTES.md'], 'mine\n');
  assert.is(after['east'], 'dir 700');
  assert.not.ok('east/old' in after, 'the emptied owned folder is removed');
  assert.ok('north/kustomization.yaml' in after);
  assert.is(before['east/shop/configmap-b.yaml'], after['east/shop/configmap-b.yaml']);
});

// The steps after the commit point (renames, deletes, folder removals) are where the old writer
// failed "after the swap" with a trace although the new output was in place: here they undo.
test('a failure at any step leaves the old tree exactly, with one error naming a path', async () => {
  const { base, before } = await template();
  const counting = faultyFs(Number.MAX_SAFE_INTEGER);
  const probe = cpTemp(base);
  await build({ config: 'federation.yaml', cwd: probe, writerFs: counting.fs });
  const steps = counting.calls();
  assert.ok(steps > 10, `only ${steps} steps`);
  for (let k = 1; k <= steps; k++) {
    for (const code of ['ENOSPC', 'EACCES', 'EPERM']) {
      if (code !== 'ENOSPC' && k % 3 !== 0) continue;
      const dir = cpTemp(base);
      const r = await build({ config: 'federation.yaml', cwd: dir, writerFs: faultyFs(k, code).fs });
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      assert.is(errors.length, 1, `step ${k} ${code}: ${JSON.stringify(errors)}`);
      assert.is(errors[0]!.code, 'IO');
      assert.match(errors[0]!.message, new RegExp(`\\(${code}: `), errors[0]!.message);
      assert.not.match(errors[0]!.message, /\n|\.fr-[0-9a-f]+\.tmp|\s{4}at /);
      assert.equal(snapshot(join(dir, 'rendered')), before, `step ${k} ${code}`);
    }
  }
});

test('a crash at any step is rolled back or forward by the next run: old tree or new tree, nothing else', async () => {
  const { base, before, after } = await template();
  const counting = faultyFs(Number.MAX_SAFE_INTEGER);
  await build({ config: 'federation.yaml', cwd: cpTemp(base), writerFs: counting.fs });
  const seen = new Set<string>();
  for (let k = 1; k <= counting.calls(); k++) {
    const dir = cpTemp(base);
    await build({ config: 'federation.yaml', cwd: dir, writerFs: faultyFs(k, 'EIO', true).fs });
    assert.is(await recover(realFs, [join(dir, 'rendered')]), undefined);
    const tree = snapshot(join(dir, 'rendered'));
    const which = JSON.stringify(tree) === JSON.stringify(before) ? 'old' : 'new';
    assert.equal(tree, which === 'old' ? before : after, `crash at step ${k}`);
    seen.add(which);
    // And the next build lands the new tree.
    const r = await build({ config: 'federation.yaml', cwd: dir });
    assert.is(r.diagnostics.filter((d) => d.severity === 'error').length, 0);
    assert.equal(snapshot(join(dir, 'rendered')), after, `rebuild after crash at step ${k}`);
  }
  assert.equal([...seen].sort(), ['new', 'old'], 'crashes both before and after the commit point');
});

test('a no-op rebuild makes no mutating call at all', async () => {
  const { base } = await template();
  await build({ config: 'federation.yaml', cwd: base });
  const counting = faultyFs(Number.MAX_SAFE_INTEGER);
  const r = await build({ config: 'federation.yaml', cwd: base, writerFs: counting.fs });
  assert.is(r.changed, false);
  assert.is(counting.calls(), 0);
});

test.run();
