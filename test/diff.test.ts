// `fedrender diff` end to end: a federation in a temporary git repository, changed the way pull
// requests change it, diffed from the CLI against HEAD. Asserts the JSON per cluster, grouping
// across clusters, the input line behind every new value, redaction, flags and exit codes.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli.js';
import type { Diagnostic } from '../src/core/diagnostics.js';
import type { DiffReport } from '../src/diff/types.js';
import { at, edit, FEDERATION, fleetRepo, git, OTHERS, parseJson, WEB } from './diff-fleet.js';
import { run, tempDir } from './helpers.js';

async function diffJson(dir: string, ...extra: string[]): Promise<DiffReport> {
  const r = await run(['diff', '--format', 'json', ...extra], dir);
  assert.is(r.code, 0, r.stderr + r.stdout);
  return parseJson<DiffReport>(r.stdout);
}

const IMAGE = '/spec/template/spec/containers/0/image';

test('an image bump: one change per cluster, shown once, skipping the cluster an override pins', async () => {
  const { dir } = fleetRepo();
  edit(dir, 'manifests/web.yaml', 'nginx:1.25', 'nginx:1.26');
  const j = await diffJson(dir);
  assert.is(j.base, 'HEAD');
  assert.is(j.head, 'worktree');
  assert.equal(j.summary, { clustersChanged: 3, added: 0, removed: 0, changed: 3 });
  const source = at('manifests/web.yaml', WEB, 'nginx:1.25');
  assert.equal(
    j.changes,
    ['eu-1', 'eu-2', 'us-1'].map((cluster) => ({
      cluster,
      action: 'changed',
      object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
      fields: [{ path: IMAGE, from: 'nginx:1.25', to: 'nginx:1.26', source }],
    })),
  );
  assert.is(j.groups.length, 1);
  assert.equal(j.groups[0]?.clusters, ['eu-1', 'eu-2', 'us-1']);
  const pin = at('federation.yaml', FEDERATION, '{path: "/spec/template/spec/containers/[name=web]/image"');
  assert.equal(j.groups[0]?.skipped, [{ cluster: 'us-2', reason: `pinned by the override at ${pin}` }]);
  assert.equal(j.flags, []);

  const text = await run(['diff'], dir);
  assert.is(text.code, 0);
  assert.is(text.stdout.split(`${IMAGE}: "nginx:1.25" -> "nginx:1.26"  (${source})`).length, 2, text.stdout);
  assert.match(
    text.stdout,
    `changed in 3 clusters: eu-1, eu-2, us-1\n    skips us-2 (pinned by the override at ${pin})`,
  );
  assert.not.match(text.stdout, '\x1b[', 'plain text when stdout is not a terminal');
  assert.is((await run(['diff', '--exit-code'], dir)).code, 3);
});

test('an override for a label-selected group of clusters: the override operation is the source', async () => {
  const { dir } = fleetRepo();
  const fed = edit(
    dir,
    'federation.yaml',
    'replicaScheduling:',
    `      - clusterSelector: {matchLabels: {region: eu}}
        clusterOverrides:
          - {path: "/spec/template/spec/containers/[name=web]/env/[name=MODE]/value", value: canary}
replicaScheduling:`,
  );
  const j = await diffJson(dir);
  const source = at('federation.yaml', fed, '{path: "/spec/template/spec/containers/[name=web]/env');
  const field = {
    path: '/spec/template/spec/containers/0/env/0/value',
    from: 'production',
    to: 'canary',
    source,
  };
  assert.equal(
    j.changes.map((c) => [c.cluster, c.object.name, c.fields]),
    [
      ['eu-1', 'web', [field]],
      ['eu-2', 'web', [field]],
    ],
  );
  assert.equal(j.groups, [
    {
      action: 'changed',
      object: j.changes[0]?.object,
      clusters: ['eu-1', 'eu-2'],
      fields: [field],
      skipped: [{ cluster: 'us-1' }, { cluster: 'us-2' }],
    },
  ]);
});

