// The well-known custom resource groups fedrender ships schemas for (validate/well-known-crds.ts)
// and which of their kinds are cluster-scoped: facts the model needs before validation runs,
// read from the shipped CRDs' index (schemas/well-known/index.json, a few KiB).
import { arr, obj, str } from './json-read.js';
import { groupOf } from './kubefed-types.js';
import { readPackageJson } from './package-files.js';

/** API group -> the package serving it, `<package>/<group>/<version>` exporting one class per kind. */
const PACKAGES: Record<string, string> = {
  'bitnami.com': '@kubernetes-models/sealed-secrets',
  'external-secrets.io': '@kubernetes-models/external-secrets',
  'generators.external-secrets.io': '@kubernetes-models/external-secrets',
  'cert-manager.io': '@kubernetes-models/cert-manager',
  'acme.cert-manager.io': '@kubernetes-models/cert-manager',
  'trust.cert-manager.io': '@kubernetes-models/cert-manager',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'argoproj.io': '@kubernetes-models/argo-cd',
  'kustomize.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
  'helm.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
  'source.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
  'notification.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
  'image.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
  'gateway.networking.k8s.io': '@kubernetes-models/gateway-api',
  'gateway.networking.x-k8s.io': '@kubernetes-models/gateway-api',
  'networking.istio.io': '@kubernetes-models/istio',
  'security.istio.io': '@kubernetes-models/istio',
  'telemetry.istio.io': '@kubernetes-models/istio',
  'extensions.istio.io': '@kubernetes-models/istio',
  'keda.sh': '@kubernetes-models/keda',
  'eventing.keda.sh': '@kubernetes-models/keda',
};

/** Shipped CRDs (schemas/well-known/index.json): group -> kind -> scope and served versions. */
type Index = Map<string, Map<string, { scope: string; versions: string[] }>>;
let index: Index | undefined;

function shippedIndex(): Index {
  if (index) return index;
  index = new Map();
  const raw = readPackageJson('schemas/well-known/index.json');
  for (const [group, kinds] of Object.entries(obj(raw) ?? {})) {
    const m = new Map<string, { scope: string; versions: string[] }>();
    for (const [kind, k] of Object.entries(obj(kinds) ?? {})) {
      const versions = (arr(obj(k)?.versions) ?? []).filter((v) => typeof v === 'string');
      m.set(kind, { scope: str(obj(k)?.scope) ?? 'Namespaced', versions });
    }
    index.set(group, m);
  }
  return index;
}

/** trust-manager's Bundle: served by @kubernetes-models/cert-manager only, no CRD shipped. */
const MODEL_ONLY_CLUSTER_SCOPED = new Set(['trust.cert-manager.io/Bundle']);

/**
 * Whether a kind of these groups is cluster-scoped (its CRD's spec.scope: Cluster), so that an
 * object of one is not given a namespace when no user CRD says so.
 */
export function isWellKnownClusterScoped(group: string, kind: string): boolean {
  return (
    shippedIndex().get(group)?.get(kind)?.scope === 'Cluster' ||
    MODEL_ONLY_CLUSTER_SCOPED.has(`${group}/${kind}`)
  );
}

/** Every `group/version/Kind` of the shipped CRDs, for did-you-mean. */
export function wellKnownKinds(): string[] {
  const out: string[] = [];
  for (const [group, kinds] of shippedIndex())
    for (const [kind, k] of kinds) for (const v of k.versions) out.push(`${group}/${v}/${kind}`);
  return out;
}

export function wellKnownPackage(apiVersion: string): string | undefined {
  return PACKAGES[groupOf(apiVersion)];
}
