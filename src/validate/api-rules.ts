// The API server's own checks that no OpenAPI schema carries (so neither the schema stage nor
// kubeconform sees them): enums, quantity syntax, int-or-string meaning, port and int32 ranges,
// required specs, label and selector syntax, data keys. One table, walked once per built-in
// object (api-walk.ts); each rule cites the function of k8s.io/kubernetes pkg/apis/<group>/validation
// or k8s.io/apimachinery it mirrors.
import {
  atLeast,
  APPS,
  BATCH,
  CORE,
  eachOneOf,
  NETWORKING,
  oneOf,
  type Rule,
  type RuleTable,
} from './api-walk.js';
import {
  backendPort,
  configMapDuplicateKeys,
  daemonSetRollingUpdate,
  dataKeys,
  deploymentStrategy,
  dnsLabel,
  hpaReplicas,
  ingressPath,
  ingressSpec,
  labels,
  labelSelector,
  objectMeta,
  podSpec,
  restartPolicy,
  selectorMatchesTemplate,
  serviceSpec,
  specRequired,
} from './api-checks-objects.js';
import {
  containerResources,
  cronSchedule,
  int32,
  intOrPercent,
  nonNegativeQuantities,
  portName,
  portNumber,
  portNumOrName,
  pvcSpec,
  quantity,
} from './api-checks-values.js';

// ---------------------------------------------------------------------------------------------
// The table.

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const NON_NEGATIVE = (field: string) => atLeast('non-negative', `ValidateNonnegativeField (${field})`, 0);
const REPLICA_TEMPLATE = (kind: string, fn: string) =>
  restartPolicy(kind, ['spec', 'template'], ['Always'], `${fn} (${APPS})`);
const JOB_POLICIES = ['OnFailure', 'Never'];

