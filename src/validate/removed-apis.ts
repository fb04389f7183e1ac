// APIs Kubernetes has stopped serving, from its Deprecated API Migration Guide
// (https://kubernetes.io/docs/reference/using-api/deprecation-guide/): which release removed
// each apiVersion/kind and what replaces it, so a manifest written for an old cluster is told
// exactly that instead of "no schema".

export interface RemovedApi {
  /** Minor release that stopped serving it, e.g. "1.25". */
  removedIn: string;
  /** apiVersion to use instead, or what to do when no API replaces it. */
  replacement: string;
}

const WORKLOADS = ['Deployment', 'DaemonSet', 'ReplicaSet', 'StatefulSet'];

// [removed in, apiVersions, kinds, replacement]
const TABLE: [string, string[], string[], string][] = [
  ['1.16', ['extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2'], WORKLOADS, 'apps/v1'],
  ['1.16', ['extensions/v1beta1'], ['NetworkPolicy'], 'networking.k8s.io/v1'],
  [
    '1.16',
    ['extensions/v1beta1'],
    ['PodSecurityPolicy'],
    'policy/v1beta1 until 1.25, then Pod Security Admission',
  ],
  ['1.22', ['extensions/v1beta1', 'networking.k8s.io/v1beta1'], ['Ingress'], 'networking.k8s.io/v1'],
  ['1.22', ['networking.k8s.io/v1beta1'], ['IngressClass'], 'networking.k8s.io/v1'],
  [
    '1.22',
    ['admissionregistration.k8s.io/v1beta1'],
    ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    'admissionregistration.k8s.io/v1',
  ],
  ['1.22', ['apiextensions.k8s.io/v1beta1'], ['CustomResourceDefinition'], 'apiextensions.k8s.io/v1'],
  ['1.22', ['apiregistration.k8s.io/v1beta1'], ['APIService'], 'apiregistration.k8s.io/v1'],
  ['1.22', ['authentication.k8s.io/v1beta1'], ['TokenReview'], 'authentication.k8s.io/v1'],
  [
    '1.22',
    ['authorization.k8s.io/v1beta1'],
    ['SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview'],
    'authorization.k8s.io/v1',
  ],
  ['1.22', ['certificates.k8s.io/v1beta1'], ['CertificateSigningRequest'], 'certificates.k8s.io/v1'],
  ['1.22', ['coordination.k8s.io/v1beta1'], ['Lease'], 'coordination.k8s.io/v1'],
  [
    '1.22',
    ['rbac.authorization.k8s.io/v1beta1'],
    ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
    'rbac.authorization.k8s.io/v1',
  ],
  ['1.22', ['scheduling.k8s.io/v1beta1'], ['PriorityClass'], 'scheduling.k8s.io/v1'],
  [
    '1.22',
    ['storage.k8s.io/v1beta1'],
    ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
    'storage.k8s.io/v1',
  ],
  ['1.25', ['batch/v1beta1'], ['CronJob'], 'batch/v1'],
  ['1.25', ['discovery.k8s.io/v1beta1'], ['EndpointSlice'], 'discovery.k8s.io/v1'],
  ['1.25', ['events.k8s.io/v1beta1'], ['Event'], 'events.k8s.io/v1'],
  ['1.25', ['autoscaling/v2beta1'], ['HorizontalPodAutoscaler'], 'autoscaling/v2'],
  ['1.25', ['policy/v1beta1'], ['PodDisruptionBudget'], 'policy/v1'],
  [
    '1.25',
    ['policy/v1beta1'],
    ['PodSecurityPolicy'],
    'Pod Security Admission (namespace labels pod-security.kubernetes.io/*); no API replaces it',
  ],
  ['1.25', ['node.k8s.io/v1beta1'], ['RuntimeClass'], 'node.k8s.io/v1'],
  ['1.26', ['autoscaling/v2beta2'], ['HorizontalPodAutoscaler'], 'autoscaling/v2'],
  [
    '1.26',
    ['flowcontrol.apiserver.k8s.io/v1beta1'],
    ['FlowSchema', 'PriorityLevelConfiguration'],
    'flowcontrol.apiserver.k8s.io/v1',
  ],
  ['1.27', ['storage.k8s.io/v1beta1'], ['CSIStorageCapacity'], 'storage.k8s.io/v1'],
  [
    '1.29',
    ['flowcontrol.apiserver.k8s.io/v1beta2'],
    ['FlowSchema', 'PriorityLevelConfiguration'],
    'flowcontrol.apiserver.k8s.io/v1',
  ],
  [
    '1.32',
    ['flowcontrol.apiserver.k8s.io/v1beta3'],
    ['FlowSchema', 'PriorityLevelConfiguration'],
    'flowcontrol.apiserver.k8s.io/v1',
  ],
];

const BY_KEY = new Map<string, RemovedApi>();
for (const [removedIn, apiVersions, kinds, replacement] of TABLE)
  for (const apiVersion of apiVersions)
    for (const kind of kinds) BY_KEY.set(`${apiVersion}/${kind}`, { removedIn, replacement });

/** The removal of apiVersion/kind, if the deprecation guide lists one. */
export function removedApi(apiVersion: string, kind: string): RemovedApi | undefined {
  return BY_KEY.get(`${apiVersion}/${kind}`);
}
