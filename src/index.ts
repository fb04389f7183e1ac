// The library API: what the CLI calls, and what other tools may call. Nothing here prints,
// exits or reads process state; every function returns diagnostics and leaves presenting them
// to the caller.
import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath, rmdir } from 'node:fs/promises';
import { dirname, join as joinPath, relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { Reporter, sortDiagnostics, type Diagnostic } from './core/diagnostics.js';
import { releaseSerializerCaches } from './core/serialize.js';
import { filePos, posOf } from './core/source.js';
import { findGitRoot } from './core/git-root.js';
import { fleetConflicts, gitopsObjects } from './fleet.js';
import { federationSchema } from './load/config.js';
import { InputReads } from './load/input-reads.js';
import { TWO_WORKER_WALK_MIN_FILES, walkTree, walkTreeInTwoWorkers } from './tree-walk.js';
import { compileLoaded, loadInputs, type Compilation, type CompileOptions } from './pipeline.js';
import { selectClusters } from './cluster-selection.js';
import { explainResource, findResources, type ExplainQuery } from './explain.js';
import { planData, type PlanData } from './plan.js';
import {
  commitWrite,
  hasWork,
  JOURNAL_FILE,
  LOCK_NAME,
  planWrite,
  errno,
  realFs,
  recover,
  RECORD_FILE,
  rootProblems,
  StaleKeptFiles,
  withLock,
  WriteError,
  writeFileAtomic,
  type FileStat,
  type TreeInput,
  type TreePlan,
  type WritePlan,
  type WrittenStats,
  type WriterFs,
  type WriteProblem,
} from './write/index.js';
import { argoIndex } from './emit/gitops.js';
import { sharedFoldersInUse } from './emit/shared-layout.js';
import { joinCluster, STARTER, unjoinCluster, type EditResult } from './edit-config.js';
import {
  foldersUnchanged,
  lookupBuild,
  type LookupLeftovers,
  memoKey,
  patchSnapshot,
  storeBuild,
  type CacheIdentity,
  type Snapshots,
  type TreeSnapshot,
} from './build-cache.js';
import { RenderCache } from './render-cache.js';
import { federationFromDump } from './migrate/init-from.js';
import { stripBom } from './load/resources.js';

export { parseLabels } from './edit-config.js';

export { planTable, type PlanData, type PlanRow } from './plan.js';

export type { CompileOptions, Compilation } from './pipeline.js';
export type { Diagnostic, DiagnosticCode, Severity } from './core/diagnostics.js';
export { selectClusters, type ClusterSelection } from './cluster-selection.js';
export {
  diff,
  hasChanges,
  WORKTREE,
  type DiffOptions,
  type DiffResult,
  type SideDiagnostics,
} from './diff/diff.js';
export { formatText as diffText } from './diff/format-text.js';
export { formatMarkdown as diffMarkdown, MARKDOWN_LIMIT } from './diff/format-markdown.js';
export { formatJson as diffJson } from './diff/format-json.js';
export type * from './diff/types.js';

/**
 * Everything a build does but write: load, then the arguments checked against the clusters
 * loaded (federation.yaml's and the KubeFedCluster objects'), then every later stage
 * (pipeline.ts). An argument mistake is `usage` (exit 2), with nothing rendered.
 */
export async function compile(opts: CompileOptions): Promise<Compilation> {
  if (opts.outDir?.includes('\0')) {
    // The schema keeps NUL out of output.dir; -o is checked here (a library caller may pass one).
    const configDir = dirname(resolve(opts.cwd, opts.config));
    const reporter = new Reporter(opts.strict ?? false);
    const usage = '-o: a path cannot hold a NUL character';
    return { reporter, rendered: [], files: [], clusters: [], configDir, usage };
  }
  const { compilation, loaded } = await loadInputs(opts);
  if (!loaded) return compilation;
  const selection = selectClusters(loaded.config.clusters, opts);
  if ('usage' in selection) return { ...compilation, usage: selection.usage };
  opts.onLoaded?.({ clusters: selection.selected.length });
  return compileLoaded(compilation, loaded, selection, opts);
}

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
  /** build with a cache: objects whose files and checks were taken from the last build. */
  reused?: number;
}

