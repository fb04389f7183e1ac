// The render cache: a build after a small change renders, checks and serializes only the
// objects that change can affect; every other object's files are left on disk as the last
// build wrote them, and what its render and checks reported is reported again. One entry per
// build identity (as the no-op cache, build-cache.ts), in the user's cache folder.
//
// Why reusing an object is safe. Its files and its diagnostics are a function of its own source
// document and of what crosses objects; the entry is used only when all of that is unchanged:
// - the global key: fedrender's version and code (stamp), federation.yaml's text, the bytes of
//   every input file that is not a plain object's (Namespaces, CRDs, KubeFed and RSP objects,
//   validation.crds, anything that is not one object per document), the options, and every
//   object's identity with the clusters it renders into (file names, clash groups, references
//   between objects, namespace placement, RSP targets all derive from these);
// - per object: the bytes of its file, its document's index and path, its scheduled replicas;
// - the output tree: every file exactly as the last build (of this identity) left it (path,
//   size, mtime, inode), so the files of a reused object hold what it would write.
// A partial build (--cluster, --shard) with no entry of its own may use the last full build's:
// same global key as that build would compute, its own cluster folders as that build left them,
// and only objects that reported nothing (a record does not say which cluster it was about).
// Only a build without errors is recorded. Anything unreadable or unexpected: a full render.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diagnostic, Reporter } from './core/diagnostics.js';
import { findGitRoot } from './core/git-root.js';
import { isObject } from './core/cow.js';
import type { ParsedDoc } from './core/yaml-source.js';
import { hashText } from './load/hash.js';
import { appliedKeys } from './override/unused-overriders.js';
import { snapshot, stamp, type CacheIdentity, type Snapshots, type TreeSnapshot } from './build-cache.js';
import type { Json, RenderedObject, ReplicaOverride, Resource } from './types.js';

const FORMAT = 4;

/** What one object's render and checks gave, recorded for the next build. */
interface ObjectRecord {
  /**
   * The files its diagnostics point into, with the hash of their bytes: a position holds while
   * its file is unchanged (an object that reported nothing depends on no file's layout).
   */
  files: Record<string, string>;
  /** The clusters it rendered into, sorted. */
  clusters: string[];
  /** Everything its render and checks reported, in order, duplicates included. */
  diagnostics: Diagnostic[];
  /** appliedKeys of its rendered copies (unused typed overriders are found across objects). */
  applied: string[];
}

interface Entry {
  format: number;
  global: string;
  outDir: string;
  /** The top-level folders its snapshot only lists (build-cache.ts, snapshot). */
  outside: string[];
  /** Hash of the output tree's snapshot (build-cache.ts) after the build. */
  tree: string;
  /** The same, per top-level folder: a partial build checks only the folders it builds. */
  folders: Record<string, string>;
  /** Per-object key -> record. */
  objects: Record<string, ObjectRecord>;
}

/**
 * The entry of the last build of this identity, if the output tree is still as it left it. A
 * partial build (--cluster, --shard) without one may take objects from the last full build's
 * entry instead, if its own folders are as that build left them (RenderPass).
 */
export class RenderCache {
  private constructor(
    private readonly file: string,
    readonly prior: Entry | undefined,
    /** A partial build's fallback: the full build's entry, its folders not yet checked. */
    readonly full: Entry | undefined,
    readonly memo: Snapshots | undefined,
  ) {}

  /** Never fails: an absent, unreadable, stale or damaged entry gives an empty cache. */
  static async load(cacheDir: string, id: CacheIdentity, memo?: Snapshots): Promise<RenderCache> {
    const file = entryPath(cacheDir, id);
    const own = await readEntry(file);
    const prior = own && digest(snapshot(own.outDir, memo, own.outside)) === own.tree ? own : undefined;
    const partial = (id.clusters?.length ?? 0) > 0 || id.shard !== undefined;
    const full =
      !prior && partial
        ? await readEntry(entryPath(cacheDir, { ...id, clusters: undefined, shard: undefined }))
        : undefined;
    return new RenderCache(file, prior, full?.outside.length === 0 ? full : undefined, memo);
  }

