// Planning a write: reads the trees as they are (bounded parallel, only the folders fedrender
// owns or needs) and works out the smallest change: files whose bytes differ, stale owned files,
// folders to create and owned folders left empty. Never writes. Every problem (a file where the
// output folder should be, a symlinked folder, a damaged record, an unowned file in the way)
// comes back as a WriteProblem naming the path.
import { join, relative, resolve, sep } from 'node:path';
import { cmp } from '../core/diagnostics.js';
import type { OutputFile } from '../types.js';
import { errCode, mapLimit, type WriterFs } from './fs-layer.js';
import { hasJournal, isWriterName, JOURNAL_FILE, type Target } from './journal.js';
import { LOCK_NAME } from './lock.js';
import { ancestors, formatRecord, parseRecord, RECORD_FILE, type OwnedRecord } from './record.js';

export interface TreeInput {
  /** Absolute folder; trees[0] is the output directory (it holds the record and the journal). */
  dir: string;
  files: readonly OutputFile[];
  /** Folders being rebuilt: clusters, and `_shared/<set>` folders; undefined = the whole tree. */
  clusters?: readonly string[];
  /** Files computed from every path of the new tree, carried ones included (an index of them). */
  derive?: (paths: readonly string[]) => OutputFile[];
  /** Report files fedrender did not write (the output tree); a Flux fleet folder is full of them. */
  reportUnowned: boolean;
  /**
   * Files of the new tree that the caller knows are on disk, owned, with the bytes it would
   * write (the render cache checked the tree since the build that wrote them): neither read nor
   * written. One that is not an owned file makes planWrite throw a StaleKeptFiles.
   */
  kept?: readonly string[];
}

/** A `kept` file is not on disk as an owned file: the caller's knowledge is stale. */
export class StaleKeptFiles extends Error {
  constructor(readonly path: string) {
    super(`planWrite: kept file ${path} is not an owned file on disk`);
  }
}

export interface WriteProblem {
  code: 'IO' | 'OUTPUT_CONFLICT';
  /** Absolute path the problem is about. */
  path: string;
  line?: number;
  /** `%p` stands for the path, shown as the caller presents paths. */
  message: string;
  hint?: string;
}

export interface TreePlan {
  dir: string;
  /** Every owned file of the new tree, by path; carried (unchanged, out of scope) ones map to undefined. */
  next: Map<string, OutputFile | undefined>;
  /** Owned files whose bytes change (new ones included). */
  writes: string[];
  /** Owned files of the old tree that the new one no longer has. */
  stale: string[];
  /** What fedrender did not write (a folder ends in `/`): kept, reported. */
  unowned: string[];
  /** Old bytes of every written or deleted file that existed (not of unchanged ones). */
  current: Map<string, string>;
}

export interface WritePlan {
  /** The output directory: roots[0]. */
  outDir: string;
  roots: string[];
  trees: TreePlan[];
  problems: WriteProblem[];
  /** A journal of an interrupted build is present (a build recovers it first; --check reports it). */
  interrupted: boolean;
  /** Some file's bytes change or a stale file goes (the record alone does not count). */
  changed: boolean;
  recordText: string;
  /** A new file's `content` is read when it is written (OutputFile). */
  writes: (Target & { readonly content: string; old?: string })[];
  deletes: (Target & { old: string })[];
  newDirs: Target[];
  dropDirs: Target[];
}

type Kind = 'file' | 'dir' | 'link' | 'other';

/**
 * A new file's write, whose text is made when the writer reads `content`. A class, so 418,000 of
 * them (10,000 x 50) share one getter rather than each holding a closure of its own.
 */
class NewFileWrite implements Target {
  readonly old = undefined;
  constructor(
    readonly root: number,
    readonly path: string,
    private readonly file: OutputFile,
  ) {}

  get content(): string {
    return this.file.content;
  }
}

