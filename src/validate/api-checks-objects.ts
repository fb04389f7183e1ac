// Checks on names, labels, selectors, keys and whole objects the API server makes and no schema
// does: label and selector syntax, data keys, container and volume names, required specs,
// restart policies per workload, selectors against templates, Service and Ingress structure.
// Each is a Rule of the table in api-rules.ts and cites the function it mirrors.
import { didYouMean } from '../core/diagnostics.js';
import { isObject } from '../core/cow.js';
import type { PathSegment } from '../core/source.js';
import type { Json, JsonObject } from '../types.js';
import { APPS, BATCH, CORE, META, NETWORKING, dig, show, type Rule, type Visit } from './api-walk.js';
import {
  configMapKeyProblem,
  DNS1123_LABEL_WHAT,
  isDns1123Label,
  labelValueProblem,
  qualifiedNameProblem,
} from './k8s-syntax.js';

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

export const labels: Rule = {
  id: 'labels',
  cites: `ValidateLabels (${META})`,
  name: true,
  check: (v) => checkLabelMap(v, v.value, [...v.path]),
};

export const objectMeta: Rule = {
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

export const labelSelector: Rule = {
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

export const dataKeys: Rule = {
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

export const configMapDuplicateKeys: Rule = {
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

export function dnsLabel(id: string, cites: string, what: string): Rule {
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
export const podSpec: Rule = {
  id: 'pod-spec',
  cites: `validateContainers, validateInitContainers, validateVolumes, validateVolumeMounts (${CORE})`,
  check: (v) => {
    if (!isObject(v.value)) return;
    const volumes = new Set<string>();
    // A StatefulSet's volumeClaimTemplates are volumes of its pods too.
    const claims = v.rootAt('kind') === 'StatefulSet' ? v.rootAt('spec', 'volumeClaimTemplates') : undefined;
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

export function specRequired(kind: string, needs: string): Rule {
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

export function restartPolicy(kind: string, template: PathSegment[], allowed: string[], cites: string): Rule {
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

export function selectorMatchesTemplate(kind: string, cites: string, onlyManual = false): Rule {
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

export const deploymentStrategy: Rule = {
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

/** Exactly one of maxSurge and maxUnavailable is non-zero, after defaulting (1 and 0). */
export const daemonSetRollingUpdate: Rule = {
  id: 'daemonset-rolling-update',
  cites: `ValidateRollingUpdateDaemonSet, SetDefaults_DaemonSet (${APPS})`,
  check: (v) => {
    if (!isObject(v.value)) return;
    const surge = v.value.maxSurge ?? 0;
    const unavailable = v.value.maxUnavailable ?? 1;
    const wellTyped = (x: Json) => typeof x === 'number' || (typeof x === 'string' && /^\d+%$/.test(x));
    if (!wellTyped(surge) || !wellTyped(unavailable)) return;
    if (!isZero(surge) && !isZero(unavailable))
      v.report({
        at: [...v.path, 'maxSurge'],
        message: `maxSurge may not be set when maxUnavailable is not 0${v.value.maxUnavailable === undefined ? ' (it defaults to 1)' : ''}`,
        hint: 'a DaemonSet surges or takes nodes down, not both: set maxUnavailable: 0 to surge',
      });
    else if (isZero(surge) && isZero(unavailable))
      v.report({
        at: [...v.path, 'maxUnavailable'],
        message: 'maxUnavailable may not be 0 when maxSurge is 0',
      });
  },
};

export const serviceSpec: Rule = {
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

export const ingressSpec: Rule = {
  id: 'ingress-spec',
  cites: `ValidateIngressSpec, validateHTTPIngressRuleValue, validateIngressBackend (${NETWORKING})`,
  check: (v) => {
    if (!isObject(v.value)) return;
    const rules = v.value.rules;
    if (v.value.defaultBackend == null && (!Array.isArray(rules) || rules.length === 0))
      v.report({ key: true, message: 'an Ingress needs defaultBackend or rules' });
  },
};

export const ingressPath: Rule = {
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

export const backendPort: Rule = {
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

export const hpaReplicas: Rule = {
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