  /**
   * Starts a build's render stage: works out which objects can be reused and records what the
   * others report. `clustersOf` gives the clusters each object is rendered into in this build.
   */
  begin(inputs: PassInputs): RenderPass {
    return new RenderPass(this, inputs);
  }

  /** Records a build that succeeded; the tree is the output directory after writing. */
  async store(pass: RenderPass, memo?: Snapshots): Promise<void> {
    if (!pass.cacheable) return;
    const { tree, folders } = treeDigests(snapshot(pass.outDir, memo, pass.outside), pass.outside);
    const entry: Entry = {
      format: FORMAT,
      global: pass.global,
      outDir: pass.outDir,
      outside: [...pass.outside],
      tree,
      folders,
      objects: pass.records(),
    };
    const dir = join(this.file, '..');
    await mkdir(dir, { recursive: true });
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(entry));
    await rename(tmp, this.file);
  }
}

export interface PassInputs {
  configText: string;
  configDir: string;
  outDir: string;
  /** The clusters a partial build leaves out: their folders' files are not stated. */
  outside: readonly string[];
  /** Input file (relative to configDir) -> hash of its bytes: every file compile read. */
  hashes: ReadonlyMap<string, string>;
  /** The documents of the resource files (validation.crds' are only in `hashes`). */
  docs: readonly ParsedDoc[];
  resources: readonly Resource[];
  federatedGroups: ReadonlySet<string>;
  clustersOf: (r: Resource) => readonly string[];
  /** A partial build: the options and placement a full build of the same inputs would have. */
  full?: { options: unknown; clustersOf: (r: Resource) => readonly string[] };
  /** Objects that may be reused at all (the others are always rendered and checked). */
  reusable: (r: Resource) => boolean;
  scheduled: (r: Resource) => ReadonlyMap<string, ReplicaOverride> | undefined;
  /** Options that change what is rendered or reported. */
  options: unknown;
  reporter: Reporter;
}

/** One build's render stage, as the render cache sees it. */
export class RenderPass {
  readonly global: string;
  readonly outDir: string;
  readonly outside: readonly string[];
  /** Objects whose files and diagnostics are taken from the last build. */
  readonly reused = new Map<Resource, ObjectRecord>();
  private readonly keys = new Map<Resource, string>();
  private readonly captured = new Map<Resource, Diagnostic[]>();
  private current: Resource | undefined;
  private rendered: readonly RenderedObject[] = [];
  private final: Record<string, ObjectRecord> | undefined;
  /** False when some object has no key (its file was not hashed): nothing is recorded. */
  cacheable = true;

  /** Set by release(): what it dropped (the model, the documents) may be collected. */
  private source: PassInputs | undefined;
  private released = 0;

  private get inputs(): PassInputs {
    if (!this.source) throw new Error('RenderPass: used after release()');
    return this.source;
  }

  constructor(cache: RenderCache, inputs: PassInputs) {
    this.source = inputs;
    this.outDir = inputs.outDir;
    this.outside = inputs.outside;
    this.global = globalKey(inputs);
    const docs = new Map(inputs.docs.map((d) => [d.source, d]));
    const perFile = new Map<string, number>();
    for (const d of inputs.docs) perFile.set(d.source.file, (perFile.get(d.source.file) ?? 0) + 1);
    for (const r of inputs.resources) {
      const key = objectKey(r, docs.get(r.ref.doc), perFile.get(r.ref.doc.file) === 1, inputs);
      if (key === undefined) this.cacheable = false;
      else this.keys.set(r, key);
    }
    const prior = cache.prior;
    if (prior && prior.global === this.global && prior.outDir === this.outDir) {
      for (const [r, key] of this.keys) {
        const record = Object.hasOwn(prior.objects, key) ? prior.objects[key] : undefined;
        if (!record || !sameList(record.clusters, [...inputs.clustersOf(r)].sort())) continue;
        // Its value is unchanged; where it reported something, the positions must be too.
        if (Object.entries(record.files).some(([f, h]) => (inputs.hashes.get(f) ?? '') !== h)) continue;
        if (inputs.reusable(r)) this.reused.set(r, record);
      }
    } else if (cache.full && inputs.full && this.fullEntryHolds(cache.full, cache.memo, inputs.full)) {
      // The last full build's objects, for this build's clusters: the same global key (with
      // the full build's options and placement), its files in this build's folders as it left
      // them. Only objects that reported nothing: a record does not say which cluster a
      // diagnostic was about, and this build reports only its own clusters'.
      for (const [r, key] of this.keys) {
        const record = Object.hasOwn(cache.full.objects, key) ? cache.full.objects[key] : undefined;
        if (!record || record.diagnostics.length || !inputs.reusable(r)) continue;
        if (!sameList(record.clusters, [...inputs.full.clustersOf(r)].sort())) continue;
        // applied only serves the full build's unused-overrider check, which this one skips.
        this.reused.set(r, {
          files: {},
          clusters: [...inputs.clustersOf(r)].sort(),
          diagnostics: [],
          applied: [],
        });
      }
    }
    // Every diagnostic reported while an object is current is that object's.
    inputs.reporter.tap = (d) => {
      if (this.current) this.captured.get(this.current)?.push(d);
    };
    for (const r of inputs.resources) if (!this.reused.has(r)) this.captured.set(r, []);
  }

