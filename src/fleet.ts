// Several fedrender projects in one fleet repository (SPEC §5). Each project's output directory
// holds `.fedrender-project.yaml`, written (and owned) like any rendered file: the project's name,
// its federation.yaml and the GitOps objects it generates. Before a build writes, those of the
// other projects in the repository are read, and an object both would generate is an error
// naming both projects. Pure but for that read.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { globby } from 'globby';
import { parse } from 'yaml';
import { isObject } from './core/cow.js';
import { serializeDocument } from './core/serialize.js';
import type { Cluster, FederationConfig, OutputFile } from './types.js';

/** A GitOps object as a key: `Application argocd/shop-east`, `Kustomization east:flux-system/shop`. */
export function gitopsObjects(config: FederationConfig, clusters: readonly Cluster[]): string[] {
  const { gitops, name, argocd, flux } = config.output;
  if (gitops === 'argocd') {
    // Applications live in Argo CD's namespace; an ApplicationSet generates them for every cluster.
    const apps = (argocd.mode === 'applicationset' ? config.clusters : clusters).map(
      (c) => `Application ${argocd.namespace}/${argocd.namePrefix}${c.name}`,
    );
    return [
      ...(argocd.mode === 'applicationset' ? [`ApplicationSet ${argocd.namespace}/${name}`] : []),
      ...apps,
    ].sort();
  }
  // A Kustomization lives in the cluster whose Flux applies its folder.
  if (gitops === 'flux')
    return clusters.map((c) => `Kustomization ${c.name}:${flux.namespace}/${name}`).sort();
  return [];
}

export const PROJECT_FILE = '.fedrender-project.yaml';

/**
 * `<output dir>/.fedrender-project.yaml`: the project's name, its federation.yaml relative to the
 * output directory when both are in `root` (the repository: a path leaving it would differ
 * between machines), and its GitOps objects.
 */
export function projectFile(config: FederationConfig, outDir: string, root: string): OutputFile {
  const inRoot = (p: string) => p === root || p.startsWith(root + sep);
  const federation = resolve(config.dir, config.file);
  return {
    path: PROJECT_FILE,
    content:
      '# Written by fedrender: this project, for the other fedrender projects of the repository.\n' +
      serializeDocument({
        apiVersion: 'fedrender.io/v1alpha1',
        kind: 'Project',
        name: config.output.name,
        ...(inRoot(outDir) && inRoot(federation)
          ? { federation: relative(outDir, federation).split(sep).join('/') }
          : {}),
        objects: gitopsObjects(config, config.clusters),
      }),
  };
}

interface OtherRecord {
  file: string;
  project: string;
  federation: string;
  objects: string[];
}

/**
 * The records of every project under `roots` (the git repository, or else this project's folder
 * and its Flux directory), without node_modules and .git. `skip`: folders not to look in (this
 * project's own cluster folders: a fleet's 400,000 rendered files are no place for a record).
 */
async function readRecords(roots: readonly string[], skip: readonly string[]): Promise<OtherRecord[]> {
  const files = new Set<string>();
  for (const root of roots) {
    const own = skip
      .map((d) => relative(root, d).split(sep).join('/'))
      .filter((r) => r !== '' && r !== '..' && !r.startsWith('../') && !isAbsolute(r));
    const found = await globby([`**/${PROJECT_FILE}`], {
      cwd: root,
      dot: true,
      absolute: true,
      followSymbolicLinks: false,
      ignore: [
        '**/node_modules/**',
        '**/.git/**',
        '**/*.fedrender-stage/**',
        '**/*.fedrender-old/**',
        ...own.map((r) => `${r.replace(/[*?[\]{}()!@+\\]/g, '\\$&')}/**`),
      ],
    }).catch(() => []);
    for (const f of found) files.add(f);
  }
  const out: OtherRecord[] = [];
  for (const file of [...files].sort()) {
    try {
      const parsed: unknown = parse(await readFile(file, 'utf8'));
      const rec = isObject(parsed) ? (parsed as Partial<OtherRecord> & { name?: string }) : undefined;
      // A file counts when its project is there to ask: one written from outside the repository,
      // or a copy (a test's expected tree, a backup) whose federation.yaml is not beside it, does not.
      if (!rec || typeof rec.name !== 'string' || typeof rec.federation !== 'string') continue;
      const federation = resolve(dirname(file), rec.federation);
      if (!existsSync(federation)) continue;
      out.push({
        file,
        project: rec.name,
        federation,
        objects: Array.isArray(rec.objects) ? rec.objects.filter((o) => typeof o === 'string') : [],
      });
    } catch {
      // an unreadable or hand-broken record names no project: nothing to compare with
    }
  }
  return out;
}

export interface FleetConflict {
  object: string;
  project: string;
  /** The other project's federation.yaml. */
  where: string;
}

/** GitOps objects of this project that another project's records say it generates too. */
export async function fleetConflicts(
  config: FederationConfig,
  objects: readonly string[],
  roots: readonly string[],
  /** This project's cluster folders, not searched. */
  skip: readonly string[] = [],
): Promise<FleetConflict[]> {
  const self = resolve(config.dir, config.file);
  const mine = new Set(objects);
  const out: FleetConflict[] = [];
  for (const rec of await readRecords(roots, skip)) {
    if (rec.federation === self) continue;
    for (const o of rec.objects) {
      if (mine.has(o)) out.push({ object: o, project: rec.project, where: rec.federation });
    }
  }
  return out;
}
