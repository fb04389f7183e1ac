// Stored validators (core/ajv.ts): ajv standalone code in the cache folder, loaded by a later
// process instead of compiling, reports exactly what a fresh compile reports. Each case runs
// the CLI as a process: no cache (compiled in memory), an empty cache (compiled and stored),
// the filled cache (loaded), the shipped dist/validators/; all must print the same.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GOLDEN, ROOT, tempDir } from './helpers.js';

const BIN = join(ROOT, 'bin', 'fedrender.js');

function validate(dir: string, env: Record<string, string>): { code: number | null; stderr: string } {
  const r = spawnSync('node', [BIN, 'validate'], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return { code: r.status, stderr: r.stderr };
}

for (const name of [
  'validation-errors',
  'validation-crds-errors',
  'typed-overriders-schema',
  'gitops-argocd',
]) {
  test(`stored validators report what compiled ones do: ${name}`, () => {
    const dir = join(GOLDEN, name, 'input');
    const cache = tempDir();
    const own = { FEDRENDER_SHIPPED_VALIDATORS: '0' };
    const compiled = validate(dir, own);
    const storing = validate(dir, { ...own, FEDRENDER_CACHE_DIR: cache });
    const stored = readdirSync(join(cache, 'validators'));
    const loaded = validate(dir, { ...own, FEDRENDER_CACHE_DIR: cache });
    // Loaded from the cache, then from the shipped folder when `npm run build` filled it.
    const shipped = validate(dir, {});
    assert.ok(stored.some((f) => f.endsWith('.cjs')));
    for (const r of [storing, loaded, shipped]) {
      assert.is(r.stderr, compiled.stderr);
      assert.is(r.code, compiled.code);
    }
  });
}

test.run();