  private fullEntryHolds(
    full: Entry,
    memo: Snapshots | undefined,
    view: NonNullable<PassInputs['full']>,
  ): boolean {
    if (full.outDir !== this.outDir) return false;
    if (full.global !== globalKey({ ...this.inputs, ...view })) return false;
    const mine = folderDigests(snapshot(this.outDir, memo, this.outside), this.outside);
    return Object.entries(mine).every(([folder, d]) => full.folders[folder] === d);
  }

  /** Reports again what the reused objects reported last time. */
  replay(): void {
    this.attribute(undefined);
    for (const record of this.reused.values())
      for (const d of record.diagnostics) this.inputs.reporter.replay(d);
  }

  /** Diagnostics reported from now on are r's (undefined: nobody's). */
  attribute(r: Resource | undefined): void {
    this.current = r;
  }

  /** The (object, cluster) pairs of the reused objects: they count as rendered. */
  reusedPlacements(): { resource: Resource; cluster: string }[] {
    return [...this.reused].flatMap(([resource, rec]) =>
      rec.clusters.map((cluster) => ({ resource, cluster })),
    );
  }

  /** What the reused objects' overrides applied. */
  reusedApplied(): string[] {
    return [...this.reused.values()].flatMap((rec) => rec.applied);
  }

  /** Stand-ins for the reused objects' copies: emit names them (only their identity is read). */
  standIns(clusters: ReadonlyMap<string, RenderedObject['cluster']>): RenderedObject[] {
    const out: RenderedObject[] = [];
    for (const [resource, rec] of this.reused)
      for (const name of rec.clusters) {
        const cluster = clusters.get(name);
        if (cluster) out.push({ resource, cluster, body: resource.body, applied: [] });
      }
    return out;
  }

  /** The objects this build rendered itself. */
  setRendered(rendered: readonly RenderedObject[]): void {
    this.rendered = rendered;
  }

  /** Ends the pass: the reporter no longer attributes. */
  end(): void {
    this.attribute(undefined);
    this.inputs.reporter.tap = undefined;
    // What store() records, made now: the rendered copies need not outlive the write.
    this.final = this.makeRecords();
    this.rendered = [];
  }

  /**
   * After the write: drops the documents, the model and the reused objects, keeping what store()
   * writes. At 10,000 x 50 they are hundreds of megabytes the caches would allocate beside.
   */
  release(): void {
    this.final ??= this.makeRecords();
    this.released = this.reused.size;
    this.reused.clear();
    this.keys.clear();
    this.captured.clear();
    this.source = undefined;
  }

  /** How many objects were reused (also after release()). */
  get reusedCount(): number {
    return this.source ? this.reused.size : this.released;
  }

  /** What to record for each object (made when the pass ends). */
  records(): Record<string, ObjectRecord> {
    return this.final ?? this.makeRecords();
  }

