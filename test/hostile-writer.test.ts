// The writer against a hostile or unusual disk, through the CLI: every reproduction of the
// "data loss and escape" list of the output-safety issue. Whatever is in the output folder that
// fedrender did not write (files, empty folders, modes, a .git, symlinks) survives any build;
// every refusal is one line naming the path, exit 1, and changes nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { build } from '../src/index.js';
import { commitWrite, planWrite, realFs, RECORD_FILE, type WriterFs } from '../src/write/index.js';
import { project, readTree, run, tempDir } from './helpers.js';
import { snapshot } from './write-helpers.js';

const FED = (clusters = ['east', 'west'], extra = '') =>
  `apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n${clusters.map((c) => `  - name: ${c}\n`).join('')}resources:\n  - manifests/*.yaml\n${extra}`;
const CM = (name: string, v = '1') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  v: "${v}"\n`;
const fresh = (extra = '') =>
  project({ 'federation.yaml': FED(undefined, extra), 'manifests/a.yaml': CM('a') });

/** One refusal: exit 1, the error line names `path`, no stack trace. */
function refused(r: { code: number; stderr: string }, path: RegExp): void {
  assert.is(r.code, 1, r.stderr);
  const errors = r.stderr.split('\n').filter((l) => /: error: /.test(l));
  assert.ok(errors.length >= 1, r.stderr);
  assert.ok(
    errors.some((l) => path.test(l)),
    r.stderr,
  );
  assert.not.match(r.stderr, /\n\s+at .*:\d+:\d+\)?\n/);
}

test('a regular file at the output path is refused and kept (rendered, and -o X)', async () => {
  const dir = fresh();
  writeFileSync(join(dir, 'rendered'), 'my notes\n');
  refused(await run(['build'], dir), /^rendered:1:1: error: rendered is a file, not a folder/);
  assert.is(readFileSync(join(dir, 'rendered'), 'utf8'), 'my notes\n');
  writeFileSync(join(dir, 'X'), 'x\n');
  refused(await run(['build', '-o', 'X'], dir), /^X:1:1: error: X is a file/);
  assert.is(readFileSync(join(dir, 'X'), 'utf8'), 'x\n');
});

test('unowned empty folders, folder modes and a git repository in the output survive builds', async () => {
  const dir = fresh();
  assert.is((await run(['build'], dir)).code, 0);
  const out = join(dir, 'rendered');
  execFileSync('git', ['init', '-q', out]);
  execFileSync('git', ['-C', out, 'add', '-A']);
  execFileSync('git', ['-C', out, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'r']);
  mkdirSync(join(out, 'east/empty-mine'));
  mkdirSync(join(out, 'empty-top'));
  chmodSync(join(out, 'east'), 0o700);
  chmodSync(out, 0o750);
  const git = snapshot(join(out, '.git'));
  // A change that adds, edits and deletes files.
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('a', '2') + '---\n' + CM('b'));
  let r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('b'));
  r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.equal(snapshot(join(out, '.git')), git, '.git untouched');
  assert.ok(statSync(join(out, 'east/empty-mine')).isDirectory());
  assert.ok(statSync(join(out, 'empty-top')).isDirectory());
  assert.is(statSync(join(out, 'east')).mode & 0o777, 0o700);
  assert.is(statSync(out).mode & 0o777, 0o750);
  assert.not.ok(existsSync(join(out, 'east/default/configmap-a.yaml')));
  // .git is reported once as a folder, not file by file.
  assert.match(r.stderr, /^rendered\/\.git\/:1:1: warning: not written by fedrender; left alone/m);
  assert.is(r.stderr.split('\n').filter((l) => l.includes('.git')).length, 1);
  execFileSync('git', ['-C', out, 'status', '--short']);
});

test('a symlinked output folder is followed, not replaced', async () => {
  const dir = fresh();
  const real = join(tempDir(), 'real-out');
  mkdirSync(real);
  symlinkSync(real, join(dir, 'rendered'));
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.ok(lstatSync(join(dir, 'rendered')).isSymbolicLink());
  assert.is(readlinkSync(join(dir, 'rendered')), real);
  assert.ok(existsSync(join(real, 'east/default/configmap-a.yaml')));
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('a', '3'));
  assert.is((await run(['build'], dir)).code, 0);
  assert.ok(lstatSync(join(dir, 'rendered')).isSymbolicLink());
  assert.match(readFileSync(join(real, 'east/default/configmap-a.yaml'), 'utf8'), /v: "3"/);
  // A symlink to nothing is refused, not replaced.
  const dangling = fresh();
  symlinkSync(join(real, 'missing'), join(dangling, 'rendered'));
  refused(await run(['build'], dangling), /^rendered:1:1: error: rendered is a symbolic link to nothing/m);
  assert.ok(lstatSync(join(dangling, 'rendered')).isSymbolicLink());
});

test('-o / and an output folder that contains federation.yaml (through a symlink too) are refused', async () => {
  const dir = fresh();
  refused(await run(['build', '-o', '/'], dir), /output directory \/ contains federation\.yaml/);
  symlinkSync(dir, join(dir, 'here'));
  refused(await run(['build', '-o', 'here'], dir), /contains federation\.yaml/);
  const cfg = project({
    'federation.yaml': FED(undefined, 'output:\n  dir: /\n'),
    'manifests/a.yaml': CM('a'),
  });
  refused(await run(['build'], cfg), /contains federation\.yaml/);
  assert.equal(readdirSync(dir).sort(), ['federation.yaml', 'here', 'manifests']);
  assert.equal(readdirSync(cfg).sort(), ['federation.yaml', 'manifests']);
});

test('an output folder that cannot be renamed or removed (a mount point) builds fine', async () => {
  // A mount point cannot be renamed or removed, and its parent may be read-only: simulated by
  // a file-system layer that refuses every change to the output folder itself and to its parent.
  const dir = fresh();
  const out = join(dir, 'rendered');
  mkdirSync(out);
  const guarded = (p: unknown) => p === out || p === dir || String(p).startsWith(`${dir}/rendered.`);
  const mountFs: WriterFs = {
    ...realFs,
    rename: (a, b) => (guarded(a) || guarded(b) ? Promise.reject(busy(a)) : realFs.rename(a, b)),
    rmdir: (p) => (guarded(p) ? Promise.reject(busy(p)) : realFs.rmdir(p)),
    mkdir: (p) => (guarded(p) ? Promise.reject(busy(p)) : realFs.mkdir(p)),
    writeFile: (p, t, m) => (guarded(p) ? Promise.reject(busy(p)) : realFs.writeFile(p, t, m)),
  };
  for (const v of ['1', '2']) {
    writeFileSync(join(dir, 'manifests/a.yaml'), CM('a', v));
    const r = await build({ config: 'federation.yaml', cwd: dir, writerFs: mountFs });
    assert.equal(r.diagnostics, []);
  }
  assert.match(readFileSync(join(out, 'west/default/configmap-a.yaml'), 'utf8'), /v: "2"/);
});

function busy(p: unknown): Error {
  return Object.assign(new Error(`EBUSY: ${String(p)}`), {
    code: 'EBUSY',
    path: String(p),
    syscall: 'rename',
  });
}

/** chattr +i where the file system has it (ext4 here); undone afterwards. */
function immutable(path: string, on: boolean): boolean {
  return spawnSync('chattr', [on ? '+i' : '-i', path]).status === 0;
}

test('a read-only or immutable folder: one line naming it, exit 1, nothing changed, no temp file', async () => {
  const dir = fresh();
  assert.is((await run(['build'], dir)).code, 0);
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('a', '5') + '---\n' + CM('c'));
  const out = join(dir, 'rendered');
  const before = snapshot(out);
  const folder = join(out, 'west/default');
  if (immutable(folder, true)) {
    try {
      refused(await run(['build'], dir), /rendered\/west\/default.*\((EPERM|EACCES)/);
      assert.equal(snapshot(out), before);
    } finally {
      immutable(folder, false);
    }
  }
  // The same with a file system that answers EROFS / EACCES for that folder (also where
  // chattr is missing, and for root, whom permission bits do not stop).
  for (const code of ['EROFS', 'EACCES']) {
    const deny = (p: unknown) => String(p).startsWith(folder + '/');
    const fs: WriterFs = {
      ...realFs,
      writeFile: (p, t, m) => (deny(p) ? Promise.reject(err(code, p)) : realFs.writeFile(p, t, m)),
    };
    const r = await build({ config: 'federation.yaml', cwd: dir, writerFs: fs });
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.is(errors.length, 1);
    assert.is(errors[0]!.file, 'rendered/west/default');
    assert.match(errors[0]!.message, new RegExp(`^cannot write into rendered/west/default \\(${code}: `));
    assert.equal(snapshot(out), before);
  }
});

function err(code: string, p: unknown): Error {
  return Object.assign(new Error(`${code}: ${String(p)}`), { code, path: String(p), syscall: 'open' });
}

test('a cluster folder that is a symlink is not written through', async () => {
  const dir = fresh();
  const elsewhere = tempDir();
  writeFileSync(join(elsewhere, 'keep.txt'), 'k\n');
  mkdirSync(join(dir, 'rendered'));
  symlinkSync(elsewhere, join(dir, 'rendered/east'));
  refused(await run(['build'], dir), /^rendered\/east:1:1: error: rendered\/east is a symbolic link/m);
  assert.equal(snapshot(elsewhere), { 'keep.txt': 'k\n' });
  assert.not.ok(existsSync(join(dir, 'rendered/west')));
});

test('a corrupt or conflict-marked ownership record is an error at its line, and nothing changes', async () => {
  const dir = fresh();
  assert.is((await run(['build'], dir)).code, 0);
  const record = join(dir, 'rendered/.fedrender-owned.yaml');
  const text = readFileSync(record, 'utf8');
  const lines = text.split('\n');
  const conflicted = [
    ...lines.slice(0, 6),
    '<<<<<<< HEAD',
    ...lines.slice(6, 8),
    '=======',
    '>>>>>>> other',
    ...lines.slice(8),
  ].join('\n');
  writeFileSync(record, conflicted);
  const before = snapshot(join(dir, 'rendered'));
  refused(
    await run(['build'], dir),
    /^rendered\/\.fedrender-owned\.yaml:7:1: error: the ownership record has a merge conflict marker/m,
  );
  writeFileSync(record, text.replace('east/kustomization.yaml', '../../etc/passwd'));
  refused(
    await run(['build'], dir),
    /^rendered\/\.fedrender-owned\.yaml:\d+:1: error: the ownership record is damaged: "\.\.\/\.\.\/etc\/passwd"/m,
  );
  writeFileSync(record, '\u0000\u0001garbage: [\n');
  refused(
    await run(['build'], dir),
    /^rendered\/\.fedrender-owned\.yaml:1:1: error: the ownership record is damaged/m,
  );
  writeFileSync(record, conflicted);
  assert.equal(snapshot(join(dir, 'rendered')), before);
});

test('the 0.1 record (paths with sha256) is still read, and replaced by the new one', async () => {
  const dir = fresh();
  assert.is((await run(['build'], dir)).code, 0);
  const legacy =
    '# Written by fedrender: the files it owns in this directory. It deletes only these.\napiVersion: fedrender.io/v1alpha1\nkind: OwnedFiles\nfiles:\n' +
    [
      'east/default/configmap-a.yaml',
      'east/kustomization.yaml',
      'west/default/configmap-a.yaml',
      'west/kustomization.yaml',
    ]
      .map((p) => `- path: ${p}\n  sha256: 00\n`)
      .join('');
  writeFileSync(join(dir, 'rendered/.fedrender-owned.yaml'), legacy);
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('b'));
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.not.ok(existsSync(join(dir, 'rendered/east/default/configmap-a.yaml')), 'owned by the old record');
  assert.match(readFileSync(join(dir, 'rendered/.fedrender-owned.yaml'), 'utf8'), /^files: \|$/m);
});

test('planning keeps the old text of changed and stale files only, and makes each text once', async () => {
  // A rebuild that changes nothing (--check in CI, a build without its cache) used to hold every
  // old text at once: 1 GB at 10,000 x 50.
  const out = join(tempDir(), 'out');
  const first = ['x', 'y', 'z'].map((n) => ({ path: `a/${n}.yaml`, content: `${n}: 1\n` }));
  await commitWrite(realFs, await planWrite(realFs, [{ dir: out, files: first, reportUnowned: true }]));
  let made = 0;
  const file = (path: string, text: string) => ({
    path,
    get content() {
      made++;
      return text;
    },
  });
  const files = [file('a/x.yaml', 'x: 1\n'), file('a/y.yaml', 'y: 2\n')];
  const plan = await planWrite(realFs, [{ dir: out, files, reportUnowned: true }]);
  const current = plan.trees[0]!.current;
  assert.equal([...current].filter(([p]) => p !== RECORD_FILE).sort(), [
    ['a/y.yaml', 'y: 1\n'],
    ['a/z.yaml', 'z: 1\n'],
  ]);
  assert.is(made, 2, 'each new text made once, for the comparison and the write');
  assert.equal(
    plan.writes.map((w) => [w.path, w.content]),
    [
      ['a/y.yaml', 'y: 2\n'],
      [RECORD_FILE, plan.recordText],
    ],
  );
  await commitWrite(realFs, plan);
  assert.equal(readTree(out), {
    [RECORD_FILE]: plan.recordText,
    'a/x.yaml': 'x: 1\n',
    'a/y.yaml': 'y: 2\n',
  });
});

test('build --check never writes, not even to finish an interrupted build', async () => {
  const dir = fresh();
  assert.is((await run(['build'], dir)).code, 0);
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('a', '4'));
  // A build killed after its commit point left a journal and a temp file.
  const { faultyFs } = await import('./write-helpers.js');
  const probe = faultyFs(Number.MAX_SAFE_INTEGER);
  const copy = join(tempDir(), 'p');
  execFileSync('cp', ['-a', dir, copy]);
  await build({ config: 'federation.yaml', cwd: copy, writerFs: probe.fs });
  // Crash just after the journal says "commit" (the renames come next).
  for (let k = 1; k <= probe.calls(); k++) {
    const d = join(tempDir(), 'p');
    execFileSync('cp', ['-a', dir, d]);
    await build({ config: 'federation.yaml', cwd: d, writerFs: faultyFs(k, 'EIO', true).fs });
    if (!existsSync(join(d, 'rendered/.fedrender-journal.json'))) continue;
    const before = snapshot(join(d, 'rendered'));
    const r = await run(['build', '--check'], d);
    assert.is(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /^rendered\/\.fedrender-journal\.json:1:1: warning: a build was interrupted here/m,
    );
    assert.equal(snapshot(join(d, 'rendered')), before, `--check after a crash at step ${k}`);
  }
});

test('a stale lock left by a killed build is taken over within seconds; a live one is waited for', async () => {
  const dir = fresh();
  assert.is((await run(['build'], dir)).code, 0);
  const lock = join(dir, 'rendered/.fedrender.lock');
  mkdirSync(lock);
  const old = new Date(Date.now() - 60_000);
  utimesSync(lock, old, old);
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('a', '8'));
  let t = Date.now();
  let r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.ok(Date.now() - t < 5000, `${Date.now() - t} ms`);
  assert.not.ok(existsSync(lock));
  // A lock just taken by a process that then died: nobody refreshes it, so it goes stale.
  mkdirSync(lock);
  writeFileSync(join(dir, 'manifests/a.yaml'), CM('a', '9'));
  t = Date.now();
  r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  const waited = Date.now() - t;
  assert.ok(waited > 3000 && waited < 15_000, `${waited} ms`);
  assert.match(readFileSync(join(dir, 'rendered/east/default/configmap-a.yaml'), 'utf8'), /v: "9"/);
});

test('an over-long output path is one line naming it', async () => {
  const dir = fresh();
  refused(await run(['build', '-o', 'x'.repeat(300)], dir), /ENAMETOOLONG/);
  assert.equal(Object.keys(readTree(dir)).sort(), ['federation.yaml', 'manifests/a.yaml']);
});

test.run();
