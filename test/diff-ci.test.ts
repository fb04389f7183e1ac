// The CI examples run what they say: the `fedrender diff` command line of each workflow under
// examples/ci/, with the CI's variables filled in, works on a changed fleet and prints Markdown.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { edit, fleetRepo, git } from './diff-fleet.js';
import { EXAMPLES, run } from './helpers.js';

/** The words of the `fedrender diff ...` command in a shell snippet, up to its redirection. */
function diffArgs(script: string, vars: Record<string, string>): string[] {
  let line = script.replace(/\\\n/g, ' ').replace(/\n/g, ' ');
  for (const [k, v] of Object.entries(vars)) line = line.split(k).join(v);
  const m = /fedrender (diff [^>]*)>/.exec(line);
  if (!m) throw new Error(`no fedrender diff command in: ${script}`);
  return [...(m[1] ?? '').matchAll(/"([^"]*)"|(\S+)/g)].map((w) => w[1] ?? w[2] ?? '');
}

function scripts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(scripts);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(scripts);
  return [];
}

const CASES = [
  { file: 'github-diff.yml', base: '${{ github.event.pull_request.base.sha }}' },
  { file: 'gitlab-diff.yml', base: '$CI_MERGE_REQUEST_DIFF_BASE_SHA' },
];

for (const c of CASES) {
  test(`examples/ci/${c.file}: its fedrender diff command posts a Markdown report`, async () => {
    const { repo, dir } = fleetRepo('');
    const sha = git(repo, 'rev-parse', 'HEAD').trim();
    edit(dir, 'manifests/web.yaml', 'nginx:1.25', 'nginx:1.26');
    const doc: unknown = parse(readFileSync(join(EXAMPLES, 'ci', c.file), 'utf8'));
    const command = scripts(doc).find((s) => s.includes('npx --yes fedrender diff'));
    assert.ok(command, 'the workflow runs fedrender diff');
    const args = diffArgs(command, { [c.base]: sha, $FEDERATION: 'federation.yaml' });
    assert.equal(args.slice(0, 1), ['diff']);
    assert.ok(args.includes(sha), `the base is the CI's base commit: ${args.join(' ')}`);
    const r = await run(args, dir);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /^### fedrender diff: <code>[0-9a-f]{40}<\/code> → <code>worktree<\/code>/);
    assert.match(r.stdout, '<b>Deployment shop/web</b> changed in 3 clusters');
  });
}

test.run();