  private makeRecords(): Record<string, ObjectRecord> {
    const byResource = new Map<Resource, RenderedObject[]>();
    for (const o of this.rendered) {
      const list = byResource.get(o.resource);
      if (list) list.push(o);
      else byResource.set(o.resource, [o]);
    }
    const out: Record<string, ObjectRecord> = {};
    for (const [r, key] of this.keys) {
      const reused = this.reused.get(r);
      if (reused) {
        out[key] = reused;
        continue;
      }
      const objects = byResource.get(r) ?? [];
      out[key] = {
        files: Object.fromEntries(
          [...new Set((this.captured.get(r) ?? []).map((d) => d.file))].map((f) => [
            f,
            this.inputs.hashes.get(f) ?? '',
          ]),
        ),
        clusters: objects.map((o) => o.cluster.name).sort(),
        diagnostics: this.captured.get(r) ?? [],
        applied: [...appliedKeys(objects)].sort(),
      };
    }
    return out;
  }
}

/** Everything that crosses objects; see the comment at the top. */
function globalKey(inputs: PassInputs): string {
  const byDoc = new Map<unknown, Resource[]>();
  for (const r of inputs.resources) {
    const list = byDoc.get(r.ref.doc);
    if (list) list.push(r);
    else byDoc.set(r.ref.doc, [r]);
  }
  // The values of the documents that are not one plain object: they reach other objects.
  const shared: [string, number, string][] = [];
  const parsed = new Set<string>();
  for (const d of inputs.docs) {
    parsed.add(d.source.file);
    if (!isPlainObject(byDoc.get(d.source), inputs.federatedGroups))
      shared.push([
        d.source.file,
        d.source.index,
        d.verbatim !== undefined ? `v${d.verbatim}` : encode(d.value),
      ]);
  }
  // Files without a parsed document (validation.crds, empty or broken files): their bytes.
  const files = [...inputs.hashes]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([f, h]) => (parsed.has(f) ? [f] : [f, h]));
  const objects = inputs.resources.map((r) => [
    r.id.apiVersion,
    r.id.kind,
    r.id.namespace ?? null,
    r.id.name,
    r.scope,
    r.ref.doc.file,
    [...inputs.clustersOf(r)].sort(),
  ]);
  return hashText(
    JSON.stringify([
      FORMAT,
      stamp(),
      findGitRoot(inputs.configDir) ?? '',
      inputs.outDir,
      inputs.options,
      hashText(inputs.configText),
      files,
      shared,
      objects,
    ]),
  );
}

/**
 * A document that is one object (a plain manifest or a Federated<Kind>; not a Namespace, CRD,
 * List or any other KubeFed object: RSPs, FTCs, KubeFedClusters): its value matters to itself
 * only, besides its identity and placement. (KubeFed objects' schema checks run every build.)
 */
function isPlainObject(rs: readonly Resource[] | undefined, federatedGroups: ReadonlySet<string>): boolean {
  const r = rs?.length === 1 ? rs[0] : undefined;
  return (
    r !== undefined &&
    r.ref.path.length === 0 &&
    !r.isNamespace &&
    r.id.kind !== 'Namespace' &&
    r.id.kind !== 'CustomResourceDefinition' &&
    !r.id.group.endsWith('kubefed.io') &&
    !federatedGroups.has(r.id.group)
  );
}

/**
 * One object's own inputs: its document's value (or a SOPS document's text) and place, and its
 * scheduled replicas. Not its file's other bytes: a comment or a sibling document changed
 * elsewhere in the file leaves its files and (unless it reported something) its checks alone.
 * Undefined when its document or its file's bytes are unknown.
 */
function objectKey(
  r: Resource,
  doc: ParsedDoc | undefined,
  alone: boolean,
  inputs: PassInputs,
): string | undefined {
  const fileHash = inputs.hashes.get(r.ref.doc.file);
  if (!doc || fileHash === undefined) return undefined;
  const scheduled = [...(inputs.scheduled(r) ?? [])]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([c, s]) => [c, s.replicas, s.origin, s.ref.doc.file, s.ref.doc.index, s.ref.path]);
  // The only document of its file: the file's bytes (already hashed) stand for its value.
  const value = alone ? `f${fileHash}` : doc.verbatim !== undefined ? `v${doc.verbatim}` : encode(doc.value);
  return hashText(JSON.stringify([r.ref.doc.file, r.ref.doc.index, r.ref.path, scheduled, value]));
}

