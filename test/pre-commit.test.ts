// The hooks of .pre-commit-hooks.yaml install and run with the pre-commit on this machine (CI
// installs Debian's, 3.0.4): `pre-commit try-repo <this repository>` in a fresh project, both
// hooks, passing on an up-to-date project and failing once its output is stale. The install
// reads `npm pack`'s stdout as the tarball's name (pre-commit issues #3460, #3259), so this also
// guards .npmrc. Needs pre-commit on PATH; under CI its absence is a failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { project, ROOT, run } from './helpers.js';

const has = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
const available = has.status === 0;

test('npm pack prints only the tarball name on stdout', () => {
  const r = spawnSync('npm', ['pack', '--dry-run'], { cwd: ROOT, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'fedrender-0.1.0.tgz\n');
});

test(`pre-commit try-repo installs and runs fedrender-validate and fedrender-check (${available ? has.stdout.trim() : 'pre-commit not on PATH'})`, async () => {
  if (!available) {
    assert.not.ok(process.env.CI, 'CI installs pre-commit (.ci/run): it must be on PATH');
    return;
  }
  const dir = project({
    'federation.yaml':
      'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n  - name: east\nresources:\n  - manifests/*.yaml\n',
    'manifests/a.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\ndata:\n  v: "1"\n',
  });
  assert.is((await run(['build'], dir)).code, 0);
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
  };
  git('init', '-q', '.');
  git('add', '-A');
  // The environment is cached per revision of this repository across runs.
  const home = join(tmpdir(), 'fedrender-pre-commit-home');
  mkdirSync(home, { recursive: true });
  const tryRepo = () =>
    spawnSync('pre-commit', ['try-repo', ROOT, '--all-files'], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        PRE_COMMIT_HOME: home,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@t',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@t',
      },
    });
  const ok = tryRepo();
  const out = ok.stdout + ok.stderr;
  assert.is(ok.status, 0, out);
  assert.match(out, /fedrender validate\.+Passed/);
  assert.match(out, /fedrender build --check\.+Passed/);
  // A stale output: the check hook fails with the diff, validate still passes.
  writeFileSync(
    join(dir, 'manifests/a.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\ndata:\n  v: "2"\n',
  );
  git('add', '-A');
  const stale = tryRepo();
  const said = stale.stdout + stale.stderr;
  assert.is(stale.status, 1, said);
  assert.match(said, /fedrender validate\.+Passed/);
  assert.match(said, /fedrender build --check\.+Failed/);
  assert.match(said, /\+ {2}v: "2"/);
});

test.run();
