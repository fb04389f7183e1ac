// The API server's own checks that no OpenAPI schema carries (so neither the schema stage nor
// kubeconform sees them): enums, quantity syntax, int-or-string meaning, port and int32 ranges,
// required specs, label and selector syntax, data keys. One table, walked once per built-in
// object (api-walk.ts); each rule cites the function of k8s.io/kubernetes pkg/apis/<group>/validation
// or k8s.io/apimachinery it mirrors.
import { didYouMean } from '../core/diagnostics.js';
import { isObject } from '../core/cow.js';
import type { PathSegment } from '../core/source.js';
import type { Json, JsonObject } from '../types.js';
import { atLeast, dig, eachOneOf, oneOf, show, type Rule, type RuleTable, type Visit } from './api-walk.js';
import {
  configMapKeyProblem,
  DNS1123_LABEL_WHAT,
  isDns1123Label,
  labelValueProblem,
  parseQuantity,
  portNameProblem,
  qualifiedNameProblem,
} from './k8s-syntax.js';

const CORE = 'pkg/apis/core/validation';
const APPS = 'pkg/apis/apps/validation';
const BATCH = 'pkg/apis/batch/validation';
const NETWORKING = 'pkg/apis/networking/validation';
const META = 'apimachinery pkg/apis/meta/v1/validation';

// ---------------------------------------------------------------------------------------------
// Quantities and resource lists.

const QUANTITY_HINT = 'a quantity is a number with an optional suffix: 500m, 2, 1.5, 128Mi, 1Gi, 1e3';

const quantity: Rule = {
  id: 'quantity',
  cites: 'resource.ParseQuantity (apimachinery pkg/api/resource)',
  check: (v) => {
    if (typeof v.value !== 'string' || parseQuantity(v.value) !== undefined) return;
    // The usual slips: a byte unit (`128MiB`, `10GB`) or a word (`1 core`).
    const bytes = /^\s*([\d.]+)\s*([KMGTPE]i?)B\s*$/.exec(v.value);
    const cores = /^\s*([\d.]+)\s*(?:cores?|cpus?|vcpus?)\s*$/i.exec(v.value);
    const fix = bytes ? `${bytes[1]!}${bytes[2]!}` : cores ? cores[1]! : undefined;
    v.report({
      message: `${JSON.stringify(v.value)} is not a quantity${fix ? ` (did you mean "${fix}"?)` : ''}`,
      hint: QUANTITY_HINT,
    });
  },
};

const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

/** Resource names, non-negative values and requests within limits of one container. */
const containerResources: Rule = {
  id: 'container-resources',
  cites: `ValidateResourceRequirements, validateContainerResourceName, ValidateResourceQuantityValue (${CORE})`,
  check: (v) => {
    if (!isObject(v.value)) return;
    const { limits, requests } = v.value;
    for (const [field, list] of [
      ['limits', limits],
      ['requests', requests],
    ] as const) {
      if (!isObject(list)) continue;
      for (const [name, q] of Object.entries(list)) {
        const at = [...v.path, field, name];
        if (
          !name.includes('/') &&
          !STANDARD_CONTAINER_RESOURCES.includes(name) &&
          !name.startsWith('hugepages-')
        ) {
          const guess = didYouMean(name, STANDARD_CONTAINER_RESOURCES);
          v.report({
            at,
            key: true,
            message: `"${name}" is not a container resource${guess ? ` (did you mean "${guess}"?)` : ''}`,
            hint: 'use cpu, memory, ephemeral-storage, hugepages-<size>, or an extended resource with a domain prefix (nvidia.com/gpu)',
          });
        }
        const n = typeof q === 'string' || typeof q === 'number' ? parseQuantity(q) : undefined;
        if (n !== undefined && n < 0)
          v.report({ at, message: `${field}.${name} must not be negative, found ${show(q)}` });
      }
    }
    if (!isObject(limits) || !isObject(requests)) return;
    for (const [name, q] of Object.entries(requests)) {
      const req = typeof q === 'string' || typeof q === 'number' ? parseQuantity(q) : undefined;
      const l = limits[name];
      const lim = typeof l === 'string' || typeof l === 'number' ? parseQuantity(l) : undefined;
      if (req !== undefined && lim !== undefined && req > lim)
        v.report({
          at: [...v.path, 'requests', name],
          message: `request ${show(q)} for ${name} is more than its limit ${show(l)}`,
        });
    }
  },
};

