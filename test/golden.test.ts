// Golden cases: golden/<behaviour>/ holds input/ (a complete project, or a `source` file naming
// an examples/ folder) and the expected results: expected/ (the whole output tree) and
// expected-diagnostics.txt (exit code and every diagnostic). Compared whole, byte for byte.
// A case with a `config` file (federation.yaml's path inside input/) treats input/ as a whole git
// repository: it is built in a copy with an empty .git, with its own output settings, and
// expected/ holds every file the build added or changed in it (output and Flux trees alike).
// FEDRENDER_UPDATE_GOLDEN=1 rewrites them (refused under CI); read every rewritten diff.
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { goldenCases } from './golden-cases.js';
import { copyDir, isDir, readTree, run, tempDir, type Run } from './helpers.js';

const UPDATE = process.env.FEDRENDER_UPDATE_GOLDEN === '1';
if (UPDATE && process.env.CI)
  throw new Error('FEDRENDER_UPDATE_GOLDEN is refused under CI: goldens are reviewed by hand');

/** Extra CLI arguments for a case, one per line in `args` (e.g. --strict). */
function caseArgs(dir: string): string[] {
  const p = join(dir, 'args');
  return existsSync(p)
    ? readFileSync(p, 'utf8')
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/** The usual case: input/ built as it is, into a temporary output directory. */
async function buildProject(dir: string, input: string): Promise<{ r: Run; tree: Record<string, string> }> {
  const out = join(tempDir(), 'rendered');
  const r = await run(['build', '-c', join(input, 'federation.yaml'), '-o', out, ...caseArgs(dir)], input);
  return { r, tree: r.code === 0 ? readTree(out) : {} };
}

/**
 * A `config` case: a copy of input/ with an empty .git, so repository paths are computed. Several
 * lines in `config` are several projects of one fleet repository, built in that order: the exit
 * code is the first failure's, the diagnostics are every build's.
 */
async function buildRepository(
  dir: string,
  input: string,
): Promise<{ r: Run; tree: Record<string, string> }> {
  const repo = join(tempDir(), 'repo');
  copyDir(input, repo);
  mkdirSync(join(repo, '.git'));
  const configs = readFileSync(join(dir, 'config'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const r: Run = { code: 0, stdout: '', stderr: '' };
  for (const config of configs) {
    const one = await run(['build', '-c', join(repo, config), ...caseArgs(dir)], repo);
    if (r.code === 0) r.code = one.code;
    r.stdout += one.stdout;
    r.stderr += one.stderr;
  }
  const before = readTree(input);
  const changed = Object.entries(readTree(repo)).filter(([p, text]) => before[p] !== text);
  return { r, tree: r.code === 0 ? Object.fromEntries(changed) : {} };
}

for (const c of goldenCases()) {
  test(`golden ${c.name}`, async () => {
    const { r, tree } = existsSync(join(c.dir, 'config'))
      ? await buildRepository(c.dir, c.input)
      : await buildProject(c.dir, c.input);
    const diagnostics =
      `exit: ${r.code}\n` +
      r.stderr
        .split('\n')
        .filter((l) => l && !l.startsWith('fedrender '))
        .map((l) => l + '\n')
        .join('');
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
    for (const p of Object.keys(want)) assert.fixture(tree[p]!, want[p]!, `${c.name}: ${p}`);
  });
}

test.run();
