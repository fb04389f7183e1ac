// The parse cache (load/parse-cache.ts): a run whose inputs come from the cache reports exactly
// what a run that parsed them reports, positions included (they are parsed lazily), for every
// golden case; files with YAML diagnostics are never cached.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli.js';
import { GOLDEN, project, tempDir } from './helpers.js';

async function validate(dir: string, cache?: string) {
  let out = '';
  const code = await main(['validate', '--format', 'json'], {
    stdout: (t) => (out += t),
    stderr: (t) => (out += t),
    cwd: dir,
    env: cache ? { FEDRENDER_CACHE_DIR: cache } : {},
  });
  return { code, out };
}

test('cached parses report what fresh parses report, in every golden case', async () => {
  let cases = 0;
  for (const name of readdirSync(GOLDEN)) {
    const dir = join(GOLDEN, name, 'input');
    const cache = tempDir();
    const fresh = await validate(dir);
    const storing = await validate(dir, cache);
    const cached = await validate(dir, cache);
    assert.equal(storing, fresh, name);
    assert.equal(cached, fresh, name);
    cases++;
  }
  assert.ok(cases > 20);
});

test('only files that parsed cleanly are cached, federation.yaml too', async () => {
  const cm = (n: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${n}, namespace: default}\n`;
  const dir = project({
    'federation.yaml':
      'apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters: [{name: a}]\nresources: [m/*.yaml]\nvalidation: {strict: false}\n',
    'm/good.yaml': cm('good'),
    'm/dup.yaml': cm('dup') + 'data: {a: "1"}\ndata: {b: "2"}\n',
  });
  const cache = tempDir();
  const first = await validate(dir, cache);
  assert.match(first.out, /duplicate key/);
  const second = await validate(dir, cache);
  assert.equal(second, first);
  const [file = ''] = readdirSync(join(cache, 'parse'));
  const entries = (JSON.parse(readFileSync(join(cache, 'parse', file), 'utf8')) as { entries: object })
    .entries;
  // federation.yaml and good.yaml; not dup.yaml.
  assert.is(Object.keys(entries).length, 2);
  const values = JSON.stringify(entries);
  assert.ok(values.includes('"Federation"') && values.includes('"good"') && !values.includes('"dup"'));
});

test.run();