function nonNegativeQuantities(id: string, cites: string): Rule {
  return {
    id,
    cites,
    check: (v) => {
      if (!isObject(v.value)) return;
      for (const [name, q] of Object.entries(v.value)) {
        const n = typeof q === 'string' || typeof q === 'number' ? parseQuantity(q) : undefined;
        if (n !== undefined && n < 0)
          v.report({ at: [...v.path, name], message: `${name} must not be negative, found ${show(q)}` });
      }
    },
  };
}

const pvcSpec: Rule = {
  id: 'pvc-spec',
  cites: `ValidatePersistentVolumeClaimSpec (${CORE})`,
  check: (v) => {
    if (!isObject(v.value)) return;
    if (!Array.isArray(v.value.accessModes) || v.value.accessModes.length === 0)
      v.report({ key: true, message: 'at least one entry in accessModes is required' });
    if (dig(v.value, 'resources', 'requests', 'storage') === undefined)
      v.report({ key: true, message: 'resources.requests.storage is required' });
  },
};

// ---------------------------------------------------------------------------------------------
// Ports and int-or-string.

function portNumber(id: string, cites: string, opts: { zero?: boolean; nodePort?: boolean } = {}): Rule {
  return {
    id,
    cites,
    check: (v) => {
      const n = v.value;
      // A fraction is the schema's message (integer); one mistake, one message.
      if (typeof n !== 'number' || !Number.isInteger(n) || (opts.zero && n === 0)) return;
      if (n < 1 || n > 65535) v.report({ message: `expected a port number between 1 and 65535, found ${n}` });
      else if (opts.nodePort && (n < 30000 || n > 32767))
        v.report({
          warning: true,
          message: `nodePort ${n} is outside the default NodePort range 30000-32767`,
          hint: 'the API server refuses it unless its --service-node-port-range includes it',
        });
    },
  };
}

/** ValidatePortNumOrName: a port number, or the name of a container port (IANA_SVC_NAME). */
function portNumOrName(id: string, cites: string): Rule {
  const number = portNumber(id, cites);
  return {
    id,
    cites,
    check: (v) => {
      if (typeof v.value === 'number') return number.check(v);
      if (typeof v.value !== 'string') return;
      const problem = portNameProblem(v.value);
      if (problem)
        v.report({
          message: `${JSON.stringify(v.value)} is neither a port number nor a port name: a name ${problem}`,
          hint: /^\d+$/.test(v.value)
            ? `write ${v.value} without quotes for a port number`
            : 'a named port is the name of a container port (at most 15 lower-case letters, digits, "-")',
        });
    },
  };
}

function portName(id: string, cites: string): Rule {
  return {
    id,
    cites,
    check: (v) => {
      const problem = typeof v.value === 'string' ? portNameProblem(v.value) : undefined;
      if (problem) v.report({ message: `port name ${JSON.stringify(v.value)} ${problem}` });
    },
  };
}

