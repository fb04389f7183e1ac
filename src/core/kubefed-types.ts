// What fedrender knows about kinds without reading a schema: KubeFed's default federated types
// (what `kubefedctl enable` set up out of the box) and which built-in kinds are cluster-scoped.
import type { FederatedType } from '../types.js';

export const KUBEFED_TYPES_GROUP = 'types.kubefed.io';

/** KubeFed's default FederatedTypeConfigs (config/enabletypedirectives in KubeFed). */
export const KUBEFED_TYPES: readonly FederatedType[] = (
  [
    { federatedKind: 'FederatedNamespace', apiVersion: 'v1', kind: 'Namespace', scope: 'Cluster' },
    { federatedKind: 'FederatedConfigMap', apiVersion: 'v1', kind: 'ConfigMap', scope: 'Namespaced' },
    { federatedKind: 'FederatedSecret', apiVersion: 'v1', kind: 'Secret', scope: 'Namespaced' },
    { federatedKind: 'FederatedService', apiVersion: 'v1', kind: 'Service', scope: 'Namespaced' },
    {
      federatedKind: 'FederatedServiceAccount',
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      scope: 'Namespaced',
    },
    { federatedKind: 'FederatedDeployment', apiVersion: 'apps/v1', kind: 'Deployment', scope: 'Namespaced' },
    { federatedKind: 'FederatedReplicaSet', apiVersion: 'apps/v1', kind: 'ReplicaSet', scope: 'Namespaced' },
    { federatedKind: 'FederatedJob', apiVersion: 'batch/v1', kind: 'Job', scope: 'Namespaced' },
    {
      federatedKind: 'FederatedIngress',
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      scope: 'Namespaced',
    },
    {
      federatedKind: 'FederatedClusterRole',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      scope: 'Cluster',
    },
    {
      federatedKind: 'FederatedClusterRoleBinding',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      scope: 'Cluster',
    },
  ] as const
).map((t) => ({ ...t, federatedGroup: KUBEFED_TYPES_GROUP }));
export const KUBEFED_SCHEDULING_GROUP = 'scheduling.kubefed.io';

/** Built-in cluster-scoped kinds, keyed `group/Kind` (core group = empty). */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'scheduling.k8s.io/PriorityClass',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy',
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'node.k8s.io/RuntimeClass',
  'policy/PodSecurityPolicy',
  'certificates.k8s.io/CertificateSigningRequest',
  'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'resource.k8s.io/DeviceClass',
  'authentication.k8s.io/TokenReview',
  'authentication.k8s.io/SelfSubjectReview',
  'authorization.k8s.io/SubjectAccessReview',
  'authorization.k8s.io/SelfSubjectAccessReview',
  'authorization.k8s.io/SelfSubjectRulesReview',
  'types.kubefed.io/FederatedClusterRole',
  'types.kubefed.io/FederatedClusterRoleBinding',
]);

export function isBuiltinClusterScoped(group: string, kind: string): boolean {
  return CLUSTER_SCOPED.has(`${group}/${kind}`);
}

export function groupOf(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** Namespaces that every cluster has: never emitted as Namespace objects. */
export const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