/** Reads the trees and works out what a build would change. Writes nothing. */
export async function planWrite(fs: WriterFs, inputs: readonly TreeInput[]): Promise<WritePlan> {
  const roots = inputs.map((t) => resolve(t.dir));
  const [outDir, fluxDir] = roots;
  if (outDir === undefined) throw new Error('planWrite: no output directory');
  const problems = await rootProblems(fs, roots);
  const plan: WritePlan = {
    outDir,
    roots,
    trees: [],
    problems,
    interrupted: false,
    changed: false,
    recordText: '',
    writes: [],
    deletes: [],
    newDirs: [],
    dropDirs: [],
  };
  if (problems.length) return plan;
  plan.interrupted = await hasJournal(fs, outDir);
  const oldRead = await readOwned(fs, join(outDir, RECORD_FILE), problems);
  if (!oldRead) return plan;
  const old = oldRead.record;
  const fluxRel = fluxDir ? relative(outDir, fluxDir).split(sep).join('/') : undefined;
  const owned: OwnedRecord[] = [old];
  if (fluxDir) {
    // Ownership in a Flux folder counts only where the record names today's Flux folder.
    const same = old.flux && resolve(outDir, old.flux.dir) === fluxDir;
    // fedrender 0.1 kept a second record in the Flux folder: its files are owned, and it goes.
    const legacy = await readOwned(fs, join(fluxDir, RECORD_FILE), problems);
    if (!legacy) return plan;
    const extra = legacy.legacy ? legacy.record : { files: [], dirs: [] };
    if (legacy.legacy) plan.deletes.push({ root: 1, path: RECORD_FILE, old: legacy.text! });
    owned.push({
      files: [...(same ? old.flux!.files : []), ...extra.files],
      dirs: [...(same ? old.flux!.dirs : []), ...extra.dirs],
    });
  }
  const next: OwnedRecord = { files: [], dirs: [] };
  for (const [i, input] of inputs.entries()) {
    const set = await planTree(fs, input, i, owned[i] ?? { files: [], dirs: [] }, plan);
    if (i === 0) Object.assign(next, set);
    else next.flux = { dir: fluxRel!, ...set };
  }
  if (problems.length) return plan;
  plan.recordText = formatRecord(next);
  let oldText: string | undefined;
  try {
    oldText = await fs.readFile(join(outDir, RECORD_FILE));
  } catch {
    oldText = undefined;
  }
  if (oldText !== plan.recordText) {
    plan.writes.push({ root: 0, path: RECORD_FILE, content: plan.recordText, old: oldText });
    if (oldText !== undefined) plan.trees[0]!.current.set(RECORD_FILE, oldText);
  }
  return plan;
}

/** Why the trees' folders cannot be written into (a file, a dangling symlink); [] when they can. */
export async function rootProblems(fs: WriterFs, roots: readonly string[]): Promise<WriteProblem[]> {
  const out: WriteProblem[] = [];
  for (const r of roots) {
    const p = await rootProblem(fs, resolve(r));
    if (p) out.push(p);
  }
  return out;
}

/** Why a tree's folder cannot be written into, if it cannot. A symlinked folder is followed. */
async function rootProblem(fs: WriterFs, root: string): Promise<WriteProblem | undefined> {
  try {
    const st = await fs.stat(root);
    if (!st.isDirectory())
      return {
        code: 'OUTPUT_CONFLICT',
        path: root,
        message: `%p is a file, not a folder; fedrender writes its output into a folder`,
        hint: 'move the file away or choose another output directory (-o DIR)',
      };
  } catch (e) {
    const code = errCode(e);
    if (code === 'ENOENT') {
      const link = await fs.lstat(root).then(
        (s) => s.isSymbolicLink(),
        () => false,
      );
      if (link) return { code: 'IO', path: root, message: `%p is a symbolic link to nothing` };
      return undefined;
    }
    return { code: 'IO', path: root, message: `cannot use %p as the output folder (${code ?? String(e)})` };
  }
  return undefined;
}

async function readOwned(
  fs: WriterFs,
  file: string,
  problems: WriteProblem[],
): Promise<{ record: OwnedRecord; legacy: boolean; text?: string } | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file);
  } catch (e) {
    if (errCode(e) === 'ENOENT') return { record: { files: [], dirs: [] }, legacy: false };
    problems.push({ code: 'IO', path: file, message: `cannot read the ownership record %p (${errCode(e)})` });
    return undefined;
  }
  const r = parseRecord(text);
  if (!r.ok) {
    problems.push({ code: 'IO', path: file, line: r.line, message: r.message, hint: r.hint });
    return undefined;
  }
  return { record: r.record, legacy: r.legacy, text };
}