/** ValidatePositiveIntOrPercent (+ IsNotMoreThan100Percent): `1`, `25%`, never `"25"` or `"abc"`. */
function intOrPercent(id: string, cites: string, max100: boolean): Rule {
  return {
    id,
    cites,
    check: (v) => {
      const x = v.value;
      if (typeof x === 'number') {
        if (Number.isInteger(x) && x < 0)
          v.report({ message: `expected a number >= 0 or a percentage, found ${x}` });
      } else if (typeof x === 'string') {
        const m = /^(\d+)%$/.exec(x);
        if (!m)
          v.report({
            message: `expected an integer or a percentage ("25%"), found ${JSON.stringify(x)}`,
            hint: /^\d+$/.test(x) ? `write ${x} without quotes, or "${x}%"` : undefined,
          });
        else if (max100 && Number(m[1]) > 100)
          v.report({ message: `expected at most 100%, found ${JSON.stringify(x)}` });
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Labels, selectors, keys, names.

function checkLabelMap(v: Visit, map: Json | undefined, at: PathSegment[]): void {
  if (!isObject(map)) return;
  for (const [k, value] of Object.entries(map)) {
    const keyProblem = qualifiedNameProblem(k);
    if (keyProblem) v.report({ at: [...at, k], key: true, message: `label key "${k}" ${keyProblem}` });
    const valueProblem = typeof value === 'string' ? labelValueProblem(value) : undefined;
    if (valueProblem) v.report({ at: [...at, k], message: `label value "${show(value)}" ${valueProblem}` });
  }
}

const labels: Rule = {
  id: 'labels',
  cites: `ValidateLabels (${META})`,
  name: true,
  check: (v) => checkLabelMap(v, v.value, [...v.path]),
};

const objectMeta: Rule = {
  id: 'object-meta',
  cites: `ValidateObjectMeta: ValidateLabels, ValidateAnnotations (${META}, apimachinery pkg/api/validation)`,
  name: true,
  check: (v) => {
    if (!isObject(v.value)) return;
    checkLabelMap(v, v.value.labels, [...v.path, 'labels']);
    const annotations = v.value.annotations;
    if (!isObject(annotations)) return;
    for (const k of Object.keys(annotations)) {
      const problem = qualifiedNameProblem(k.toLowerCase());
      if (problem)
        v.report({
          at: [...v.path, 'annotations', k],
          key: true,
          message: `annotation key "${k}" ${problem}`,
        });
    }
  },
};

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

const labelSelector: Rule = {
  id: 'label-selector',
  cites: `ValidateLabelSelector, ValidateLabelSelectorRequirement (${META})`,
  name: true,
  check: (v) => {
    if (!isObject(v.value)) return;
    checkLabelMap(v, v.value.matchLabels, [...v.path, 'matchLabels']);
    const exprs = v.value.matchExpressions;
    if (!Array.isArray(exprs)) return;
    exprs.forEach((e, i) => {
      if (!isObject(e)) return;
      const at = [...v.path, 'matchExpressions', i];
      if (typeof e.key === 'string') {
        const problem = qualifiedNameProblem(e.key);
        if (problem) v.report({ at: [...at, 'key'], message: `selector key "${e.key}" ${problem}` });
      }
      const values = Array.isArray(e.values) ? e.values : [];
      if (typeof e.operator !== 'string') return;
      if (!SELECTOR_OPERATORS.includes(e.operator)) {
        const guess = didYouMean(e.operator, SELECTOR_OPERATORS);
        v.report({
          at: [...at, 'operator'],
          message: `expected one of ${SELECTOR_OPERATORS.map((o) => `"${o}"`).join(', ')}, found "${e.operator}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
        });
      } else if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) {
        v.report({ at: [...at, 'operator'], message: `operator ${e.operator} needs at least one value` });
      } else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) {
        v.report({ at: [...at, 'values'], key: true, message: `operator ${e.operator} takes no values` });
      }
      values.forEach((x, j) => {
        const problem = typeof x === 'string' ? labelValueProblem(x) : undefined;
        if (problem)
          v.report({ at: [...at, 'values', j], message: `selector value "${show(x)}" ${problem}` });
      });
    });
  },
};

const dataKeys: Rule = {
  id: 'data-keys',
  cites: 'ValidateConfigMap, ValidateSecret: IsConfigMapKey (apimachinery pkg/util/validation)',
  check: (v) => {
    if (!isObject(v.value)) return;
    for (const k of Object.keys(v.value)) {
      const problem = configMapKeyProblem(k);
      if (problem) v.report({ at: [...v.path, k], key: true, message: `key "${k}" ${problem}` });
    }
  },
};

const configMapDuplicateKeys: Rule = {
  id: 'configmap-duplicate-key',
  cites: `ValidateConfigMap (${CORE})`,
  check: (v) => {
    const data = dig(v.value, 'data');
    const binary = dig(v.value, 'binaryData');
    if (!isObject(data) || !isObject(binary)) return;
    for (const k of Object.keys(binary))
      if (k in data) v.report({ at: ['binaryData', k], key: true, message: `key "${k}" is in data too` });
  },
};

function dnsLabel(id: string, cites: string, what: string): Rule {
  return {
    id,
    cites,
    name: true,
    check: (v) => {
      if (typeof v.value === 'string' && !isDns1123Label(v.value))
        v.report({ message: `${what} "${v.value}" is not ${DNS1123_LABEL_WHAT}` });
    },
  };
}

/** Names unique in a pod, and every volumeMount naming a volume of the pod. */
const podSpec: Rule = {
  id: 'pod-spec',
  cites: `validateContainers, validateInitContainers, validateVolumes, validateVolumeMounts (${CORE})`,
  check: (v) => {
    if (!isObject(v.value)) return;
    const volumes = new Set<string>();
    // A StatefulSet's volumeClaimTemplates are volumes of its pods too.
    const claims =
      dig(v.root, 'kind') === 'StatefulSet' ? dig(v.root, 'spec', 'volumeClaimTemplates') : undefined;
    if (Array.isArray(claims))
      for (const c of claims) {
        const n = dig(c, 'metadata', 'name');
        if (typeof n === 'string') volumes.add(n);
      }
    const vols = v.value.volumes;
    if (Array.isArray(vols))
      vols.forEach((x, i) => {
        const n = dig(x, 'name');
        if (typeof n !== 'string') return;
        if (volumes.has(n))
          v.report({ at: [...v.path, 'volumes', i, 'name'], message: `volume name "${n}" is used twice` });
        volumes.add(n);
      });
    const names = new Set<string>();
    for (const field of ['initContainers', 'containers']) {
      const list = v.value[field];
      if (!Array.isArray(list)) continue;
      list.forEach((c, i) => {
        const n = dig(c, 'name');
        if (typeof n === 'string') {
          if (names.has(n))
            v.report({
              at: [...v.path, field, i, 'name'],
              message: `container name "${n}" is used twice in the pod`,
            });
          names.add(n);
        }
        const mounts = dig(c, 'volumeMounts');
        if (!Array.isArray(mounts)) return;
        mounts.forEach((m, j) => {
          const mn = dig(m, 'name');
          if (typeof mn === 'string' && !volumes.has(mn)) {
            const guess = didYouMean(mn, volumes);
            v.report({
              at: [...v.path, field, i, 'volumeMounts', j, 'name'],
              message: `volumeMount "${mn}" names no volume of the pod${guess ? ` (did you mean "${guess}"?)` : ''}`,
            });
          }
        });
      });
    }
  },
};

// ---------------------------------------------------------------------------------------------
// Whole objects: required specs, restart policies per workload, selectors against templates.

function specRequired(kind: string, needs: string): Rule {
  return {
    id: 'spec-required',
    cites: `Validate${kind} (${kind === 'Pod' ? CORE : kind.endsWith('Job') ? BATCH : APPS})`,
    check: (v) => {
      if (!isObject(v.value) || isObject(v.value.spec)) return;
      const present = 'spec' in v.value;
      v.report({
        at: present ? ['spec'] : ['kind'],
        key: present,
        message: `${present ? 'spec is null' : 'missing required field "spec"'}: a ${kind} needs ${needs}`,
      });
    },
  };
}

function restartPolicy(kind: string, template: PathSegment[], allowed: string[], cites: string): Rule {
  return {
    id: 'workload-restart-policy',
    cites,
    check: (v) => {
      const spec = dig(v.value, ...template, 'spec');
      if (!isObject(spec)) return;
      const policy = spec.restartPolicy;
      if (typeof policy === 'string' && !allowed.includes(policy))
        v.report({
          at: [...template, 'spec', 'restartPolicy'],
          message: `a ${kind}'s pods may only use restartPolicy ${allowed.map((a) => `"${a}"`).join(' or ')}, found "${policy}"`,
        });
      else if (policy === undefined && !allowed.includes('Always'))
        v.report({
          at: [...template, 'spec'],
          key: true,
          message: `a ${kind}'s pods need restartPolicy ${allowed.map((a) => `"${a}"`).join(' or ')} (the default, "Always", is refused)`,
        });
    },
  };
}

/** LabelSelectorAsSelector(...).Matches(labels), for selectors that are well-formed. */
function selectorMatches(selector: JsonObject, labelSet: JsonObject): boolean {
  const ml = selector.matchLabels;
  if (isObject(ml) && Object.entries(ml).some(([k, x]) => labelSet[k] !== x)) return false;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  return exprs.every((e) => {
    if (!isObject(e) || typeof e.key !== 'string') return true;
    const has = e.key in labelSet;
    const values = Array.isArray(e.values) ? e.values : [];
    switch (e.operator) {
      case 'In':
        return has && values.includes(labelSet[e.key]!);
      case 'NotIn':
        return !has || !values.includes(labelSet[e.key]!);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return true;
    }
  });
}

function selectorMatchesTemplate(kind: string, cites: string, onlyManual = false): Rule {
  return {
    id: 'selector-matches-template',
    cites,
    check: (v) => {
      const spec = dig(v.value, 'spec');
      if (!isObject(spec) || !isObject(spec.selector)) return;
      if (onlyManual && spec.manualSelector !== true) return;
      const s = spec.selector;
      const count =
        (isObject(s.matchLabels) ? Object.keys(s.matchLabels).length : 0) +
        (Array.isArray(s.matchExpressions) ? s.matchExpressions.length : 0);
      if (count === 0) {
        v.report({ at: ['spec', 'selector'], key: true, message: `empty selector is invalid for a ${kind}` });
        return;
      }
      const templateLabels = dig(spec, 'template', 'metadata', 'labels');
      if (!selectorMatches(s, isObject(templateLabels) ? templateLabels : {}))
        v.report({
          at: isObject(templateLabels) ? ['spec', 'template', 'metadata', 'labels'] : ['spec', 'template'],
          key: true,
          message: `spec.selector does not match the template's labels: the ${kind} would own none of its pods`,
        });
    },
  };
}

const deploymentStrategy: Rule = {
  id: 'deployment-strategy',
  cites: `ValidateDeploymentStrategy, ValidateRollingUpdateDeployment (${APPS})`,
  check: (v) => {
    if (!isObject(v.value)) return;
    const ru = v.value.rollingUpdate;
    if (v.value.type === 'Recreate' && ru !== undefined && ru !== null)
      v.report({
        at: [...v.path, 'rollingUpdate'],
        key: true,
        message: 'rollingUpdate may not be set when type is "Recreate"',
      });
    if (isObject(ru) && isZero(ru.maxSurge) && isZero(ru.maxUnavailable))
      v.report({
        at: [...v.path, 'rollingUpdate', 'maxUnavailable'],
        message: 'maxUnavailable may not be 0 when maxSurge is 0: the rollout could never progress',
      });
  },
};

function isZero(x: Json | undefined): boolean {
  return x === 0 || x === '0%';
}

const serviceSpec: Rule = {
  id: 'service-spec',
  cites: `ValidateService, validateServicePort (${CORE})`,
  check: (v) => {
    if (!isObject(v.value)) return;
    const s = v.value;
    const type = typeof s.type === 'string' ? s.type : 'ClusterIP';
    const ports = Array.isArray(s.ports) ? s.ports : [];
    if (type === 'ExternalName') {
      if (typeof s.externalName !== 'string' || s.externalName === '')
        v.report({ key: true, message: 'a Service of type ExternalName needs spec.externalName' });
    } else if (ports.length === 0 && s.clusterIP !== 'None') {
      v.report({
        key: true,
        message: 'spec.ports needs at least one port (unless the Service is headless, clusterIP: None)',
      });
    }
    const names = new Set<string>();
    ports.forEach((p, i) => {
      if (!isObject(p)) return;
      const at = [...v.path, 'ports', i];
      if (ports.length > 1 && (typeof p.name !== 'string' || p.name === ''))
        v.report({ at, key: false, message: 'a Service with more than one port must name each port' });
      if (typeof p.name === 'string') {
        if (names.has(p.name))
          v.report({ at: [...at, 'name'], message: `port name "${p.name}" is used twice` });
        names.add(p.name);
      }
      if (type === 'ClusterIP' && typeof p.nodePort === 'number' && p.nodePort !== 0)
        v.report({
          at: [...at, 'nodePort'],
          key: true,
          message: 'nodePort may not be set on a Service of type ClusterIP',
        });
    });
  },
};

const ingressSpec: Rule = {
  id: 'ingress-spec',
  cites: `ValidateIngressSpec, validateHTTPIngressRuleValue, validateIngressBackend (${NETWORKING})`,
  check: (v) => {
    if (!isObject(v.value)) return;
    const rules = v.value.rules;
    if (v.value.defaultBackend == null && (!Array.isArray(rules) || rules.length === 0))
      v.report({ key: true, message: 'an Ingress needs defaultBackend or rules' });
  },
};

const ingressPath: Rule = {
  id: 'ingress-path',
  cites: `validateHTTPIngressRuleValue (${NETWORKING})`,
  check: (v) => {
    if (!isObject(v.value)) return;
    const { path, pathType } = v.value;
    if (typeof path === 'string' && (pathType === 'Exact' || pathType === 'Prefix') && !path.startsWith('/'))
      v.report({
        at: [...v.path, 'path'],
        message: `path "${path}" must start with "/" (pathType ${pathType})`,
      });
  },
};

const backendPort: Rule = {
  id: 'ingress-backend-port',
  cites: `validateIngressBackend (${NETWORKING})`,
  check: (v) => {
    if (!isObject(v.value)) return;
    const hasName = typeof v.value.name === 'string' && v.value.name !== '';
    const hasNumber = typeof v.value.number === 'number' && v.value.number !== 0;
    if (hasName && hasNumber) v.report({ key: true, message: 'port may have a name or a number, not both' });
    else if (!hasName && !hasNumber) v.report({ key: true, message: 'port needs a name or a number' });
  },
};

const hpaReplicas: Rule = {
  id: 'hpa-replicas',
  cites: 'validateHorizontalPodAutoscalerSpec (pkg/apis/autoscaling/validation)',
  check: (v) => {
    const min = dig(v.value, 'minReplicas');
    const max = dig(v.value, 'maxReplicas');
    if (typeof min === 'number' && typeof max === 'number' && max < min)
      v.report({
        at: [...v.path, 'maxReplicas'],
        message: `maxReplicas ${max} is less than minReplicas ${min}`,
      });
  },
};

const cronSchedule: Rule = {
  id: 'cron-schedule',
  cites: `validateScheduleFormat: cron.ParseStandard (${BATCH})`,
  check: (v) => {
    if (typeof v.value !== 'string') return;
    const s = v.value.trim();
    if (/^(?:CRON_)?TZ=/.test(s)) {
      v.report({ message: 'the schedule may not set TZ or CRON_TZ', hint: 'use spec.timeZone' });
      return;
    }
    if (/^@(?:yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(s) || /^@every \S+$/.test(s))
      return;
    const fields = s.split(/\s+/);
    if (fields.length !== 5 || !fields.every((f) => /^[\d*?,/A-Za-z-]+$/.test(f)))
      v.report({
        message: `${JSON.stringify(v.value)} is not a cron schedule: expected five fields (minute hour day-of-month month day-of-week) or @hourly, @daily ...`,
      });
  },
};

const int32: Rule = {
  id: 'int32',
  cites: 'int32 fields of the Go types (the API server cannot decode larger numbers)',
  check: (v) => {
    if (typeof v.value === 'number' && (v.value < -2147483648 || v.value > 2147483647))
      v.report({ message: `expected a 32-bit integer, found ${v.value}` });
  },
};

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