export async function build(opts: BuildOptions & { writerFs?: WriterFs }): Promise<BuildResult> {
  const configPath = resolve(opts.cwd, opts.config);
  const id: CacheIdentity = {
    configPath,
    outDir: opts.outDir ? resolve(opts.cwd, opts.outDir) : undefined,
    clusters: opts.clusters?.length ? [...opts.clusters].sort() : undefined,
    shard: opts.shard,
    strict: opts.strict,
  };
  // The output trees as they are before this build, walked once for both caches.
  const before: Snapshots = new Map();
  // What the no-op check reads, the build that follows a miss does not read again.
  const left: LookupLeftovers = { reads: new InputReads(), walks: [] };
  if (opts.cacheDir && !opts.check) {
    const text = await readFile(configPath, 'utf8').catch(() => undefined);
    const hit =
      text === undefined
        ? undefined
        : await lookupBuild(opts.cacheDir, id, stripBom(text), dirname(configPath), before, left).catch(
            () => undefined,
          );
    if (hit) return { ...hit, changed: false };
  }
  // Loaded once the output tree's walk is done; compile reads and parses its inputs meanwhile.
  const renderCache =
    opts.cacheDir && !opts.check
      ? Promise.all(left.walks)
          .then(() => RenderCache.load(opts.cacheDir!, id, before))
          .catch(() => undefined)
      : undefined;
  let c = await compile({ ...opts, renderCache, reads: left.reads });
  await Promise.all(left.walks);
  let result: BuildResult;
  // The output tree's paths this build wrote or deleted (the caches patch their snapshots), and
  // the stats of the files the writer threads wrote (the snapshots take them as they are).
  let committed: string[] | undefined;
  let known: Map<string, FileStat> | undefined;
  const onCommit = (plan: WritePlan, stats?: WrittenStats) => {
    // Loops, not spreads and filters: a first build at 10,000 x 50 commits 418,000 files.
    committed = [];
    for (const w of plan.writes) if (w.root === 0) committed.push(w.path);
    for (const d of plan.deletes) if (d.root === 0) committed.push(d.path);
    if (!stats) return;
    const byPath = new Map<string, FileStat>();
    for (let i = 0; i < stats.writes.length; i++) {
      const w = stats.writes[i]!;
      if (w.root === 0) byPath.set(w.path, stats.stats[i]!);
    }
    known = byPath;
  };
  try {
    result = await writeBuild(
      opts,
      c,
      onCommit,
      c.outDir ? before.get(memoKey(c.outDir, c.outside)) : undefined,
    );
  } catch (e) {
    // The tree changed under the render cache after it was checked: render everything.
    if (!(e instanceof StaleKeptFiles)) throw e;
    c = await compile(opts);
    result = await writeBuild(opts, c, onCommit);
  }
  if (c.renderPass) result.reused = c.renderPass.reusedCount;
  // The tree is written: the caches below need none of the model or the rendered objects,
  // which at fleet scale are a gigabyte they would otherwise allocate beside (peak RSS).
  c.rendered = [];
  c.files = [];
  c.kept = undefined;
  c.model = c.placed = c.placement = c.scheduledPlacement = c.scheduled = undefined;
  c.renderPass?.release();
  releaseSerializerCaches();
  const cacheable =
    opts.cacheDir && !opts.check && c.inputs && c.config && !c.config.validation.schemaLocations.length;
  if (cacheable && !result.usage && !result.diagnostics.some((d) => d.severity === 'error')) {
    const after: Snapshots = new Map();
    // The output tree is the one walked before, but for what this build wrote and deleted.
    const walked = result.outDir && before.get(memoKey(result.outDir, c.outside));
    if (walked && committed)
      after.set(memoKey(result.outDir!, c.outside), patchSnapshot(walked, result.outDir!, committed, known));
    else if (result.outDir && known)
      // A first build that wrote from threads: only its folders and files it did not write are
      // stated (33,700 lstat calls fewer at 2,000 x 20, 418,000 at 10,000 x 50).
      after.set(memoKey(result.outDir, c.outside), walkTree(result.outDir, new Set(c.outside ?? []), known));
    else if (result.outDir && result.files >= TWO_WORKER_WALK_MIN_FILES) {
      // Not walked before this build (a first build): a huge tree is walked on two threads.
      const taken = await walkTreeInTwoWorkers(result.outDir, c.outside ?? []);
      if (taken) after.set(memoKey(result.outDir, c.outside), taken);
    }
    const cache = await renderCache;
    if (cache && c.renderPass) await cache.store(c.renderPass, after).catch(() => undefined);
    // A partial build only lists the folders of the clusters it leaves out (build-cache.ts).
    const trees = [
      ...(result.outDir ? [{ dir: result.outDir, outside: c.outside ?? [] }] : []),
      ...(result.fluxDir ? [{ dir: result.fluxDir, outside: [] }] : []),
    ];
    await storeBuild(
      opts.cacheDir!,
      id,
      c.inputs!.configText,
      c.configDir,
      c.inputs!.globs,
      c.inputs!.hashes,
      trees,
      {
        diagnostics: result.diagnostics,
        outDir: result.outDir,
        fluxDir: result.fluxDir,
        configDir: c.configDir,
        clusters: result.clusters,
        files: result.files,
      },
      after,
    ).catch(() => undefined);
  }
  return result;
}

