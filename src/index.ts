// The library API: what the CLI calls, and what other tools may call. Nothing here prints,
// exits or reads process state; every function returns diagnostics and leaves presenting them
// to the caller.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { sortDiagnostics, type Diagnostic } from './core/diagnostics.js';
import { filePos } from './core/source.js';
import { federationSchema } from './load/config.js';
import { compile, type Compilation, type CompileOptions } from './pipeline.js';
import { explainResource, findResources, type ExplainQuery } from './explain.js';
import { planData, type PlanData } from './plan.js';
import {
  commitWrite,
  planWrite,
  RECORD_FILE,
  withLocks,
  writeFileAtomic,
  type WritePlan,
  type WriteScope,
} from './write.js';
import { argoIndex } from './emit/gitops.js';
import type { OutputFile } from './types.js';
import { joinCluster, STARTER, unjoinCluster, type EditResult } from './edit-config.js';
import { federationFromDump } from './migrate/init-from.js';
import { stripBom } from './load/resources.js';

export { parseLabels } from './edit-config.js';

export { planTable, type PlanData, type PlanRow } from './plan.js';

export type { CompileOptions, Compilation } from './pipeline.js';
export type { Diagnostic, DiagnosticCode, Severity } from './core/diagnostics.js';
export { compile } from './pipeline.js';

export interface BuildOptions extends CompileOptions {
  /** Compare with what is on disk, print a diff, write nothing. */
  check?: boolean;
}

export interface BuildResult {
  diagnostics: Diagnostic[];
  /** Absolute output directory, when federation.yaml could be read. */
  outDir?: string;
  /** output.gitops: flux: the absolute directory of the Kustomizations. */
  fluxDir?: string;
  clusters: string[];
  files: number;
  /** build: whether anything on disk changed; check: whether something would. */
  changed: boolean;
  /** --check: unified diff of what a build would change. */
  diff?: string;
  /** Folder of federation.yaml, for presenting paths. */
  configDir?: string;
  /** A usage mistake found while compiling (unknown --cluster). */
  usage?: string;
}

export async function build(opts: BuildOptions): Promise<BuildResult> {
  const c = await compile(opts);
  const result = baseResult(c);
  if (c.usage || c.reporter.hasErrors() || !c.outDir || !c.config) return finish(result, c);
  const dirs = [c.outDir, ...(c.flux ? [c.flux.dir] : [])];
  // Two builds into one tree (parallel --cluster jobs) take turns: each plans against what the
  // other committed, and neither mistakes the other's swap for an interrupted one.
  const locked = await withLocks(dirs, () => writeTrees(opts, c, result));
  if (!locked.ok) {
    c.reporter.error(
      'IO',
      filePos(c.config.file),
      locked.message,
      'if no other fedrender build is running, remove that folder',
    );
    return finish(result, c);
  }
  return locked.value;
}

async function writeTrees(opts: BuildOptions, c: Compilation, result: BuildResult): Promise<BuildResult> {
  if (!c.outDir || !c.config) return finish(result, c);
  const clusters = opts.clusters?.length ? { clusters: result.clusters } : {};
  // Under --cluster, argocd/ is out of scope like another cluster's folder: other clusters'
  // Applications are carried over, the selected ones replaced; argocd/kustomization.yaml is
  // then listed from the Applications the new tree holds.
  const argocd = c.config.output.gitops === 'argocd' ? { derive: argoIndex } : {};
  const trees: Tree[] = [
    { dir: c.outDir, files: c.files, scope: { ...clusters, ...argocd }, reportUnowned: true },
  ];
  // A Flux fleet directory holds the user's own files (flux-system/, other Kustomizations) by
  // design: they are carried over like unowned files in the output tree, but not reported.
  if (c.flux) trees.push({ dir: c.flux.dir, files: c.flux.files, scope: clusters, reportUnowned: false });
  // Every tree is planned, and its conflicts reported, before any is written: a build that
  // fails changes nothing on disk.
  const plans: { plan: WritePlan; rel: (p: string) => string }[] = [];
  for (const t of trees) {
    const plan = await planWrite(t.dir, t.files, t.scope);
    const rel = (p: string) => relative(c.config!.dir, `${t.dir}/${p}`).split('\\').join('/');
    for (const p of plan.conflicts) {
      c.reporter.error(
        'OUTPUT_CONFLICT',
        filePos(rel(p)),
        `${p} exists but was not written by fedrender; refusing to overwrite it`,
        `move it away, or delete it if it is an old rendering`,
      );
    }
    if (t.reportUnowned) {
      for (const p of plan.unowned)
        c.reporter.warning('UNOWNED_FILE', filePos(rel(p)), `not written by fedrender; left alone`);
    }
    plans.push({ plan, rel });
  }
  if (c.reporter.hasErrors()) return finish(result, c);
  result.files = fileCount(c);
  result.changed = plans.some(({ plan }) => plan.changed);
  if (opts.check) {
    if (result.changed)
      result.diff = plans.map(({ plan, rel }) => (plan.changed ? unifiedDiff(plan, rel) : '')).join('');
    return finish(result, c);
  }
  for (const { plan } of plans) await commitWrite(plan);
  return finish(result, c);
}

interface Tree {
  dir: string;
  files: OutputFile[];
  scope: WriteScope;
  reportUnowned: boolean;
}

