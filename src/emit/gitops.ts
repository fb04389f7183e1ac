// Stage emit, GitOps (SPEC §5): clusters -> the objects that make Argo CD or Flux apply each
// cluster's rendered directory. Pure, like emit.ts: `repoPath` is the output directory's path in
// the git repository ('' = its root), worked out by the pipeline; files are paths + text through
// the one serializer, sorted by path.
import { cmp } from '../core/diagnostics.js';
import { repoJoin } from '../core/git-root.js';
import { ARGOCD_DIR } from '../core/output-folders.js';
import { serializeDocument } from '../core/serialize.js';
import type { ArgoCdSettings, Cluster, FluxSettings, JsonObject, OutputFile } from '../types.js';
import { safeSegment } from './file-names.js';

const ARGOCD_INDEX = `${ARGOCD_DIR}/kustomization.yaml`;
/** The ApplicationSet's file (output.argocd.mode: applicationset). */
const APPSET_FILE = `${ARGOCD_DIR}/applicationset.yaml`;

/**
 * One Application per cluster, `argocd/<cluster>.yaml`, or one ApplicationSet generating them
 * (`argocd/applicationset.yaml`, over `all` clusters: it is not split by --cluster), plus
 * `argocd/kustomization.yaml` listing them, so an app-of-apps or `kubectl apply -k` can take the
 * folder whole.
 */
export function argoApplications(
  clusters: readonly Cluster[],
  s: ArgoCdSettings,
  repoPath: string,
  project: string,
  all: readonly Cluster[] = clusters,
): OutputFile[] {
  const files =
    s.mode === 'applicationset'
      ? [{ path: APPSET_FILE, content: serializeDocument(argoApplicationSet(all, s, repoPath, project)) }]
      : [...clusters]
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
    metadata: { name: s.namePrefix + c.name, namespace: s.namespace, ...metadataMaps(s) },
    // Argo CD takes the API server URL, or else the name the cluster is registered under
    // (its cluster secret's `name`); the CRD wants exactly one of the two.
    spec: argoSpec(
      s,
      repoJoin(repoPath, safeSegment(c.name)),
      c.server !== undefined ? { server: c.server } : { name: c.name },
    ),
  };
}

function argoSpec(s: ArgoCdSettings, path: string, destination: JsonObject): JsonObject {
  return {
    project: s.project,
    source: { repoURL: s.repoURL ?? '', targetRevision: s.targetRevision, path },
    destination,
    syncPolicy: {
      automated: { prune: s.prune, selfHeal: s.selfHeal },
      ...(s.syncOptions ? { syncOptions: [...s.syncOptions] } : {}),
      ...(s.retry ? { retry: structuredClone(s.retry) } : {}),
    },
    ...(s.ignoreDifferences ? { ignoreDifferences: structuredClone(s.ignoreDifferences) } : {}),
  };
}

function metadataMaps(s: { labels?: Record<string, string>; annotations?: Record<string, string> }) {
  return {
    ...(s.labels && Object.keys(s.labels).length ? { labels: { ...s.labels } } : {}),
    ...(s.annotations && Object.keys(s.annotations).length ? { annotations: { ...s.annotations } } : {}),
  };
}

/**
 * One ApplicationSet named after the project: a list generator with one element per cluster
 * (its name, rendered path and server) and a Go template giving the Applications that `application`
 * mode writes. The destination is the server, or the registered cluster name when no cluster has
 * one (pipeline.ts refuses a mix: a template has one destination field).
 */
function argoApplicationSet(
  clusters: readonly Cluster[],
  s: ArgoCdSettings,
  repoPath: string,
  project: string,
): JsonObject {
  const byServer = clusters.some((c) => c.server !== undefined);
  const elements = [...clusters]
    .sort((a, b) => cmp(a.name, b.name))
    .map((c) => ({
      cluster: c.name,
      path: repoJoin(repoPath, safeSegment(c.name)),
      ...(c.server !== undefined ? { server: c.server } : {}),
    }));
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: project, namespace: s.namespace, ...metadataMaps(s) },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ list: { elements } }],
      template: {
        metadata: { name: `${s.namePrefix}{{.cluster}}`, ...metadataMaps(s) },
        spec: argoSpec(s, '{{.path}}', byServer ? { server: '{{.server}}' } : { name: '{{.cluster}}' }),
      },
    },
  };
}

/**
 * `argocd/kustomization.yaml` for the Applications among `files` (a whole output tree, carried
 * files included). The writer calls it again after --cluster has kept other clusters'
 * Applications, so the list always matches the folder.
 */
export function argoIndex(files: readonly OutputFile[]): OutputFile[] {
  const apps = [
    ...new Set(
      files
        .map((f) => f.path)
        .filter((p) => p.startsWith(`${ARGOCD_DIR}/`) && p !== ARGOCD_INDEX && p.split('/').length === 2)
        .map((p) => p.slice(ARGOCD_DIR.length + 1)),
    ),
  ].sort(cmp);
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

/**
 * One Kustomization per cluster, `<cluster>/<project>.yaml` relative to the Flux directory, named
 * after the project: several projects share a fleet repository's cluster folders side by side.
 */
export function fluxKustomizations(
  clusters: readonly Cluster[],
  s: FluxSettings,
  repoPath: string,
  project: string,
): OutputFile[] {
  return [...clusters]
    .sort((a, b) => cmp(a.name, b.name))
    .map((c) => ({
      path: `${safeSegment(c.name)}/${project}.yaml`,
      content: serializeDocument(fluxKustomization(c, s, repoPath, project)),
    }));
}

function fluxKustomization(c: Cluster, s: FluxSettings, repoPath: string, project: string): JsonObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: project, namespace: s.namespace, ...metadataMaps(s) },
    spec: {
      interval: s.interval,
      // Relative to the source's root; Flux's own manifests write it with a leading `./`.
      path: `./${repoJoin(repoPath, safeSegment(c.name))}`,
      prune: true,
      sourceRef: { ...s.sourceRef },
      ...fluxDecryption(s),
      ...(s.dependsOn ? { dependsOn: structuredClone(s.dependsOn) } : {}),
      ...(s.wait !== undefined ? { wait: s.wait } : {}),
      ...(s.timeout !== undefined ? { timeout: s.timeout } : {}),
      ...(s.retryInterval !== undefined ? { retryInterval: s.retryInterval } : {}),
      ...(s.targetNamespace !== undefined ? { targetNamespace: s.targetNamespace } : {}),
      ...(s.postBuild ? { postBuild: structuredClone(s.postBuild) } : {}),
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
