// The well-known custom resource groups fedrender ships schemas for (validate/well-known-crds.ts)
// and which of their kinds are cluster-scoped: facts the model needs before validation runs.
import { groupOf } from './kubefed-types.js';

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

/**
 * Kinds of these groups that are cluster-scoped (their CRDs' spec.scope: Cluster), so that an
 * object of one is not given a namespace when no CRD says so.
 */
const CLUSTER_SCOPED = new Set([
  'cert-manager.io/ClusterIssuer',
  'trust.cert-manager.io/Bundle',
  'external-secrets.io/ClusterSecretStore',
  'external-secrets.io/ClusterExternalSecret',
  'external-secrets.io/ClusterPushSecret',
  'generators.external-secrets.io/ClusterGenerator',
  'gateway.networking.k8s.io/GatewayClass',
  'keda.sh/ClusterTriggerAuthentication',
  'eventing.keda.sh/ClusterCloudEventSource',
]);

export function isWellKnownClusterScoped(group: string, kind: string): boolean {
  return CLUSTER_SCOPED.has(`${group}/${kind}`);
}

export function wellKnownPackage(apiVersion: string): string | undefined {
  return PACKAGES[groupOf(apiVersion)];
}
