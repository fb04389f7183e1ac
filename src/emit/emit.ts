// Stage emit: RenderedObjects -> the output tree as text, one file per object per cluster plus
// a kustomization.yaml per cluster listing its files in kustomize's legacy apply order. Pure:
// paths are relative to the output directory; writing is write.ts's job.
import { cmp } from '../core/diagnostics.js';
import { serializeDocument } from '../core/serialize.js';
import { isObject } from '../core/cow.js';
import type { Cluster, JsonObject, OutputFile, RenderedObject } from '../types.js';
import { compareApplyOrder, fileNames, safeSegment } from './file-names.js';

/** Two objects that would land in one file: neither is written; the caller reports it. */
export type OnCollision = (kept: RenderedObject, dropped: RenderedObject, path: string) => void;

export function emitClusters(
  rendered: readonly RenderedObject[],
  clusters: readonly Cluster[],
  onCollision: OnCollision = () => undefined,
  /** false: names and clashes only, no file texts (a caller that compares objects). */
  text = true,
  /**
   * Objects whose files an earlier build wrote and that are on disk unchanged (the render
   * cache): their paths go to `paths`, not serialized.
   */
  reused?: { has: (o: RenderedObject) => boolean; paths: string[] },
): OutputFile[] {
  const byCluster = new Map<string, RenderedObject[]>();
  for (const c of clusters) byCluster.set(c.name, []);
  for (const o of rendered) byCluster.get(o.cluster.name)?.push(o);
  const files: OutputFile[] = [];
  for (const name of [...byCluster.keys()].sort(cmp)) {
    const objects = byCluster.get(name)!.sort(compareApplyOrder);
    const { names, collisions } = fileNames(objects);
    const dir = safeSegment(name);
    for (const c of collisions) onCollision(c.kept, c.dropped, `${dir}/${c.path}`);
    if (!text) continue;
    for (const o of objects) {
      if (!names.has(o)) continue;
      if (reused?.has(o)) {
        reused.paths.push(`${dir}/${names.get(o)}`);
        continue;
      }
      // join, not a template: one flat string per path, not a rope of its parts (400,000 of them).
      files.push(new ObjectFile([dir, names.get(o)].join('/'), o));
    }
    files.push(
      new KustomizationFile(
        `${dir}/kustomization.yaml`,
        objects.filter((o) => names.has(o)).map((o) => names.get(o)!),
      ),
    );
  }
  return files.sort((a, b) => cmp(a.path, b.path));
}

/**
 * One object's file, its text made on each read and not kept: at fleet scale the texts are
 * hundreds of megabytes, and made while the writer waits on the disk they cost no time
 * (bench/bench.ts). The object is frozen, so every read gives the same text.
 */
class ObjectFile implements OutputFile {
  constructor(
    readonly path: string,
    private readonly object: RenderedObject,
  ) {}

  get content(): string {
    const o = this.object;
    // A SOPS-encrypted document goes out as written: reordering its keys breaks its MAC.
    return o.resource.verbatim ?? serializeDocument(withoutEmptyMetadataMaps(o.body), o.resource.body);
  }
}

/** A cluster's kustomization.yaml, made on each read as an object's file is (its text, made
 * by appending, is a rope of some 20 pieces per listed file: not worth keeping). */
class KustomizationFile implements OutputFile {
  constructor(
    readonly path: string,
    private readonly resources: readonly string[],
  ) {}

  get content(): string {
    return kustomization([...this.resources]);
  }
}

/**
 * `metadata.annotations: {}` (what removing the last annotation leaves) means the same as no
 * annotations to the API server, and kustomize drops it; so do we, so that the files and
 * `kubectl kustomize` agree object for object.
 */
export function withoutEmptyMetadataMaps(body: JsonObject): JsonObject {
  const meta = body.metadata;
  if (!isObject(meta)) return body;
  const empty = ['annotations', 'labels'].filter(
    (k) => isObject(meta[k]) && Object.keys(meta[k] as object).length === 0,
  );
  if (empty.length === 0) return body;
  const m = { ...meta };
  for (const k of empty) delete m[k];
  return { ...body, metadata: m };
}

function kustomization(resources: string[]): string {
  return serializeDocument({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources,
  });
}