test('an RSP total change: replicas per cluster before and after, from the scheduling rule', async () => {
  const { dir } = fleetRepo();
  const fed = edit(dir, 'federation.yaml', 'totalReplicas: 8', 'totalReplicas: 4');
  const j = await diffJson(dir);
  const rule = at('federation.yaml', fed, 'match: {kinds: [Deployment], names: [api]}');
  assert.equal(j.replicas, [
    {
      object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' },
      clusters: ['eu-1', 'eu-2', 'us-1', 'us-2'].map((cluster) => ({
        cluster,
        from: 2,
        to: 1,
        source: rule,
      })),
      total: { from: 8, to: 4 },
    },
  ]);
  assert.is(j.groups.length, 1);
  assert.equal(j.groups[0]?.fields, [{ path: '/spec/replicas', from: 2, to: 1, source: rule }]);
  assert.equal(
    j.flags.map((f) => [f.kind, f.clusters]),
    [['replicas-halved', ['eu-1', 'eu-2', 'us-1', 'us-2']]],
  );
  const md = (await run(['diff', '--format', 'markdown'], dir)).stdout;
  assert.match(
    md,
    /- \*\*replicas-halved\*\*: Deployment shop\/api replicas drop by half or more in eu-1 \(2 -&gt; 1\)/,
  );
});

test('a new cluster (fedrender join): flagged, every object it gets is added, from its entry', async () => {
  const { dir } = fleetRepo();
  assert.is((await run(['join', 'ap-1', '--label', 'region=ap'], dir)).code, 0);
  const entry = at('federation.yaml', readFileSync(join(dir, 'federation.yaml'), 'utf8'), 'name: ap-1');
  const j = await diffJson(dir);
  const added = j.changes.filter((c) => c.action === 'added');
  assert.equal(
    added.map((c) => `${c.cluster} ${c.object.kind}/${c.object.name}`),
    [
      'ap-1 Deployment/api',
      'ap-1 Deployment/web',
      'ap-1 Namespace/shop',
      'ap-1 Secret/creds',
      'ap-1 Service/web',
    ],
  );
  assert.ok(
    added.every((c) => c.source === entry),
    JSON.stringify(added[0]),
  );
  assert.equal(j.flags[0], {
    kind: 'cluster-added',
    message: 'cluster ap-1 added with 5 objects',
    clusters: ['ap-1'],
  });
  assert.equal(
    j.clusters.find((c) => c.cluster === 'ap-1'),
    { cluster: 'ap-1', added: 5, removed: 0, changed: 0, status: 'added' },
  );
  // web's 3 replicas arrive there; KubeFed's planner (fractions rounded up) leaves api's 8 where they were
  assert.equal(
    j.replicas.map((r) => [r.object.name, r.total, r.clusters.filter((c) => c.from !== c.to)]),
    [
      [
        'web',
        { from: 12, to: 15 },
        [{ cluster: 'ap-1', from: 0, to: 3, source: at('manifests/web.yaml', WEB, '3') }],
      ],
    ],
  );
});

test('an unjoined cluster: flagged once, its objects marked as pruned, the cause named at the base', async () => {
  const { dir } = fleetRepo();
  assert.is((await run(['unjoin', 'us-1'], dir)).code, 0);
  const j = await diffJson(dir);
  const removed = j.changes.filter((c) => c.action === 'removed');
  assert.is(removed.length, 5);
  const cause = `HEAD:${at('federation.yaml', FEDERATION, 'name: us-1')}`;
  for (const c of removed) assert.equal([c.cluster, c.prune, c.source], ['us-1', true, cause]);
  assert.equal(
    j.flags.map((f) => f.kind),
    ['cluster-removed'],
    'a removed cluster is one flag, not one per object (the RSP keeps 8 replicas elsewhere)',
  );
  assert.is(j.summary.removed, 5);
  const text = (await run(['diff'], dir)).stdout;
  assert.match(text, 'removed from us-1 (will be pruned)');
});