async function planTree(
  fs: WriterFs,
  input: TreeInput,
  root: number,
  owned: OwnedRecord,
  plan: WritePlan,
): Promise<{ files: string[]; dirs: string[] }> {
  const dir = plan.roots[root]!;
  const isOwned = new Set(owned.files);
  const ownedDirs = new Set(owned.dirs);
  // A scope entry is a top-level folder (a cluster) or a folder one level down (`_shared/<set>`).
  const scope = input.clusters && new Set(input.clusters);
  const inScope = (p: string) => {
    if (!scope) return true;
    const i = p.indexOf('/');
    if (scope.has(i < 0 ? p : p.slice(0, i))) return true;
    if (i < 0) return false;
    const j = p.indexOf('/', i + 1);
    return scope.has(j < 0 ? p : p.slice(0, j));
  };
  const built = new Map(input.files.map((f) => [f.path, f]));
  const kept = input.kept ?? [];
  // Only folders that hold (or will hold) owned files are read; anything else is the user's.
  const relevant = new Set<string>(['']);
  // A folder is added with all its ancestors: a file whose folder is known adds nothing more.
  const addFolders = (p: string) => {
    const i = p.lastIndexOf('/');
    if (i >= 0 && !relevant.has(p.slice(0, i))) for (const a of ancestors(p)) relevant.add(a);
  };
  for (const p of built.keys()) addFolders(p);
  for (const p of isOwned) addFolders(p);
  for (const p of kept) if (!isOwned.has(p)) throw new StaleKeptFiles(p);
  for (const d of ownedDirs) {
    relevant.add(d);
    for (const a of ancestors(d)) relevant.add(a);
  }
  const entries = await listRelevant(fs, dir, relevant, root === 0, plan.problems);
  const kind = (p: string) => entries.get(p);

  for (const p of kept) if (kind(p) !== 'file' || built.has(p)) throw new StaleKeptFiles(p);
  const carried = [...isOwned].filter((p) => !inScope(p) && !built.has(p) && kind(p) === 'file');
  const derived = input.derive?.([...built.keys(), ...kept, ...carried]) ?? [];
  for (const f of derived) built.set(f.path, f);
  const next = new Map<string, OutputFile | undefined>(built);
  for (const p of kept) next.set(p, undefined);
  for (const p of carried) if (!next.has(p)) next.set(p, undefined);

  const tree: TreePlan = { dir, next, writes: [], stale: [], unowned: [], current: new Map() };
  plan.trees.push(tree);
  const problem = (path: string, message: string, hint?: string) =>
    plan.problems.push({ code: 'OUTPUT_CONFLICT', path: join(dir, path), message, hint });
  const badFolders = new Set<string>();
  // Each folder's ancestors are checked once, not once per file in it (418,000 files at 10,000 x 50).
  const checkedFolders = new Set<string>();
  const toRead: string[] = [];
  for (const p of built.keys()) {
    const folder = p.slice(0, Math.max(0, p.lastIndexOf('/')));
    if (!checkedFolders.has(folder)) {
      checkedFolders.add(folder);
      for (const a of ancestors(p)) {
        const k = kind(a);
        if (k === undefined || k === 'dir' || badFolders.has(a)) continue;
        badFolders.add(a);
        if (k === 'link')
          problem(
            a,
            `%p is a symbolic link; fedrender does not write through one`,
            'replace it with a folder',
          );
        else problem(a, `%p is a file where fedrender needs a folder`, 'move it away');
      }
    }
    // A UTF-16 unit is at most 3 bytes of UTF-8: a path of 85 units or fewer has no long component.
    if (p.length > 85 && p.split('/').some((s) => Buffer.byteLength(s) > 255))
      plan.problems.push({
        code: 'IO',
        path: join(dir, p),
        message: `a path component of %p is longer than 255 bytes`,
      });
    const k = kind(p);
    if (k === undefined) continue;
    if (k !== 'file')
      problem(p, `%p exists but is not a regular file; refusing to replace it`, 'move it away');
    else if (!isOwned.has(p))
      problem(
        p,
        `%p exists but was not written by fedrender; refusing to overwrite it`,
        'move it away, or delete it if it is an old rendering',
      );
    else toRead.push(p);
  }
  const stale = [...isOwned].filter((p) => inScope(p) && !next.has(p) && kind(p) === 'file').sort(cmp);
  const read = async (p: string) => {
    try {
      return await fs.readFile(join(dir, p));
    } catch (e) {
      plan.problems.push({ code: 'IO', path: join(dir, p), message: `cannot read %p (${errCode(e)})` });
      return '';
    }
  };
  // An existing file is compared as soon as it is read, and its old text kept only when it
  // changes: a rebuild that changes nothing (--check in CI, a build without its cache) held
  // every old text at once, 1 GB at 10,000 x 50.
  const unchanged = new Set<string>();
  /** The new text of each changed existing file (made once, for the comparison). */
  const changedText = new Map<string, string>();
  await mapLimit(toRead, async (p) => {
    const old = await read(p);
    const content = built.get(p)!.content;
    if (content === old) unchanged.add(p);
    else {
      tree.current.set(p, old);
      changedText.set(p, content);
    }
  });
  const staleTexts = await mapLimit(stale, read);
  stale.forEach((p, i) => tree.current.set(p, staleTexts[i]!));
  for (const [p, file] of built) {
    if (unchanged.has(p)) continue;
    const old = tree.current.get(p);
    if (old === undefined) {
      // A new file: its text is made when the writer writes it.
      plan.writes.push(new NewFileWrite(root, p, file));
    } else {
      plan.writes.push({ root, path: p, content: changedText.get(p)!, old });
    }
    tree.writes.push(p);
  }
  tree.stale = stale;
  for (const p of stale) plan.deletes.push({ root, path: p, old: tree.current.get(p)! });
  if (tree.writes.length || stale.length) plan.changed = true;

  // Folders: create the missing ones; remove owned ones that nothing will be left in.
  const needed = new Set<string>();
  for (const p of next.keys()) {
    const i = p.lastIndexOf('/');
    if (i >= 0 && !needed.has(p.slice(0, i))) for (const a of ancestors(p)) needed.add(a);
  }
  for (const d of [...needed].sort(cmp)) if (kind(d) === undefined) plan.newDirs.push({ root, path: d });
  const gone = new Set(stale);
  const children = new Map<string, string[]>();
  for (const p of entries.keys()) {
    const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
    const list = children.get(parent);
    if (list) list.push(p);
    else children.set(parent, [p]);
  }
  const existingOwnedDirs = [...ownedDirs].filter((d) => kind(d) === 'dir');
  // Deepest first, so a folder whose only content is an emptied owned folder goes too.
  for (const d of existingOwnedDirs.sort((a, b) => b.split('/').length - a.split('/').length || cmp(a, b))) {
    if (needed.has(d)) continue;
    if ((children.get(d) ?? []).every((c) => gone.has(c))) {
      gone.add(d);
      plan.dropDirs.push({ root, path: d });
    }
  }
  if (input.reportUnowned) {
    for (const [p, k] of entries) {
      if (isOwned.has(p) || next.has(p) || gone.has(p)) continue;
      if (k === 'dir' && relevant.has(p)) continue;
      tree.unowned.push(k === 'dir' ? `${p}/` : p);
    }
    tree.unowned.sort(cmp);
  }
  const dirs = [
    ...existingOwnedDirs.filter((d) => !gone.has(d)),
    ...plan.newDirs.filter((t) => t.root === root).map((t) => t.path),
  ];
  return { files: [...next.keys()], dirs };
}

