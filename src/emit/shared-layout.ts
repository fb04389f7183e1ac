// Output layout `shared` (output.layout: shared): the per-cluster tree emit.ts made -> the same
// objects, with every file that two or more clusters hold at the same path with the same bytes
// (and no cluster holds with other bytes) written once, in `_shared/<cluster set>/`, a folder
// with its own kustomization.yaml that each of those clusters' kustomization.yaml lists as a
// base. kustomize sorts what it builds (legacy order), so `kubectl kustomize <cluster>` prints
// exactly what the default layout's folder prints. Pure: paths are relative to the output dir.
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { isObject } from '../core/cow.js';
import { cmp } from '../core/diagnostics.js';
import { serializeDocument } from '../core/serialize.js';
import type { OutputFile } from '../types.js';

export const SHARED_DIR = '_shared';
/** The folder of the objects every cluster of the federation gets alike. */
export const ALL_CLUSTERS = 'all';
/** Longest readable folder name (`eu-1+eu-2+us-1`); longer sets are named by a hash. */
const MAX_READABLE = 128;

export interface SharedFolder {
  /** `_shared/<name>`. */
  path: string;
  /** The clusters that list it, sorted. */
  clusters: string[];
}

export interface SharedLayout {
  files: OutputFile[];
  /** The shared folders the new tree's clusters list. */
  folders: SharedFolder[];
}

/**
 * The folder name of a set of two or more clusters: `all` for every cluster of the federation,
 * else the names joined by `+` (DNS-1123 labels hold no `+`, so no two sets share a name), or
 * `<n>-clusters-<12 hex digits of SHA-256 of the names>` when that would exceed 128 bytes.
 * It depends on the set alone, so a folder keeps its name from build to build.
 */
export function sharedFolderName(members: readonly string[], all: readonly string[]): string {
  const set = [...members].sort(cmp);
  if (set.length === new Set(all).size) return ALL_CLUSTERS;
  const joined = set.join('+');
  if (Buffer.byteLength(joined) <= MAX_READABLE) return joined;
  const digest = createHash('sha256').update(set.join('\n')).digest('hex').slice(0, 12);
  return `${set.length}-clusters-${digest}`;
}

interface Tree {
  /** The kustomization's resources: files in apply order. */
  order: string[];
  files: Map<string, string>;
}

/**
 * `files`: the default layout's tree of every cluster in `all` that has a folder (a partial build
 * passes the clusters outside it too, so that it shares exactly what a full build shares);
 * `selected`: the clusters whose folders the result holds, with the shared folders they list.
 */
export function sharedLayout(
  files: readonly OutputFile[],
  all: readonly string[],
  selected: readonly string[],
): SharedLayout {
  const trees = new Map<string, Tree>();
  const tree = (dir: string) => {
    let t = trees.get(dir);
    if (!t) trees.set(dir, (t = { order: [], files: new Map() }));
    return t;
  };
  for (const f of files) {
    const slash = f.path.indexOf('/');
    const t = tree(f.path.slice(0, slash));
    const rel = f.path.slice(slash + 1);
    if (rel === 'kustomization.yaml') t.order = listedFiles(f.content);
    else t.files.set(rel, f.content);
  }
  // Per path: the clusters holding it, and whether they all hold the same bytes.
  const holders = new Map<string, { content: string; same: boolean; clusters: string[] }>();
  const names = [...trees.keys()].sort(cmp);
  for (const name of names) {
    for (const [rel, content] of trees.get(name)!.files) {
      const h = holders.get(rel);
      if (!h) holders.set(rel, { content, same: true, clusters: [name] });
      else {
        h.same &&= h.content === content;
        h.clusters.push(name);
      }
    }
  }
  const folderOf = new Map<string, string>();
  const members = new Map<string, string[]>();
  for (const [rel, h] of holders) {
    if (!h.same || h.clusters.length < 2) continue;
    const folder = `${SHARED_DIR}/${sharedFolderName(h.clusters, all)}`;
    folderOf.set(rel, folder);
    members.set(folder, h.clusters);
  }

  const out: OutputFile[] = [];
  const listed = new Map<string, string[]>();
  for (const name of [...selected].sort(cmp)) {
    const t = trees.get(name);
    if (!t) continue;
    const bases = new Set<string>();
    const own: string[] = [];
    for (const rel of t.order) {
      const folder = folderOf.get(rel);
      if (folder) bases.add(folder);
      else {
        own.push(rel);
        out.push({ path: `${name}/${rel}`, content: t.files.get(rel)! });
      }
    }
    for (const folder of bases) if (!listed.has(folder)) listed.set(folder, t.order);
    out.push({
      path: `${name}/kustomization.yaml`,
      content: kustomization([...[...bases].sort(byFolder).map((f) => `../${f}`), ...own]),
    });
  }
  const folders: SharedFolder[] = [];
  for (const [folder, order] of [...listed].sort((a, b) => byFolder(a[0], b[0]))) {
    const clusters = members.get(folder)!;
    const inFolder = order.filter((rel) => folderOf.get(rel) === folder);
    // Every member holds these files with these bytes: take them from the first.
    const first = trees.get(clusters[0]!)!;
    for (const rel of inFolder) out.push({ path: `${folder}/${rel}`, content: first.files.get(rel)! });
    out.push({
      path: `${folder}/kustomization.yaml`,
      content:
        `# Written by fedrender (output.layout: shared): the objects that clusters ${clusters.join(', ')} get alike.\n` +
        kustomization(inFolder),
    });
    folders.push({ path: folder, clusters });
  }
  return { files: out.sort((a, b) => cmp(a.path, b.path)), folders };
}

/** The files a kustomization.yaml of emit.ts lists, in its (apply) order. */
function listedFiles(text: string): string[] {
  const doc: unknown = parse(text);
  const resources = isObject(doc) ? doc.resources : undefined;
  return Array.isArray(resources) ? resources.filter((r) => typeof r === 'string') : [];
}

/** `_shared/all` first, then the other folders by name. */
function byFolder(a: string, b: string): number {
  const all = `${SHARED_DIR}/${ALL_CLUSTERS}`;
  return a === b ? 0 : a === all ? -1 : b === all ? 1 : cmp(a, b);
}

function kustomization(resources: string[]): string {
  return serializeDocument({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources,
  });
}

/** A write or delete the writer plans, relative to the output directory. */
export interface PlannedChange {
  path: string;
  /** The file exists now (a replaced or deleted file; not a new one). */
  exists: boolean;
}

/**
 * A partial build (--cluster, --shard) must not change what clusters outside it get: the shared
 * folders whose existing files it would replace or delete, when a cluster outside the build
 * lists them, with those clusters. New files in a new folder change nobody else's output.
 */
export function sharedFoldersInUse(
  changes: readonly PlannedChange[],
  folders: readonly SharedFolder[],
  built: readonly string[],
): { folder: string; others: string[] }[] {
  const inBuild = new Set(built);
  const touched = new Set<string>();
  for (const c of changes) {
    if (!c.exists || !c.path.startsWith(`${SHARED_DIR}/`)) continue;
    touched.add(c.path.split('/').slice(0, 2).join('/'));
  }
  return folders
    .filter((f) => touched.has(f.path))
    .map((f) => ({ folder: f.path, others: f.clusters.filter((c) => !inBuild.has(c)) }))
    .filter((f) => f.others.length > 0);
}