async function writeBuild(
  opts: BuildOptions & { writerFs?: WriterFs },
  c: Compilation,
  /** Called with the plan once it is committed (the caches patch their snapshots with it). */
  onCommit: (plan: WritePlan, stats?: WrittenStats) => void = () => undefined,
  /** The output tree as the render cache checked it, before compiling (c.kept relies on it). */
  checked?: TreeSnapshot,
): Promise<BuildResult> {
  const result = baseResult(c);
  if (c.usage || c.reporter.hasErrors() || !c.outDir || !c.config) return finish(result, c);
  // Another project of the fleet repository generating one of our GitOps objects: both would
  // fight over it in the cluster (and one's prune would delete the other's objects).
  const config = c.config;
  const gitRoot = findGitRoot(config.dir);
  const roots = gitRoot ? [gitRoot] : [config.dir, ...(c.flux ? [c.flux.dir] : [])];
  const own = config.clusters.map((cl) => joinPath(c.outDir!, cl.name));
  for (const x of await fleetConflicts(config, gitopsObjects(config, config.clusters), roots, own)) {
    const other = relative(config.dir, x.where).split('\\').join('/');
    c.reporter.error(
      'OUTPUT_CONFLICT',
      posOf(config.ref, ['output', 'name']),
      `${x.object} is generated by project "${x.project}" (${other}) too; this project "${config.output.name}" would overwrite it`,
      config.output.gitops === 'argocd'
        ? 'give the projects different output.name (or output.argocd.namePrefix)'
        : 'give the projects different output.name',
    );
  }
  if (c.reporter.hasErrors()) return finish(result, c);
  const fs = opts.writerFs ?? realFs;
  const trees = treeInputs(opts, c);
  const show = (p: string) => relative(c.configDir, p).split('\\').join('/') || '.';
  const report = (problems: readonly WriteProblem[]) => {
    for (const p of problems) {
      const at = show(p.path);
      const pos = { ...filePos(at), ...(p.line ? { line: p.line } : {}) };
      c.reporter.error(p.code, pos, p.message.replace('%p', at), p.hint);
    }
  };
  if (opts.check) {
    // --check never writes: not even a lock, nor the recovery of an interrupted build.
    const plan = await planWrite(fs, trees);
    report(plan.problems);
    if (c.reporter.hasErrors()) return finish(result, c);
    reportUnowned(c, plan.trees[0], show);
    result.files = fileCount(c);
    result.changed = plan.changed || plan.interrupted;
    if (plan.interrupted)
      c.reporter.warning(
        'IO',
        filePos(show(joinPath(c.outDir, JOURNAL_FILE))),
        'a build was interrupted here; the next `fedrender build` finishes it (--check writes nothing)',
      );
    if (plan.changed) {
      // A shared file's change reaches every cluster that lists its folder: say which.
      const note = (p: string) => {
        const f = c.shared?.find((s) => p.startsWith(`${s.path}/`));
        return f && `# ${f.path} is listed by ${f.clusters.join(', ')}\n`;
      };
      result.diff = plan.trees.map((t, i) => unifiedDiff(t, show, i === 0 ? note : undefined)).join('');
    }
    return finish(result, c);
  }
  // The output folder holds the build's lock, so it is made first (and removed again, if it
  // was made here, when the build fails before writing anything).
  const made: string[] = [];
  let lockDir: string;
  try {
    const problems = await rootProblems(
      fs,
      trees.map((t) => t.dir),
    );
    if (problems.length) {
      report(problems);
      return finish(result, c);
    }
    made.push(...(await mkdirsTracked(c.outDir)));
    lockDir = await realpath(c.outDir);
  } catch (e) {
    report([
      {
        code: 'IO',
        path: c.outDir,
        message: `cannot create %p (${errno(e).code ?? String(e)})`,
      },
    ]);
    return finish(result, c);
  }
  const locked = await withLock(lockDir, joinPath(lockDir, LOCK_NAME), async (compromised) => {
    try {
      await writeLocked(compromised);
    } catch (e) {
      if (e instanceof StaleKeptFiles) throw e;
      // A file-system error the plan did not foresee: still one line naming the path.
      const { code, path, message } = errno(e);
      report([
        { code: 'IO', path: path ?? c.outDir!, message: code ? `cannot write %p (${code})` : message },
      ]);
    }
  });
  if (!locked.ok)
    report([{ code: 'IO', path: c.outDir, message: locked.message.split(c.outDir).join('%p') }]);
  if (c.reporter.hasErrors()) for (const d of made.reverse()) await rmdir(d).catch(() => undefined);
  return finish(result, c);

  async function writeLocked(compromised: () => boolean): Promise<void> {
    const roots = trees.map((t) => resolve(t.dir));
    // Files kept from the render cache are as the cache saw them only if no build wrote in
    // between (this one waited for the lock): else the caller renders everything.
    if (c.kept?.length && !(checked && foldersUnchanged(c.outDir!, checked)))
      throw new StaleKeptFiles(c.outDir!);
    const stuck = await recover(fs, roots);
    if (stuck) return report([{ code: 'IO', path: c.outDir!, message: stuck }]);
    const plan = await planWrite(fs, trees);
    report(plan.problems);
    if (c.reporter.hasErrors()) return;
    if (c.shared && (opts.clusters?.length || opts.shard)) {
      const changes = [...plan.writes, ...plan.deletes]
        .filter((w) => w.root === 0)
        .map((w) => ({ path: w.path, exists: w.old !== undefined }));
      for (const f of sharedFoldersInUse(changes, c.shared, c.clusters))
        c.reporter.error(
          'OUTPUT_CONFLICT',
          filePos(show(joinPath(c.outDir!, f.folder)) + '/'),
          `this partial build would change ${f.folder}, which ${f.others.join(', ')} ${f.others.length === 1 ? 'lists' : 'list'} too (output.layout: shared); nothing written`,
          `build those clusters too, or run a full build`,
        );
      if (c.reporter.hasErrors()) return;
    }
    reportUnowned(c, plan.trees[0], show);
    result.files = fileCount(c);
    result.changed = hasWork(plan);
    try {
      onCommit(plan, await commitWrite(fs, plan, compromised));
    } catch (e) {
      if (!(e instanceof WriteError)) throw e;
      result.changed = false;
      report([{ code: 'IO', path: e.path, message: e.message }]);
    }
  }
}