/**
 * The entries of `dir`'s relevant folders: path -> kind. Other folders are listed as one entry
 * and not read (a `.git` with 100,000 objects costs one readdir). Folders are read level by
 * level with bounded concurrency.
 */
async function listRelevant(
  fs: WriterFs,
  dir: string,
  relevant: ReadonlySet<string>,
  isOutput: boolean,
  problems: WriteProblem[],
): Promise<Map<string, Kind>> {
  const out = new Map<string, Kind>();
  let level = [''];
  while (level.length) {
    const lists = await mapLimit(level, async (rel) => {
      try {
        return await fs.readdir(rel ? join(dir, rel) : dir);
      } catch (e) {
        if (errCode(e) !== 'ENOENT')
          problems.push({ code: 'IO', path: join(dir, rel), message: `cannot list %p (${errCode(e)})` });
        return [];
      }
    });
    const nextLevel: string[] = [];
    level.forEach((rel, i) => {
      for (const e of lists[i]!) {
        if (isWriterName(e.name)) continue;
        if (
          rel === '' &&
          isOutput &&
          (e.name === RECORD_FILE ||
            e.name === JOURNAL_FILE ||
            e.name === LOCK_NAME ||
            e.name === `${JOURNAL_FILE}.tmp`)
        )
          continue;
        const p = rel ? `${rel}/${e.name}` : e.name;
        const k: Kind = e.isDirectory() ? 'dir' : e.isFile() ? 'file' : e.isSymbolicLink() ? 'link' : 'other';
        out.set(p, k);
        if (k === 'dir' && relevant.has(p)) nextLevel.push(p);
      }
    });
    level = nextLevel;
  }
  return out;
}
