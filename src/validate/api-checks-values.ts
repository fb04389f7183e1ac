// Checks on single values the API server makes and no schema does: quantity syntax and signs,
// resource names, ports (numbers, names, int-or-string), int-or-percent, cron schedules, int32.
// Each is a Rule of the table in api-rules.ts and cites the function it mirrors.
import { didYouMean } from '../core/diagnostics.js';
import { isObject } from '../core/cow.js';
import { BATCH, CORE, dig, show, type Rule } from './api-walk.js';
import { parseQuantity, portNameProblem } from './k8s-syntax.js';

// ---------------------------------------------------------------------------------------------
// Quantities and resource lists.

const QUANTITY_HINT = 'a quantity is a number with an optional suffix: 500m, 2, 1.5, 128Mi, 1Gi, 1e3';

export const quantity: Rule = {
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
export const containerResources: Rule = {
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

export function nonNegativeQuantities(id: string, cites: string): Rule {
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

export const pvcSpec: Rule = {
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

export function portNumber(
  id: string,
  cites: string,
  opts: { zero?: boolean; nodePort?: boolean } = {},
): Rule {
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
export function portNumOrName(id: string, cites: string): Rule {
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

export function portName(id: string, cites: string): Rule {
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
export function intOrPercent(id: string, cites: string, max100: boolean): Rule {
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

export const cronSchedule: Rule = {
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

export const int32: Rule = {
  id: 'int32',
  cites: 'int32 fields of the Go types (the API server cannot decode larger numbers)',
  check: (v) => {
    if (typeof v.value === 'number' && (v.value < -2147483648 || v.value > 2147483647))
      v.report({ message: `expected a 32-bit integer, found ${v.value}` });
  },
};