test('a Secret value change is never printed, in any format', async () => {
  const { dir } = fleetRepo();
  edit(
    dir,
    'manifests/others.yaml',
    'password: hunter2-base',
    'password: hunter2-head\ndata:\n  token: c2VjcmV0LXRva2Vu',
  );
  const j = await diffJson(dir);
  const fields = j.changes.find((c) => c.object.kind === 'Secret')!.fields;
  const source = at('manifests/others.yaml', OTHERS, 'hunter2-base');
  assert.equal(
    fields.find((f) => f.path === '/stringData/password'),
    {
      path: '/stringData/password',
      from: '<redacted, changed>',
      to: '<redacted, changed>',
      source,
    },
  );
  assert.equal(fields.find((f) => f.path === '/data')?.to, '<redacted, changed>');
  for (const format of ['json', 'text', 'markdown']) {
    const r = await run(['diff', '--format', format], dir);
    assert.is(r.code, 0);
    for (const secret of ['hunter2', 'c2VjcmV0', 'secret-token'])
      assert.not.ok(r.stdout.includes(secret) || r.stderr.includes(secret), `${format} leaks ${secret}`);
    assert.ok(
      r.stdout.includes('<redacted, changed>') || r.stdout.includes('&lt;redacted, changed&gt;'),
      format,
    );
  }
});

test('a placement typo: the workload leaves every cluster, flagged as removed and losing its replicas', async () => {
  const { dir } = fleetRepo();
  const fed = edit(
    dir,
    'federation.yaml',
    'overrides:',
    'placements:\n  - match: {kinds: [Deployment], names: [web]}\n    placement: {clusterSelector: {matchLabels: {region: ue}}}\noverrides:',
  );
  const j = await diffJson(dir);
  const rule = at('federation.yaml', fed, '{clusterSelector: {matchLabels: {region: ue}}}');
  const removed = j.changes.filter((c) => c.action === 'removed');
  assert.equal(
    removed.map((c) => [c.cluster, c.object.name, c.source]),
    ['eu-1', 'eu-2', 'us-1', 'us-2'].map((c) => [c, 'web', rule]),
  );
  const all = ['eu-1', 'eu-2', 'us-1', 'us-2'];
  assert.equal(
    j.flags.map((f) => [f.kind, f.clusters]),
    [
      ['object-removed', all],
      ['replicas-to-zero', all],
    ],
  );
  assert.is(j.groups.length, 1, 'the same removal in four clusters is one group');
});

test('a namespace leaving clusters: one namespace flag, its objects removed with it, the cause named', async () => {
  const { dir } = fleetRepo();
  const fed = edit(
    dir,
    'federation.yaml',
    'overrides:',
    'placements:\n  - match: {kinds: [Namespace], names: [shop]}\n    placement: {clusterSelector: {matchLabels: {region: eu}}}\noverrides:',
  );
  const j = await diffJson(dir);
  const rule = at('federation.yaml', fed, '{clusterSelector: {matchLabels: {region: eu}}}');
  assert.equal(
    j.changes.filter((c) => c.action === 'removed').map((c) => [c.cluster, c.object.kind, c.source]),
    ['us-1', 'us-2'].flatMap((cl) =>
      ['Deployment', 'Deployment', 'Namespace', 'Secret', 'Service'].map((k) => [cl, k, rule]),
    ),
  );
  // the RSP schedules api over the clusters its namespace still reaches
  assert.equal(
    j.replicas.find((r) => r.object.name === 'api')?.clusters.map((c) => [c.cluster, c.from, c.to]),
    [
      ['eu-1', 2, 4],
      ['eu-2', 2, 4],
      ['us-1', 2, 0],
      ['us-2', 2, 0],
    ],
  );
  assert.equal(
    j.flags.map((f) => [f.kind, f.clusters]),
    [
      ['namespace-removed', ['us-1', 'us-2']],
      ['replicas-to-zero', ['us-1', 'us-2']],
      ['replicas-to-zero', ['us-1', 'us-2']],
    ],
  );
  const md = (await run(['diff', '--format', 'markdown'], dir)).stdout;
  assert.match(
    md,
    '<details><summary><b>5 objects</b> removed from 2 clusters: us-1, us-2 (will be pruned)</summary>',
  );
});