/** A JSON value as text that tells every value apart (NaN, -0 and Infinity included). */
function encode(v: Json): string {
  if (v === null) return 'n';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return `d${Object.is(v, -0) ? '-0' : String(v)}`;
  if (typeof v === 'string') return `s${JSON.stringify(v)}`;
  if (Array.isArray(v)) return `[${v.map(encode).join(',')}]`;
  return `{${Object.keys(v)
    .map((k) => `${JSON.stringify(k)}:${encode(v[k]!)}`)
    .join(',')}}`;
}

/**
 * A snapshot's hash, fed a chunk at a time: one JSON text of a 400,000-file tree is tens of
 * megabytes more at the build's peak (10,000 x 50).
 */
function digest(tree: TreeSnapshot): string {
  return treeDigests(tree, [], false).tree;
}

/** A digest per top-level folder of the tree, but for those only listed (`outside`). */
function folderDigests(tree: TreeSnapshot, outside: readonly string[]): Record<string, string> {
  return treeDigests(tree, outside).folders;
}

/**
 * The whole tree's digest and each top-level folder's (but those in `outside`; none when not
 * `perFolder`), in one pass.
 */
function treeDigests(
  tree: TreeSnapshot,
  outside: readonly string[],
  perFolder = true,
): { tree: string; folders: Record<string, string> } {
  const skip = new Set(outside);
  const all = { hash: createHash('sha256'), chunk: '' };
  const folders = new Map<string, { hash: Hash; chunk: string }>();
  const flush = (h: { hash: Hash; chunk: string }) => {
    h.hash.update(h.chunk);
    h.chunk = '';
  };
  for (const [path, size, mtime, ino] of tree) {
    const line = `${path}\0${size}\0${mtime}\0${ino}\n`;
    all.chunk += line;
    if (all.chunk.length > 65536) flush(all);
    const i = perFolder ? path.indexOf('/') : -1;
    if (i < 0 || skip.has(path.slice(0, i))) continue;
    const top = path.slice(0, i);
    let h = folders.get(top);
    if (!h) folders.set(top, (h = { hash: createHash('sha256'), chunk: '' }));
    h.chunk += line;
    if (h.chunk.length > 65536) flush(h);
  }
  flush(all);
  const out: Record<string, string> = {};
  for (const [top, h] of folders) {
    flush(h);
    out[top] = h.hash.digest('hex');
  }
  return { tree: all.hash.digest('hex'), folders: out };
}

async function readEntry(file: string): Promise<Entry | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return isEntry(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function entryPath(cacheDir: string, id: CacheIdentity): string {
  const key = hashText(
    JSON.stringify([id.configPath, id.outDir ?? '', id.clusters ?? [], id.shard ?? null, !!id.strict]),
  );
  return join(cacheDir, 'renders', `${key}.json`);
}

/** The shape this module writes (a damaged or foreign file is ignored). */
function isEntry(v: unknown): v is Entry {
  return (
    isObject(v) &&
    v.format === FORMAT &&
    typeof v.global === 'string' &&
    typeof v.outDir === 'string' &&
    Array.isArray(v.outside) &&
    v.outside.every((o) => typeof o === 'string') &&
    typeof v.tree === 'string' &&
    isObject(v.folders) &&
    Object.values(v.folders).every((d) => typeof d === 'string') &&
    isObject(v.objects) &&
    Object.values(v.objects).every(
      (o) =>
        isObject(o) &&
        isObject(o.files) &&
        Array.isArray(o.clusters) &&
        Array.isArray(o.applied) &&
        Array.isArray(o.diagnostics) &&
        o.diagnostics.every(isDiagnostic),
    )
  );
}

function isDiagnostic(d: unknown): boolean {
  return (
    isObject(d) &&
    typeof d.code === 'string' &&
    (d.severity === 'error' || d.severity === 'warning') &&
    typeof d.message === 'string' &&
    typeof d.file === 'string' &&
    typeof d.line === 'number' &&
    typeof d.column === 'number' &&
    (d.hint === undefined || typeof d.hint === 'string')
  );
}