/** Files a build writes: the output tree and, in flux mode, the Kustomizations. */
function fileCount(c: Compilation): number {
  return c.files.length + (c.flux?.files.length ?? 0);
}

/** Everything build checks; writes nothing. */
export async function validate(opts: CompileOptions): Promise<BuildResult> {
  const c = await compile(opts);
  const result = baseResult(c);
  result.files = fileCount(c);
  return finish(result, c);
}

/** Where everything lands and how replicas are split: a resources x clusters matrix. */
export async function plan(opts: CompileOptions): Promise<BuildResult & { plan?: PlanData }> {
  const c = await compile(opts);
  const result = finish(baseResult(c), c);
  return c.reporter.hasErrors() || c.usage ? result : { ...result, plan: planData(c) };
}

/** Why KIND/NAME lands where it lands, per cluster; undefined text when nothing matches. */
export async function explain(
  opts: CompileOptions & ExplainQuery,
): Promise<BuildResult & { text?: string; matches: number }> {
  const c = await compile(opts);
  const result = finish(baseResult(c), c);
  const found = findResources(c, opts);
  return {
    ...result,
    matches: found.length,
    text: found.length ? found.map((r) => explainResource(c, r)).join('\n') : undefined,
  };
}

export interface EditOutcome {
  code: 0 | 1;
  message: string;
  notes: string[];
}

/**
 * Writes a starter federation.yaml; never overwrites one. With `from`, a dump of a live KubeFed
 * (`kubectl get kubefedclusters ... -o yaml`) gives its clusters (migrate/init-from.ts).
 */
export async function init(opts: { config: string; cwd: string; from?: string }): Promise<EditOutcome> {
  const path = resolve(opts.cwd, opts.config);
  if (existsSync(path))
    return { code: 1, message: `${opts.config} already exists; not overwritten`, notes: [] };
  let text = STARTER;
  let notes: string[] = [];
  if (opts.from !== undefined) {
    let dump: string;
    try {
      dump = await readFile(resolve(opts.cwd, opts.from), 'utf8');
    } catch (e) {
      return {
        code: 1,
        message: `cannot read ${opts.from}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
        notes: [],
      };
    }
    const r = federationFromDump(stripBom(dump), opts.from);
    if (!r.ok) return { code: 1, message: r.message, notes: [] };
    text = r.text;
    notes = r.notes;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, text);
  return opts.from !== undefined
    ? {
        code: 0,
        message: `wrote ${opts.config} (${notes.join('; ')}); put the federated objects under manifests/`,
        notes: [],
      }
    : { code: 0, message: `wrote ${opts.config}; add clusters with \`fedrender join NAME\``, notes: [] };
}

/** Adds a cluster to federation.yaml (what `kubefedctl join` did), keeping comments. */
export async function join(opts: {
  config: string;
  cwd: string;
  name: string;
  labels: Record<string, string>;
  server?: string;
}): Promise<EditOutcome> {
  return editConfig(
    opts,
    (text) => joinCluster(text, opts.name, opts.labels, opts.server),
    `joined cluster "${opts.name}"`,
  );
}

/** Removes a cluster from federation.yaml; notes the lines that still name it. */
export async function unjoin(opts: { config: string; cwd: string; name: string }): Promise<EditOutcome> {
  return editConfig(opts, (text) => unjoinCluster(text, opts.name), `unjoined cluster "${opts.name}"`);
}

async function editConfig(
  opts: { config: string; cwd: string },
  edit: (text: string) => EditResult,
  done: string,
): Promise<EditOutcome> {
  const path = resolve(opts.cwd, opts.config);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { code: 1, message: `cannot read ${opts.config}; create one with \`fedrender init\``, notes: [] };
  }
  const r = edit(text);
  if (!r.ok) return { code: 1, message: `${opts.config}${r.at ? `:${r.at}` : ''}: ${r.message}`, notes: [] };
  await writeFileAtomic(path, r.text);
  return { code: 0, message: `${done} in ${opts.config}`, notes: r.notes.map((n) => `${opts.config}: ${n}`) };
}

/** The JSON Schema of federation.yaml. */
export function schema(): object {
  return federationSchema();
}

function baseResult(c: Compilation): BuildResult {
  return {
    diagnostics: [],
    outDir: c.outDir,
    fluxDir: c.flux?.dir,
    configDir: c.configDir,
    clusters: c.clusters,
    files: 0,
    changed: false,
  };
}

function finish(result: BuildResult, c: Compilation): BuildResult {
  if (c.usage) result.usage = c.usage;
  result.diagnostics = sortDiagnostics(c.reporter.diagnostics);
  return result;
}

function unifiedDiff(plan: WritePlan, rel: (p: string) => string): string {
  let out = '';
  const next = new Map(plan.files.map((f) => [f.path, f.content]));
  const paths = [...new Set([...next.keys(), ...plan.stale])].sort();
  for (const p of paths) {
    const before = plan.current.get(p) ?? '';
    const after = next.get(p) ?? '';
    if (before === after && !plan.stale.includes(p)) continue;
    if (p === RECORD_FILE && out === '') continue;
    const name = rel(p);
    out += createTwoFilesPatch(
      plan.current.has(p) ? `a/${name}` : '/dev/null',
      next.has(p) ? `b/${name}` : '/dev/null',
      before,
      after,
      '',
      '',
      { context: 3 },
    )
      .split('\n')
      .filter((l) => !l.startsWith('====='))
      .join('\n');
  }
  return out;
}
