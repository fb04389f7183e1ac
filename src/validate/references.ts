// Pod templates that refer to ConfigMaps, Secrets, ServiceAccounts or PersistentVolumeClaims that
// fedrender renders for some clusters but not for this one: the pods would fail to start there.
// A warning at the reference, naming the cluster. References to objects fedrender never renders
// (created by other means) and `optional: true` references are left alone.
import type { Reporter } from '../core/diagnostics.js';
import { isObject } from '../core/cow.js';
import type { Json, RenderedObject } from '../types.js';
import { locate } from './names.js';
import { POD_SPEC_PATHS } from '../core/pod-spec.js';

type Ref = {
  kind: 'ConfigMap' | 'Secret' | 'ServiceAccount' | 'PersistentVolumeClaim';
  name: string;
  path: (string | number)[];
};

export function checkReferences(rendered: readonly RenderedObject[], reporter: Reporter): void {
  const index = referenceIndex(rendered.map((o) => ({ resource: o.resource, cluster: o.cluster.name })));
  for (const o of rendered) checkObjectReferences(o, index, reporter);
}

/** Which objects are rendered where: anywhere, and per cluster. */
export interface ReferenceIndex {
  anywhere: Set<string>;
  perCluster: Map<string, Set<string>>;
}

export function referenceIndex(
  placed: Iterable<{ resource: { id: RenderedObject['resource']['id'] }; cluster: string }>,
): ReferenceIndex {
  const anywhere = new Set<string>();
  const perCluster = new Map<string, Set<string>>();
  for (const o of placed) {
    const k = key(o.resource.id.kind, o.resource.id.namespace, o.resource.id.name);
    anywhere.add(k);
    if (!perCluster.has(o.cluster)) perCluster.set(o.cluster, new Set());
    perCluster.get(o.cluster)!.add(k);
  }
  return { anywhere, perCluster };
}

/** The references of one rendered object's pod template that dangle in its cluster. */
export function checkObjectReferences(o: RenderedObject, index: ReferenceIndex, reporter: Reporter): void {
  const specPath = POD_SPEC_PATHS[o.resource.id.kind];
  if (!specPath || o.resource.id.group !== groupFor(o.resource.id.kind)) return;
  let spec: Json | undefined = o.body;
  for (const s of specPath) spec = isObject(spec) ? spec[s] : undefined;
  if (!isObject(spec)) return;
  const here = index.perCluster.get(o.cluster.name) ?? new Set<string>();
  for (const ref of podRefs(spec, specPath)) {
    const k = key(ref.kind, o.resource.id.namespace, ref.name);
    if (index.anywhere.has(k) && !here.has(k)) {
      reporter.warning(
        'DANGLING_REFERENCE',
        locate(o, ref.path, false),
        `${o.resource.id.kind} ${o.resource.id.name} refers to ${ref.kind} ${ref.name}, which is rendered for other clusters but not for "${o.cluster.name}"; its pods would not start there`,
      );
    }
  }
}

function key(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

function groupFor(kind: string): string {
  return ['Pod', 'PodTemplate', 'ReplicationController'].includes(kind)
    ? ''
    : kind === 'Job' || kind === 'CronJob'
      ? 'batch'
      : 'apps';
}

function* podRefs(spec: Record<string, Json>, base: readonly string[]): Generator<Ref> {
  const at = (...p: (string | number)[]) => [...base, ...p];
  const refs: Ref[] = [];
  if (typeof spec.serviceAccountName === 'string')
    yield { kind: 'ServiceAccount', name: spec.serviceAccountName, path: at('serviceAccountName') };
  each(spec.imagePullSecrets, (s, i) => {
    if (isObject(s) && typeof s.name === 'string')
      refs.push({ kind: 'Secret', name: s.name, path: at('imagePullSecrets', i, 'name') });
  });
  each(spec.volumes, (v, i) => {
    if (!isObject(v)) return;
    const cm = v.configMap;
    if (isObject(cm) && typeof cm.name === 'string' && cm.optional !== true)
      refs.push({ kind: 'ConfigMap', name: cm.name, path: at('volumes', i, 'configMap', 'name') });
    const sec = v.secret;
    if (isObject(sec) && typeof sec.secretName === 'string' && sec.optional !== true)
      refs.push({ kind: 'Secret', name: sec.secretName, path: at('volumes', i, 'secret', 'secretName') });
    const pvc = v.persistentVolumeClaim;
    if (isObject(pvc) && typeof pvc.claimName === 'string')
      refs.push({
        kind: 'PersistentVolumeClaim',
        name: pvc.claimName,
        path: at('volumes', i, 'persistentVolumeClaim', 'claimName'),
      });
    const projected = v.projected;
    if (isObject(projected)) {
      each(projected.sources, (src, j) => {
        if (!isObject(src)) return;
        for (const [field, kind] of [
          ['configMap', 'ConfigMap'],
          ['secret', 'Secret'],
        ] as const) {
          const x = src[field];
          if (isObject(x) && typeof x.name === 'string' && x.optional !== true)
            refs.push({
              kind,
              name: x.name,
              path: at('volumes', i, 'projected', 'sources', j, field, 'name'),
            });
        }
      });
    }
  });
  for (const list of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    each(spec[list], (c, i) => {
      if (!isObject(c)) return;
      each(c.envFrom, (e, j) => {
        if (!isObject(e)) return;
        for (const [field, kind] of [
          ['configMapRef', 'ConfigMap'],
          ['secretRef', 'Secret'],
        ] as const) {
          const x = e[field];
          if (isObject(x) && typeof x.name === 'string' && x.optional !== true)
            refs.push({ kind, name: x.name, path: at(list, i, 'envFrom', j, field, 'name') });
        }
      });
      each(c.env, (e, j) => {
        const from = isObject(e) ? e.valueFrom : undefined;
        if (!isObject(from)) return;
        for (const [field, kind] of [
          ['configMapKeyRef', 'ConfigMap'],
          ['secretKeyRef', 'Secret'],
        ] as const) {
          const x = from[field];
          if (isObject(x) && typeof x.name === 'string' && x.optional !== true)
            refs.push({ kind, name: x.name, path: at(list, i, 'env', j, 'valueFrom', field, 'name') });
        }
      });
    });
  }
  yield* refs;
}

function each(list: Json | undefined, f: (item: Json, i: number) => void): void {
  if (Array.isArray(list)) list.forEach(f);
}