export const API_RULES: RuleTable = {
  int32,
  types: {
    'api.resource.Quantity': [quantity],
    'meta.v1.ObjectMeta': [objectMeta],
    'meta.v1.LabelSelector': [labelSelector],
    'core.v1.ResourceRequirements': [containerResources],
    'core.v1.VolumeResourceRequirements': [
      nonNegativeQuantities('non-negative-quantity', `ValidatePersistentVolumeClaimSpec (${CORE})`),
    ],
    'core.v1.PersistentVolumeClaimSpec': [pvcSpec],
    'core.v1.PodSpec': [podSpec],
    'core.v1.ServiceSpec': [serviceSpec],
    'core.v1.ConfigMap': [configMapDuplicateKeys],
    'core.v1.Pod': [specRequired('Pod', 'spec.containers')],
    'core.v1.PersistentVolumeClaim': [
      specRequired('PersistentVolumeClaim', 'spec.accessModes and spec.resources'),
    ],
    'apps.v1.Deployment': [
      specRequired('Deployment', 'spec.selector and spec.template'),
      REPLICA_TEMPLATE('Deployment', 'ValidatePodTemplateSpecForReplicaSet'),
      selectorMatchesTemplate('Deployment', `ValidateDeploymentSpec (${APPS})`),
    ],
    'apps.v1.ReplicaSet': [
      specRequired('ReplicaSet', 'spec.selector and spec.template'),
      REPLICA_TEMPLATE('ReplicaSet', 'ValidatePodTemplateSpecForReplicaSet'),
      selectorMatchesTemplate('ReplicaSet', `ValidateReplicaSetSpec (${APPS})`),
    ],
    'apps.v1.StatefulSet': [
      specRequired('StatefulSet', 'spec.selector and spec.template'),
      REPLICA_TEMPLATE('StatefulSet', 'ValidatePodTemplateSpecForStatefulSet'),
      selectorMatchesTemplate('StatefulSet', `ValidateStatefulSetSpec (${APPS})`),
    ],
    'apps.v1.DaemonSet': [
      specRequired('DaemonSet', 'spec.selector and spec.template'),
      REPLICA_TEMPLATE('DaemonSet', 'ValidateDaemonSetSpec'),
      selectorMatchesTemplate('DaemonSet', `ValidateDaemonSetSpec (${APPS})`),
    ],
    'apps.v1.DeploymentStrategy': [deploymentStrategy],
    'apps.v1.RollingUpdateDaemonSet': [daemonSetRollingUpdate],
    'batch.v1.Job': [
      specRequired('Job', 'spec.template'),
      restartPolicy('Job', ['spec', 'template'], JOB_POLICIES, `validateJobSpec (${BATCH})`),
      selectorMatchesTemplate('Job', `ValidateJobSpec (${BATCH})`, true),
    ],
    'batch.v1.CronJob': [
      specRequired('CronJob', 'spec.schedule and spec.jobTemplate'),
      restartPolicy(
        'CronJob',
        ['spec', 'jobTemplate', 'spec', 'template'],
        JOB_POLICIES,
        `ValidateJobTemplateSpec (${BATCH})`,
      ),
    ],
    'networking.v1.IngressSpec': [ingressSpec],
    'networking.v1.HTTPIngressPath': [ingressPath],
    'networking.v1.ServiceBackendPort': [backendPort],
    'autoscaling.v2.HorizontalPodAutoscalerSpec': [hpaReplicas],
  },
  fields: {
    // core: pods and containers
    'core.v1.Container.name': [dnsLabel('container-name', `validateContainers (${CORE})`, 'container name')],
    'core.v1.Volume.name': [dnsLabel('volume-name', `validateVolumes (${CORE})`, 'volume name')],
    'core.v1.Container.imagePullPolicy': [
      oneOf('enum', `validatePullPolicy (${CORE})`, ['Always', 'IfNotPresent', 'Never']),
    ],
    'core.v1.Container.terminationMessagePolicy': [
      oneOf('enum', `validateContainers (${CORE})`, ['File', 'FallbackToLogsOnError']),
    ],
    'core.v1.PodSpec.restartPolicy': [
      oneOf('enum', `validateRestartPolicy (${CORE})`, ['Always', 'OnFailure', 'Never']),
    ],
    'core.v1.PodSpec.dnsPolicy': [
      oneOf('enum', `validateDNSPolicy (${CORE})`, [
        'ClusterFirstWithHostNet',
        'ClusterFirst',
        'Default',
        'None',
      ]),
    ],
    'core.v1.PodSpec.preemptionPolicy': [
      oneOf('enum', `ValidatePodSpec (${CORE})`, ['PreemptLowerPriority', 'Never']),
    ],
    'core.v1.PodSpec.nodeSelector': [labels],
    'core.v1.PodSpec.terminationGracePeriodSeconds': [NON_NEGATIVE(CORE)],
    'core.v1.PodSpec.activeDeadlineSeconds': [atLeast('non-negative', `ValidatePodSpec (${CORE})`, 1)],
    'core.v1.Toleration.operator': [oneOf('enum', `validateTolerations (${CORE})`, ['Exists', 'Equal'])],
    'core.v1.Toleration.effect': [
      oneOf('enum', `validateTaintEffect (${CORE})`, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
    ],
    'core.v1.NodeSelectorRequirement.operator': [
      oneOf('enum', `validateNodeSelectorRequirement (${CORE})`, [
        'In',
        'NotIn',
        'Exists',
        'DoesNotExist',
        'Gt',
        'Lt',
      ]),
    ],
    'core.v1.TopologySpreadConstraint.whenUnsatisfiable': [
      oneOf('enum', `validateTopologySpreadConstraints (${CORE})`, ['DoNotSchedule', 'ScheduleAnyway']),
    ],
    'core.v1.HTTPGetAction.scheme': [oneOf('enum', `validateHTTPGetAction (${CORE})`, ['HTTP', 'HTTPS'])],
    'core.v1.HTTPGetAction.port': [
      portNumOrName('port', `validateHTTPGetAction: ValidatePortNumOrName (${CORE})`),
    ],
    'core.v1.TCPSocketAction.port': [
      portNumOrName('port', `validateTCPSocketAction: ValidatePortNumOrName (${CORE})`),
    ],
    'core.v1.GRPCAction.port': [portNumber('port', `validateGRPCAction (${CORE})`)],
    'core.v1.Probe.initialDelaySeconds': [NON_NEGATIVE(`validateProbe, ${CORE}`)],
    'core.v1.Probe.timeoutSeconds': [NON_NEGATIVE(`validateProbe, ${CORE}`)],
    'core.v1.Probe.periodSeconds': [NON_NEGATIVE(`validateProbe, ${CORE}`)],
    'core.v1.Probe.successThreshold': [NON_NEGATIVE(`validateProbe, ${CORE}`)],
    'core.v1.Probe.failureThreshold': [NON_NEGATIVE(`validateProbe, ${CORE}`)],
    'core.v1.ContainerPort.containerPort': [portNumber('port', `validateContainerPorts (${CORE})`)],
    'core.v1.ContainerPort.hostPort': [
      portNumber('port', `validateContainerPorts (${CORE})`, { zero: true }),
    ],
    'core.v1.ContainerPort.name': [
      portName('port-name', `validateContainerPorts: IsValidPortName (${CORE})`),
    ],
    'core.v1.ContainerPort.protocol': [oneOf('enum', `validateContainerPorts (${CORE})`, PROTOCOLS)],
    'core.v1.HostPathVolumeSource.type': [
      oneOf('enum', `validateHostPathType (${CORE})`, [
        '',
        'DirectoryOrCreate',
        'Directory',
        'FileOrCreate',
        'File',
        'Socket',
        'CharDevice',
        'BlockDevice',
      ]),
    ],
    'core.v1.SeccompProfile.type': [
      oneOf('enum', `validateSeccompProfileField (${CORE})`, ['RuntimeDefault', 'Unconfined', 'Localhost']),
    ],
    // core: services
    'core.v1.ServiceSpec.type': [
      oneOf('enum', `ValidateService (${CORE})`, ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']),
    ],
    'core.v1.ServiceSpec.externalTrafficPolicy': [
      oneOf('enum', `validateServiceExternalTrafficPolicy (${CORE})`, ['Cluster', 'Local']),
    ],
    'core.v1.ServiceSpec.internalTrafficPolicy': [
      oneOf('enum', `validateServiceInternalTrafficFieldsValue (${CORE})`, ['Cluster', 'Local']),
    ],
    'core.v1.ServiceSpec.sessionAffinity': [oneOf('enum', `ValidateService (${CORE})`, ['None', 'ClientIP'])],
    'core.v1.ServiceSpec.ipFamilyPolicy': [
      oneOf('enum', `ValidateService (${CORE})`, ['SingleStack', 'PreferDualStack', 'RequireDualStack']),
    ],
    'core.v1.ServiceSpec.ipFamilies': [eachOneOf('enum', `validateIPFamilies (${CORE})`, ['IPv4', 'IPv6'])],
    'core.v1.ServiceSpec.selector': [labels],
    'core.v1.ServicePort.protocol': [oneOf('enum', `validateServicePort (${CORE})`, PROTOCOLS)],
    'core.v1.ServicePort.port': [portNumber('port', `validateServicePort (${CORE})`)],
    'core.v1.ServicePort.targetPort': [portNumOrName('port', `validateServicePort (${CORE})`)],
    'core.v1.ServicePort.nodePort': [
      portNumber('port', `ValidateService (${CORE})`, { zero: true, nodePort: true }),
    ],
    'core.v1.ServicePort.name': [dnsLabel('port-name', `validateServicePort (${CORE})`, 'Service port name')],
    // core: storage, config
    'core.v1.PersistentVolumeClaimSpec.accessModes': [
      eachOneOf('enum', `ValidatePersistentVolumeClaimSpec (${CORE})`, [
        'ReadWriteOnce',
        'ReadOnlyMany',
        'ReadWriteMany',
        'ReadWriteOncePod',
      ]),
    ],
    'core.v1.PersistentVolumeClaimSpec.volumeMode': [
      oneOf('enum', `ValidatePersistentVolumeClaimSpec (${CORE})`, ['Filesystem', 'Block']),
    ],
    'core.v1.PersistentVolumeSpec.persistentVolumeReclaimPolicy': [
      oneOf('enum', `ValidatePersistentVolumeSpec (${CORE})`, ['Retain', 'Delete', 'Recycle']),
    ],
    'core.v1.ResourceQuotaSpec.hard': [
      nonNegativeQuantities('non-negative-quantity', `ValidateResourceQuota (${CORE})`),
    ],
    'core.v1.ConfigMap.data': [dataKeys],
    'core.v1.ConfigMap.binaryData': [dataKeys],
    'core.v1.Secret.data': [dataKeys],
    'core.v1.Secret.stringData': [dataKeys],
    'core.v1.ReplicationControllerSpec.selector': [labels],
    'core.v1.ReplicationControllerSpec.replicas': [NON_NEGATIVE(CORE)],
    // apps
    'apps.v1.DeploymentSpec.replicas': [NON_NEGATIVE(APPS)],
    'apps.v1.DeploymentSpec.minReadySeconds': [NON_NEGATIVE(APPS)],
    'apps.v1.DeploymentSpec.revisionHistoryLimit': [NON_NEGATIVE(APPS)],
    'apps.v1.DeploymentSpec.progressDeadlineSeconds': [NON_NEGATIVE(APPS)],
    'apps.v1.DeploymentStrategy.type': [
      oneOf('enum', `ValidateDeploymentStrategy (${APPS})`, ['Recreate', 'RollingUpdate']),
    ],
    'apps.v1.RollingUpdateDeployment.maxSurge': [
      intOrPercent('int-or-percent', `ValidateRollingUpdateDeployment (${APPS})`, false),
    ],
    'apps.v1.RollingUpdateDeployment.maxUnavailable': [
      intOrPercent('int-or-percent', `ValidateRollingUpdateDeployment (${APPS})`, true),
    ],
    'apps.v1.ReplicaSetSpec.replicas': [NON_NEGATIVE(APPS)],
    'apps.v1.ReplicaSetSpec.minReadySeconds': [NON_NEGATIVE(APPS)],
    'apps.v1.StatefulSetSpec.replicas': [NON_NEGATIVE(APPS)],
    'apps.v1.StatefulSetSpec.minReadySeconds': [NON_NEGATIVE(APPS)],
    'apps.v1.StatefulSetSpec.revisionHistoryLimit': [NON_NEGATIVE(APPS)],
    'apps.v1.StatefulSetSpec.podManagementPolicy': [
      oneOf('enum', `ValidateStatefulSetSpec (${APPS})`, ['OrderedReady', 'Parallel']),
    ],
    'apps.v1.StatefulSetUpdateStrategy.type': [
      oneOf('enum', `ValidateStatefulSetSpec (${APPS})`, ['RollingUpdate', 'OnDelete']),
    ],
    'apps.v1.RollingUpdateStatefulSetStrategy.maxUnavailable': [
      intOrPercent('int-or-percent', `ValidateStatefulSetUpdateStrategy (${APPS})`, true),
    ],
    'apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy.whenDeleted': [
      oneOf('enum', `ValidatePersistentVolumeClaimRetentionPolicyType (${APPS})`, ['Retain', 'Delete']),
    ],
    'apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy.whenScaled': [
      oneOf('enum', `ValidatePersistentVolumeClaimRetentionPolicyType (${APPS})`, ['Retain', 'Delete']),
    ],
    'apps.v1.DaemonSetSpec.minReadySeconds': [NON_NEGATIVE(APPS)],
    'apps.v1.DaemonSetSpec.revisionHistoryLimit': [NON_NEGATIVE(APPS)],
    'apps.v1.DaemonSetUpdateStrategy.type': [
      oneOf('enum', `ValidateDaemonSetUpdateStrategy (${APPS})`, ['RollingUpdate', 'OnDelete']),
    ],
    'apps.v1.RollingUpdateDaemonSet.maxSurge': [
      intOrPercent('int-or-percent', `ValidateRollingUpdateDaemonSet (${APPS})`, false),
    ],
    'apps.v1.RollingUpdateDaemonSet.maxUnavailable': [
      intOrPercent('int-or-percent', `ValidateRollingUpdateDaemonSet (${APPS})`, true),
    ],
    // batch
    'batch.v1.JobSpec.parallelism': [NON_NEGATIVE(BATCH)],
    'batch.v1.JobSpec.completions': [NON_NEGATIVE(BATCH)],
    'batch.v1.JobSpec.activeDeadlineSeconds': [NON_NEGATIVE(BATCH)],
    'batch.v1.JobSpec.backoffLimit': [NON_NEGATIVE(BATCH)],
    'batch.v1.JobSpec.ttlSecondsAfterFinished': [NON_NEGATIVE(BATCH)],
    'batch.v1.JobSpec.completionMode': [
      oneOf('enum', `validateJobSpec (${BATCH})`, ['NonIndexed', 'Indexed']),
    ],
    'batch.v1.JobSpec.podReplacementPolicy': [
      oneOf('enum', `validateJobSpec (${BATCH})`, ['TerminatingOrFailed', 'Failed']),
    ],
    'batch.v1.CronJobSpec.schedule': [cronSchedule],
    'batch.v1.CronJobSpec.concurrencyPolicy': [
      oneOf('enum', `validateConcurrencyPolicy (${BATCH})`, ['Allow', 'Forbid', 'Replace']),
    ],
    'batch.v1.CronJobSpec.startingDeadlineSeconds': [NON_NEGATIVE(BATCH)],
    'batch.v1.CronJobSpec.successfulJobsHistoryLimit': [NON_NEGATIVE(BATCH)],
    'batch.v1.CronJobSpec.failedJobsHistoryLimit': [NON_NEGATIVE(BATCH)],
    // networking, policy, autoscaling
    'networking.v1.HTTPIngressPath.pathType': [
      oneOf('enum', `validateHTTPIngressRuleValue (${NETWORKING})`, [
        'Exact',
        'Prefix',
        'ImplementationSpecific',
      ]),
    ],
    'networking.v1.ServiceBackendPort.number': [
      portNumber('port', `validateIngressBackend (${NETWORKING})`, { zero: true }),
    ],
    'networking.v1.ServiceBackendPort.name': [
      portName('port-name', `validateIngressBackend (${NETWORKING})`),
    ],
    'networking.v1.NetworkPolicySpec.policyTypes': [
      eachOneOf('enum', `ValidateNetworkPolicySpec (${NETWORKING})`, ['Ingress', 'Egress']),
    ],
    'networking.v1.NetworkPolicyPort.protocol': [
      oneOf('enum', `ValidateNetworkPolicyPort (${NETWORKING})`, PROTOCOLS),
    ],
    'networking.v1.NetworkPolicyPort.port': [
      portNumOrName('port', `ValidateNetworkPolicyPort (${NETWORKING})`),
    ],
    'networking.v1.NetworkPolicyPort.endPort': [
      portNumber('port', `ValidateNetworkPolicyPort (${NETWORKING})`),
    ],
    'policy.v1.PodDisruptionBudgetSpec.minAvailable': [
      intOrPercent('int-or-percent', 'ValidatePodDisruptionBudgetSpec (pkg/apis/policy/validation)', true),
    ],
    'policy.v1.PodDisruptionBudgetSpec.maxUnavailable': [
      intOrPercent('int-or-percent', 'ValidatePodDisruptionBudgetSpec (pkg/apis/policy/validation)', true),
    ],
    'policy.v1.PodDisruptionBudgetSpec.unhealthyPodEvictionPolicy': [
      oneOf('enum', 'ValidatePodDisruptionBudgetSpec (pkg/apis/policy/validation)', [
        'IfHealthyBudget',
        'AlwaysAllow',
      ]),
    ],
    'autoscaling.v2.HorizontalPodAutoscalerSpec.minReplicas': [
      atLeast('non-negative', 'validateHorizontalPodAutoscalerSpec (pkg/apis/autoscaling/validation)', 1),
    ],
    'autoscaling.v2.HorizontalPodAutoscalerSpec.maxReplicas': [
      atLeast('non-negative', 'validateHorizontalPodAutoscalerSpec (pkg/apis/autoscaling/validation)', 1),
    ],
    'autoscaling.v2.MetricSpec.type': [
      oneOf('enum', 'validateMetricSpec (pkg/apis/autoscaling/validation)', [
        'Object',
        'Pods',
        'Resource',
        'ContainerResource',
        'External',
      ]),
    ],
    'autoscaling.v2.MetricTarget.type': [
      oneOf('enum', 'validateMetricTarget (pkg/apis/autoscaling/validation)', [
        'Utilization',
        'Value',
        'AverageValue',
      ]),
    ],
  },
};

/** Every rule of the table once, for the tests' coverage check. */
export function allRules(): Rule[] {
  const seen = new Map<string, Rule>();
  for (const list of [
    ...Object.values(API_RULES.types),
    ...Object.values(API_RULES.fields),
    [API_RULES.int32],
  ])
    for (const r of list) if (!seen.has(r.id)) seen.set(r.id, r);
  return [...seen.values()];
}
