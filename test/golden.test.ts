// Golden cases: golden/<behaviour>/ holds input/ (a complete project, or a `source` file naming
// an examples/ folder) and the expected results: expected/ (the whole output tree) and
// expected-diagnostics.txt (exit code and every diagnostic). Compared whole, byte for byte.
// FEDRENDER_UPDATE_GOLDEN=1 rewrites them (refused under CI); read every rewritten diff.
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { goldenCases } from './golden-cases.js';
import { isDir, readTree, run, tempDir } from './helpers.js';

const UPDATE = process.env.FEDRENDER_UPDATE_GOLDEN === '1';
if (UPDATE && process.env.CI) throw new Error('FEDRENDER_UPDATE_GOLDEN is refused under CI: goldens are reviewed by hand');

/** Extra CLI arguments for a case, one per line in `args` (e.g. --strict). */
function caseArgs(dir: string): string[] {
  const p = join(dir, 'args');
  return existsSync(p) ? readFileSync(p, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean) : [];
}

for (const c of goldenCases()) {
  test(`golden ${c.name}`, async () => {
    const out = join(tempDir(), 'rendered');
    const r = await run(['build', '-c', join(c.input, 'federation.yaml'), '-o', out, ...caseArgs(c.dir)], c.input);
    const diagnostics = `exit: ${r.code}\n` + r.stderr.split('\n').filter((l) => l && !l.startsWith('fedrender ')).map((l) => l + '\n').join('');
    const tree = r.code === 0 ? readTree(out) : {};
    const expectedDiag = join(c.dir, 'expected-diagnostics.txt');
    const expectedDir = join(c.dir, 'expected');
    if (UPDATE) {
      writeFileSync(expectedDiag, diagnostics);
      rmSync(expectedDir, { recursive: true, force: true });
      for (const [p, text] of Object.entries(tree)) {
        mkdirSync(dirname(join(expectedDir, p)), { recursive: true });
        writeFileSync(join(expectedDir, p), text);
      }
      return;
    }
    assert.fixture(diagnostics, readFileSync(expectedDiag, 'utf8'), `diagnostics of ${c.name}`);
    const want = isDir(expectedDir) ? readTree(expectedDir) : {};
    assert.equal(Object.keys(tree), Object.keys(want), `file list of ${c.name}`);
    for (const p of Object.keys(want)) assert.fixture(tree[p], want[p], `${c.name}: ${p}`);
  });
}

test.run();
