// Stage emit, GitOps (SPEC §5): clusters -> the objects that make Argo CD or Flux apply each
// cluster's rendered directory. Pure, like emit.ts: `repoPath` is the output directory's path in
// the git repository ('' = its root), worked out by the pipeline; files are paths + text through
// the one serializer, sorted by path.
import { cmp } from '../core/diagnostics.js';
import { repoJoin } from '../core/git-root.js';
import { serializeDocument } from '../core/serialize.js';
import type { ArgoCdSettings, Cluster, FluxSettings, JsonObject, OutputFile } from '../types.js';
import { safeSegment } from './file-names.js';

/** Folder of the Applications inside the output directory; no cluster may be named so. */
export const ARGOCD_DIR = 'argocd';
const ARGOCD_INDEX = `${ARGOCD_DIR}/kustomization.yaml`;
/** File name of each cluster's Kustomization in its folder of the Flux fleet directory. */
const FLUX_FILE = 'fedrender.yaml';
/** Every Kustomization has this name: each cluster's Flux applies only its own folder. */
const FLUX_NAME = 'fedrender';

/**
 * One Application per cluster, `argocd/<cluster>.yaml`, plus `argocd/kustomization.yaml` listing
 * them, so an app-of-apps or `kubectl apply -k` can take the folder whole.
 */
export function argoApplications(
  clusters: readonly Cluster[],
  s: ArgoCdSettings,
  repoPath: string,
): OutputFile[] {
  const files = [...clusters]
    .sort((a, b) => cmp(a.name, b.name))
    .map((c) => ({
      path: `${ARGOCD_DIR}/${safeSegment(c.name)}.yaml`,
      content: serializeDocument(argoApplication(c, s, repoPath)),
    }));
  return [...files, ...argoIndex(files)].sort((a, b) => cmp(a.path, b.path));
}

function argoApplication(c: Cluster, s: ArgoCdSettings, repoPath: string): JsonObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: s.namePrefix + c.name, namespace: s.namespace },
    spec: {
      project: s.project,
      source: {
        repoURL: s.repoURL ?? '',
        targetRevision: s.targetRevision,
        path: repoJoin(repoPath, safeSegment(c.name)),
      },
      // Argo CD takes the API server URL, or else the name the cluster is registered under
      // (its cluster secret's `name`); the CRD wants exactly one of the two.
      destination: c.server !== undefined ? { server: c.server } : { name: c.name },
      syncPolicy: { automated: { prune: s.prune, selfHeal: s.selfHeal } },
    },
  };
}

/**
 * `argocd/kustomization.yaml` for the Applications among `files` (a whole output tree, carried
 * files included). The writer calls it again after --cluster has kept other clusters'
 * Applications, so the list always matches the folder.
 */
export function argoIndex(files: readonly OutputFile[]): OutputFile[] {
  const apps = files
    .map((f) => f.path)
    .filter((p) => p.startsWith(`${ARGOCD_DIR}/`) && p !== ARGOCD_INDEX && p.split('/').length === 2)
    .map((p) => p.slice(ARGOCD_DIR.length + 1))
    .sort(cmp);
  return [
    {
      path: ARGOCD_INDEX,
      content: serializeDocument({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: apps,
      }),
    },
  ];
}

/** One Kustomization per cluster, `<cluster>/fedrender.yaml`, relative to the Flux directory. */
export function fluxKustomizations(
  clusters: readonly Cluster[],
  s: FluxSettings,
  repoPath: string,
): OutputFile[] {
  return [...clusters]
    .sort((a, b) => cmp(a.name, b.name))
    .map((c) => ({
      path: `${safeSegment(c.name)}/${FLUX_FILE}`,
      content: serializeDocument(fluxKustomization(c, s, repoPath)),
    }));
}

function fluxKustomization(c: Cluster, s: FluxSettings, repoPath: string): JsonObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: FLUX_NAME, namespace: s.namespace },
    spec: {
      interval: s.interval,
      // Relative to the source's root; Flux's own manifests write it with a leading `./`.
      path: `./${repoJoin(repoPath, safeSegment(c.name))}`,
      prune: true,
      sourceRef: { ...s.sourceRef },
      ...fluxDecryption(s),
    },
  };
}

/** spec.decryption, so Flux decrypts the SOPS documents passed through as written. */
function fluxDecryption(s: FluxSettings): JsonObject {
  const d = s.decryption;
  if (!d) return {};
  return {
    decryption: {
      provider: d.provider,
      ...(d.secretRef ? { secretRef: { name: d.secretRef.name } } : {}),
      ...(d.serviceAccountName ? { serviceAccountName: d.serviceAccountName } : {}),
    },
  };
}