/** mkdir -p that returns the folders it made, parents first. */
async function mkdirsTracked(dir: string): Promise<string[]> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return [];
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    out.unshift(d);
    if (d === first || dirname(d) === d) break;
  }
  return out;
}

function treeInputs(opts: BuildOptions, c: Compilation): TreeInput[] {
  // A partial build rebuilds its clusters' folders and the shared folders they list.
  const clusters =
    opts.clusters?.length || opts.shard
      ? { clusters: [...c.clusters, ...(c.shared ?? []).map((f) => f.path)] }
      : {};
  // Under --cluster, argocd/ is out of scope like another cluster's folder: other clusters'
  // Applications are carried over, the selected ones replaced; argocd/kustomization.yaml is
  // then listed from the Applications the new tree holds. A shard's tree is one piece of a
  // union: its index lists every cluster's Application, as the full build's does.
  const all = opts.shard ? (c.allApplications ?? []).map((f) => f.path) : [];
  const derive =
    c.config!.output.gitops === 'argocd'
      ? {
          derive: (paths: readonly string[]) =>
            argoIndex([...paths, ...all].map((path) => ({ path, content: '' }))),
        }
      : {};
  const trees: TreeInput[] = [
    { dir: c.outDir!, files: c.files, kept: c.kept, ...clusters, ...derive, reportUnowned: true },
  ];
  // A Flux fleet directory holds the user's own files (flux-system/, other Kustomizations) by
  // design: they are left alone like unowned files in the output tree, but not reported.
  if (c.flux) trees.push({ dir: c.flux.dir, files: c.flux.files, ...clusters, reportUnowned: false });
  return trees;
}

function reportUnowned(c: Compilation, tree: TreePlan | undefined, show: (p: string) => string): void {
  if (!tree) return;
  for (const p of tree.unowned)
    c.reporter.warning(
      'UNOWNED_FILE',
      filePos(show(joinPath(tree.dir, p)) + (p.endsWith('/') ? '/' : '')),
      `not written by fedrender; left alone`,
    );
}

