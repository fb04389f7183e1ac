// The Markdown report on a fleet-wide change: a pull-request comment never exceeds 65,536
// characters; the largest groups come first and the rest are counted and named.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
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
  assert.match(md, /_…and \d+ more objects_\n$/);
});

test.run();