test('a placement that names an unknown cluster stops the head side: exit 1, labelled with its revision', async () => {
  const { dir } = fleetRepo();
  const fed = edit(
    dir,
    'federation.yaml',
    'overrides:',
    'placements:\n  - match: {kinds: [Deployment], names: [web]}\n    placement: {clusters: [{name: eu-3}]}\noverrides:',
  );
  const r = await run(['diff'], dir);
  assert.is(r.code, 1);
  assert.match(r.stderr, `head (worktree) ${at('federation.yaml', fed, 'eu-3')}: error:`);
  assert.match(r.stderr, /\[UNKNOWN_CLUSTER\]/);
  assert.is(r.stdout, '');
  const j = await run(['diff', '--format', 'json'], dir);
  assert.is(j.code, 1);
  const diags = parseJson<(Diagnostic & { side: string; revision: string })[]>(j.stdout);
  assert.equal([diags[0]?.side, diags[0]?.revision, diags[0]?.code], ['head', 'worktree', 'UNKNOWN_CLUSTER']);
});

test("errors at the base revision are reported as the base's, even when the working tree fixes them", async () => {
  const { repo, dir } = fleetRepo();
  writeFileSync(join(dir, 'manifests/broken.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'broken');
  writeFileSync(join(dir, 'manifests/broken.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
  const r = await run(['diff'], dir);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^base \(HEAD\) manifests\/broken\.yaml:\d+:\d+: error: .*\[YAML_SYNTAX\]$/m);
  assert.not.match(r.stderr, /^head/m);
});

test('an object moving between clusters is flagged as a move', async () => {
  const rule = (c: string) =>
    `placements:\n  - match: {kinds: [Service]}\n    placement: {clusters: [{name: ${c}}]}\noverrides:`;
  const { repo, dir } = fleetRepo('', { 'federation.yaml': FEDERATION.replace('overrides:', rule('eu-1')) });
  edit(dir, 'federation.yaml', 'name: eu-1}]', 'name: us-1}]');
  const j = await diffJson(dir);
  assert.equal(
    j.flags.map((f) => [f.kind, f.message]),
    [
      ['object-removed', 'Service shop/web removed from eu-1 (Argo CD / Flux will prune it)'],
      ['object-moved', 'Service shop/web moves from eu-1 to us-1'],
    ],
  );
  assert.ok(existsSync(join(repo, '.git')), 'a project at the repository root works too');
});

test('--base and --head compare two commits and ignore the working tree', async () => {
  const { repo, dir } = fleetRepo();
  edit(dir, 'manifests/web.yaml', 'nginx:1.25', 'nginx:1.26');
  git(repo, 'commit', '-q', '-am', 'bump');
  edit(dir, 'manifests/web.yaml', 'replicas: 3', 'replicas: 30');
  const j = await diffJson(dir, '--base', 'HEAD~1', '--head', 'HEAD');
  assert.equal([j.base, j.head], ['HEAD~1', 'HEAD']);
  assert.equal(
    j.groups.map((g) => g.fields.map((f) => f.path)),
    [[IMAGE]],
  );
  const none = await run(['diff', '--base', 'HEAD', '--head', 'HEAD', '--exit-code'], dir);
  assert.is(none.code, 0);
  assert.match(none.stdout, 'no changes');
});

test('usage errors exit 2: an unknown revision, a folder outside git, an unknown --cluster', async () => {
  const { dir } = fleetRepo();
  const bad = await run(['diff', '--base', 'no-such-branch'], dir);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, 'fedrender diff: unknown revision "no-such-branch"');
  const outside = tempDir();
  writeFileSync(join(outside, 'federation.yaml'), FEDERATION);
  const notGit = await run(['diff'], outside);
  assert.is(notGit.code, 2);
  assert.match(notGit.stderr, 'is not inside a git repository');
  const cluster = await run(['diff', '--cluster', 'eu-9'], dir);
  assert.is(cluster.code, 2);
  assert.match(cluster.stderr, '--cluster: no cluster named "eu-9"');
});

test('--cluster limits every part of the report to those clusters', async () => {
  const { dir } = fleetRepo();
  edit(dir, 'manifests/web.yaml', 'nginx:1.25', 'nginx:1.26');
  const j = await diffJson(dir, '--cluster', 'eu-2', '--cluster', 'us-2');
  assert.equal(
    j.changes.map((c) => c.cluster),
    ['eu-2'],
  );
  assert.equal(
    j.groups[0]?.skipped.map((s) => s.cluster),
    ['us-2'],
  );
  assert.equal(
    j.clusters.map((c) => c.cluster),
    ['eu-2', 'us-2'],
  );
});

test('nothing is written: the repository is untouched and the temporary copies are gone', async () => {
  const { repo, dir } = fleetRepo();
  edit(dir, 'manifests/web.yaml', 'nginx:1.25', 'nginx:1.26');
  const before = git(repo, 'status', '--porcelain', '--ignored');
  const tmp = tempDir();
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    assert.is((await run(['diff', '--base', 'HEAD', '--head', 'HEAD'], dir)).code, 0);
    assert.is((await run(['diff'], dir)).code, 0);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  assert.equal(readdirSync(tmp), []);
  assert.is(git(repo, 'status', '--porcelain', '--ignored'), before);
  assert.not.ok(existsSync(join(dir, 'rendered')));
});

test('a base revision without the project: every object is added', async () => {
  const { repo } = fleetRepo('old');
  git(repo, 'mv', 'old', 'fleet');
  const j = await diffJson(join(repo, 'fleet'));
  assert.equal([j.summary.added, j.summary.removed], [20, 0]);
  assert.equal(
    j.flags.map((f) => f.kind),
    ['cluster-added', 'cluster-added', 'cluster-added', 'cluster-added'],
  );
});

test('a change that deletes the project: every object is removed; a wrong -c is an input error', async () => {
  const { repo } = fleetRepo();
  git(repo, 'rm', '-r', '-q', 'fleet/manifests', 'fleet/federation.yaml');
  const j = await diffJson(repo, '-c', 'fleet/federation.yaml');
  assert.equal([j.summary.added, j.summary.removed], [0, 20]);
  assert.equal(
    j.flags.map((f) => f.kind),
    ['cluster-removed', 'cluster-removed', 'cluster-removed', 'cluster-removed'],
  );
  const wrong = await run(['diff', '-c', 'nope.yaml'], repo);
  assert.is(wrong.code, 1);
  assert.match(wrong.stderr, 'head (worktree) nope.yaml:1:1: error: cannot read federation file');
});

test('text is coloured on a terminal unless NO_COLOR is set; --color forces it', async () => {
  const { dir } = fleetRepo();
  edit(dir, 'manifests/web.yaml', 'nginx:1.25', 'nginx:1.26');
  const out = async (argv: string[], env: Record<string, string>) => {
    let stdout = '';
    await main(argv, { stdout: (t) => (stdout += t), stderr: () => undefined, cwd: dir, env, tty: true });
    return stdout;
  };
  assert.match(await out(['diff'], {}), '\x1b[32m"nginx:1.26"\x1b[39m');
  assert.not.match(await out(['diff'], { NO_COLOR: '1' }), '\x1b[');
  assert.not.match(await out(['diff', '--format', 'markdown'], {}), '\x1b[');
  assert.match((await run(['diff', '--color'], dir)).stdout, '\x1b[');
});

test.run();
