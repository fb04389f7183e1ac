// `fedrender diff`: compile the project at two revisions and compare what every cluster gets.
// The base (default HEAD) and a head given as a revision are read from git into a temp folder
// (git-tree.ts); the default head is the working tree as it is. Nothing is written to the
// repository; the temp folders are removed before returning.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { cmp, sortDiagnostics, type Diagnostic } from '../core/diagnostics.js';
import type { Compilation } from '../pipeline.js';
import { compile } from '../index.js';
import { compare, type Side } from './compare.js';
import { safetyFlags } from './flags.js';
import { checkout, findRepo, GitError, resolveCommit, type Checkout, type Repo } from './git-tree.js';
import { groupChanges } from './group.js';
import type { ClusterSummary, DiffReport } from './types.js';

export interface DiffOptions {
  config: string;
  cwd: string;
  /** Default HEAD. */
  base?: string;
  /** Default: the working tree. */
  head?: string;
  clusters?: string[];
  strict?: boolean;
}

export interface SideDiagnostics {
  side: 'base' | 'head';
  /** The revision as the user named it (or "worktree"). */
  revision: string;
  diagnostics: Diagnostic[];
}

export interface DiffResult {
  report?: DiffReport;
  /** Both sides' diagnostics; errors on either side mean no report. */
  sides: SideDiagnostics[];
  /** A usage mistake (unknown revision, not a git repository, unknown --cluster): exit 2. */
  usage?: string;
}

export const WORKTREE = 'worktree';

export async function diff(opts: DiffOptions): Promise<DiffResult> {
  const configPath = resolve(opts.cwd, opts.config);
  const configDir = dirname(configPath);
  const baseRev = opts.base ?? 'HEAD';
  const headRev = opts.head ?? WORKTREE;
  let repo: Repo;
  const checkouts: Checkout[] = [];
  try {
    repo = await findRepo(existsSync(configDir) ? configDir : opts.cwd);
    if (!existsSync(configDir))
      repo = { ...repo, prefix: relative(repo.root, configDir).split(sep).join('/') };
    const baseCommit = await resolveCommit(repo, baseRev);
    const headCommit = opts.head !== undefined ? await resolveCommit(repo, opts.head) : undefined;
    const configName = configPath.slice(configDir.length + 1);
    const sideAt = async (label: string, commit: string): Promise<Side> => {
      const co = await checkout(repo, commit);
      checkouts.push(co);
      // A revision before the project existed is an empty fleet: everything is added.
      if (!existsSync(join(co.dir, configName))) return { label };
      const c = await compile({
        config: join(co.dir, configName),
        cwd: co.dir,
        strict: opts.strict,
        gitRoot: co.root,
        emit: false,
      });
      return { label, compilation: c };
    };
    const base = await sideAt(baseRev, baseCommit);
    let head: Side = headCommit
      ? await sideAt(headRev, headCommit)
      : existsSync(configPath) || !base.compilation
        ? {
            label: headRev,
            compilation: await compile({
              config: opts.config,
              cwd: opts.cwd,
              strict: opts.strict,
              emit: false,
            }),
          }
        : // The change deletes the project: every object goes.
          { label: headRev };
    // Neither revision has the file: a wrong -c, reported as the head's missing file.
    if (!base.compilation && !head.compilation)
      head = { label: headRev, compilation: await compile({ config: opts.config, cwd: opts.cwd }) };
    return finish(base, head, opts.clusters);
  } catch (e) {
    if (e instanceof GitError) return { sides: [], usage: e.message };
    throw e;
  } finally {
    await Promise.all(checkouts.map((c) => c.remove()));
  }
}

function sideDiagnostics(side: 'base' | 'head', s: Side): SideDiagnostics {
  return { side, revision: s.label, diagnostics: sortDiagnostics(s.compilation?.reporter.diagnostics ?? []) };
}

function finish(base: Side, head: Side, only: string[] | undefined): DiffResult {
  const sides = [sideDiagnostics('base', base), sideDiagnostics('head', head)];
  const hasErrors = sides.some((s) => s.diagnostics.some((d) => d.severity === 'error'));
  if (hasErrors) return { sides };
  const known = new Set([base, head].flatMap((s) => clusterNames(s.compilation)));
  const unknown = (only ?? []).filter((n) => !known.has(n));
  if (unknown.length)
    return {
      sides,
      usage: `--cluster: no cluster named ${unknown.map((n) => `"${n}"`).join(', ')} at ${base.label} or ${head.label}; clusters are: ${[...known].sort(cmp).join(', ')}`,
    };
  const cmpn = compare(base, head, only);
  const groups = groupChanges(cmpn.changes, cmpn);
  const clusters = [...new Set([...cmpn.baseClusters, ...cmpn.headClusters])].sort(cmp).map((name) => {
    const mine = cmpn.changes.filter((c) => c.cluster === name);
    const count = (a: string) => mine.filter((c) => c.action === a).length;
    const status = !cmpn.baseClusters.includes(name)
      ? { status: 'added' as const }
      : !cmpn.headClusters.includes(name)
        ? { status: 'removed' as const }
        : {};
    const s: ClusterSummary = {
      cluster: name,
      added: count('added'),
      removed: count('removed'),
      changed: count('changed'),
      ...status,
    };
    return s;
  });
  const report: DiffReport = {
    base: base.label,
    head: head.label,
    summary: {
      clustersChanged: clusters.filter((c) => c.added + c.removed + c.changed > 0 || c.status).length,
      added: clusters.reduce((n, c) => n + c.added, 0),
      removed: clusters.reduce((n, c) => n + c.removed, 0),
      changed: clusters.reduce((n, c) => n + c.changed, 0),
    },
    clusters,
    flags: safetyFlags(groups, cmpn),
    changes: cmpn.changes,
    groups,
    replicas: cmpn.replicas,
  };
  return { report, sides };
}

function clusterNames(c: Compilation | undefined): string[] {
  return (c?.config?.clusters ?? []).map((x) => x.name);
}

/** Whether the report shows any change (for --exit-code). */
export function hasChanges(r: DiffReport): boolean {
  return r.changes.length > 0 || r.clusters.some((c) => c.status !== undefined);
}
