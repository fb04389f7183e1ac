// The Markdown report on a fleet-wide change: a pull-request comment never exceeds 65,536
// characters; the largest groups come first and the rest are counted and named.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatMarkdown, MARKDOWN_LIMIT } from '../src/diff/format-markdown.js';
import type { ChangeGroup, DiffReport } from '../src/diff/types.js';
import { edit, fleetRepo, parseJson } from './diff-fleet.js';
import { run } from './helpers.js';

const CLUSTERS = 20;
const CONFIGMAPS = 100;

function fleet(): Record<string, string> {
  const clusters = Array.from({ length: CLUSTERS }, (_, i) => `  - name: c${String(i).padStart(2, '0')}`);
  const maps = Array.from(
    { length: CONFIGMAPS },
    (_, i) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings-${i}, namespace: shop}\ndata: {LEVEL: info}\n`,
  );
  return {
    'federation.yaml': `apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n${clusters.join('\n')}\nresources: [manifests/*.yaml]\noverrides: []\n`,
    'manifests/api.yaml': '',
    'manifests/others.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
    'manifests/maps.yaml': maps.join('---\n'),
  };
}

test('a fleet-wide change stays under the comment limit, largest group first, the rest counted', async () => {
  const { dir } = fleetRepo('', fleet());
  // every ConfigMap gets a per-cluster value (one group per object and cluster), and the web
  // image changes everywhere (one group over every cluster)
  edit(
    dir,
    'federation.yaml',
    'overrides: []',
    'overrides:\n  - match: {kinds: [ConfigMap]}\n    overrides:\n      - clusterSelector: {}\n        clusterOverrides:\n          - {path: /data/CLUSTER, value: "${cluster.name}"}',
  );
  edit(dir, 'manifests/web.yaml', 'nginx:1.25', 'nginx:1.26');
  const json = await run(['diff', '--format', 'json'], dir);
  assert.is(json.code, 0, json.stderr);
  const groups = parseJson<{ groups: unknown[] }>(json.stdout).groups.length;
  assert.is(groups, CLUSTERS * CONFIGMAPS + 1);

  const r = await run(['diff', '--format', 'markdown'], dir);
  assert.is(r.code, 0, r.stderr);
  const md = r.stdout;
  assert.ok(md.length <= 65536, `${md.length} characters`);
  assert.ok(md.length > 60000, 'the room is used');
  const changes = md.slice(md.indexOf('#### Changes'));
  assert.match(
    changes,
    /^#### Changes\n\n<details><summary><b>Deployment shop\/web<\/b> changed in 20 clusters: c00, c01, /,
  );
  const shown = changes.split('<details>').length - 1;
  const m = /\*\*(\d+) more change groups not shown\*\*/.exec(md);
  assert.ok(m, 'the omitted groups are counted');
  assert.is(shown + Number(m[1]), groups);
  // named per object: the objects whose groups did not fit
  assert.match(md, /, in: ConfigMap shop\/settings-\d+ \(\d+ clusters?\), ConfigMap shop\/settings-\d+ /);
  assert.match(md, /(\(\d+ clusters?\)|_…and \d+ more objects_)\n$/);
});

test('huge reports: one group with thousands of fields, thousands of objects, a long flag list', () => {
  const object = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: `cm-${i}` });
  const field = (i: number) => ({
    path: `/data/k${i}`,
    from: 'a'.repeat(50),
    to: 'b'.repeat(50),
    source: 'm.yaml:1:1',
  });
  const groups: ChangeGroup[] = [
    {
      action: 'changed',
      object: object(0),
      clusters: ['c1', 'c2'],
      fields: Array.from({ length: 5000 }, (_, i) => field(i)),
      skipped: [],
    },
    ...Array.from({ length: 5000 }, (_, i) => ({
      action: 'changed' as const,
      object: object(i + 1),
      clusters: ['c1'],
      fields: [field(0)],
      skipped: [],
    })),
  ];
  const report: DiffReport = {
    base: 'HEAD',
    head: 'worktree',
    summary: { clustersChanged: 2, added: 0, removed: 0, changed: 5001 },
    clusters: [
      { cluster: 'c1', added: 0, removed: 0, changed: 5001 },
      { cluster: 'c2', added: 0, removed: 0, changed: 1 },
    ],
    flags: Array.from({ length: 3000 }, (_, i) => ({
      kind: 'object-removed' as const,
      message: `ConfigMap shop/x-${i} removed from c1 (Argo CD / Flux will prune it)`,
      clusters: ['c1'],
    })),
    changes: [],
    groups,
    replicas: [],
  };
  const md = formatMarkdown(report);
  assert.ok(md.length <= MARKDOWN_LIMIT, `${md.length}`);
  assert.match(md, /_…and \d+ more flags_/);
  assert.match(md, /<b>ConfigMap shop\/cm-0<\/b> changed in 2 clusters: c1, c2<\/summary>/);
  assert.match(md, /_…and \d+ more fields_/);
  const m = /\*\*(\d+) more change groups not shown\*\*/.exec(md);
  assert.ok(m);
  assert.is(Number(m[1]) + md.split('<details><summary><b>').length - 1, groups.length);
  assert.match(md, /_…and \d+ more objects_\n$/);
});

test.run();