/** Files a build writes: the output tree and, in flux mode, the Kustomizations. */
function fileCount(c: Compilation): number {
  return c.files.length + (c.kept?.length ?? 0) + (c.flux?.files.length ?? 0);
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
): Promise<BuildResult & { text?: string; matches: number; objects: ExplainedObject[] }> {
  const c = await compile(opts);
  const result = finish(baseResult(c), c);
  const found = findResources(c, opts);
  const texts = found.map((r) => explainResource(c, r));
  return {
    ...result,
    matches: found.length,
    text: found.length ? texts.join('\n') : undefined,
    objects: found.map((r, i) => ({
      // texts[i] exists: one text per found object
      apiVersion: r.id.apiVersion,
      kind: r.id.kind,
      ...(r.id.namespace !== undefined ? { namespace: r.id.namespace } : {}),
      name: r.id.name,
      clusters: [...(c.placement?.get(r) ?? [])].sort(),
      explanation: texts[i]!.split('\n').filter(Boolean),
    })),
  };
}

/** One object `explain --format json` describes: where it lands, and the text's lines. */
export interface ExplainedObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  clusters: string[];
  explanation: string[];
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
  // The dump is read and turned into text before the lock: a bad dump changes nothing.
  let text = STARTER;
  let notes: string[] = [];
  if (opts.from !== undefined) {
    let dump: string;
    try {
      dump = await readFile(resolve(opts.cwd, opts.from), 'utf8');
    } catch (e) {
      return { code: 1, message: `cannot read ${opts.from}: ${errno(e).code ?? 'error'}`, notes: [] };
    }
    const r = federationFromDump(stripBom(dump), opts.from);
    if (!r.ok) return { code: 1, message: r.message, notes: [] };
    text = r.text;
    notes = r.notes;
  }
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (e) {
    return {
      code: 1,
      message: `cannot create the folder of ${opts.config} (${errno(e).code})`,
      notes: [],
    };
  }
  const locked = await withLock(
    path,
    `${path}.lock`,
    async (): Promise<EditOutcome> => {
      if (existsSync(path))
        return { code: 1, message: `${opts.config} already exists; not overwritten`, notes: [] };
      await writeFileAtomic(path, text);
      return opts.from !== undefined
        ? {
            code: 0,
            message: `wrote ${opts.config} (${notes.join('; ')}); put the federated objects under manifests/`,
            notes: [],
          }
        : { code: 0, message: `wrote ${opts.config}; add clusters with \`fedrender join NAME\``, notes: [] };
    },
    30_000,
  );
  return locked.ok ? locked.value : { code: 1, message: locked.message, notes: [] };
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

/**
 * Read-modify-write of federation.yaml under a lock (concurrent joins all land, in turn). A
 * symlinked file is followed (its target is edited); CRLF line endings and the mode are kept.
 */
async function editConfig(
  opts: { config: string; cwd: string },
  edit: (text: string) => EditResult,
  done: string,
): Promise<EditOutcome> {
  let path: string;
  try {
    path = await realpath(resolve(opts.cwd, opts.config));
  } catch {
    return { code: 1, message: `cannot read ${opts.config}; create one with \`fedrender init\``, notes: [] };
  }
  const locked = await withLock(
    path,
    `${path}.lock`,
    async (): Promise<EditOutcome> => {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        return {
          code: 1,
          message: `cannot read ${opts.config} (${errno(e).code})`,
          notes: [],
        };
      }
      const crlf = text.includes('\r\n');
      const r = edit(crlf ? text.replace(/\r\n/g, '\n') : text);
      if (!r.ok)
        return { code: 1, message: `${opts.config}${r.at ? `:${r.at}` : ''}: ${r.message}`, notes: [] };
      try {
        await writeFileAtomic(path, crlf ? r.text.replace(/\n/g, '\r\n') : r.text);
      } catch (e) {
        return {
          code: 1,
          message: `cannot write ${opts.config} (${errno(e).code ?? String(e)})`,
          notes: [],
        };
      }
      return {
        code: 0,
        message: `${done} in ${opts.config}`,
        notes: r.notes.map((n) => `${opts.config}: ${n}`),
      };
    },
    30_000,
  );
  return locked.ok ? locked.value : { code: 1, message: locked.message, notes: [] };
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

/** What a build would change in one tree, as a unified diff (the ownership record left out). */
function unifiedDiff(
  tree: TreePlan,
  show: (p: string) => string,
  note?: (path: string) => string | undefined,
): string {
  let out = '';
  const paths = [...tree.writes, ...tree.stale].filter((p) => p !== RECORD_FILE).sort();
  for (const p of paths) {
    const before = tree.current.get(p) ?? '';
    const after = tree.next.get(p)?.content ?? '';
    const name = show(joinPath(tree.dir, p));
    out += note?.(p) ?? '';
    out += createTwoFilesPatch(
      tree.current.has(p) ? `a/${name}` : '/dev/null',
      tree.next.has(p) ? `b/${name}` : '/dev/null',
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
