#!/usr/bin/env node
// Generates schemas/kubernetes/v1.NN.json: pinned, offline JSON Schema (draft-07) bundles for the
// built-in Kubernetes kinds, rebuilt from the models that @kubernetes/client-node generates from
// Kubernetes' own OpenAPI spec (one pinned client release per Kubernetes minor: see SOURCES and
// package.json). Deterministic: sorted keys, no descriptions, no timestamps, so two runs give the
// same bytes. README.md beside this file says how to run it and what each table below is for.
//
//   node generate.mjs            write the bundles
//   node generate.mjs --check    compare only; exit 1 when a bundle is missing or differs

import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT_DIR = join(HERE, '..', '..', 'schemas', 'kubernetes');

// One entry per shipped bundle. `spec` is the "OpenAPI spec version" stamp that the client's
// generator writes on every model file. A published client also carries files left over from
// older generations (client-node 1.1.2 has 84 models stamped v1.30.1, e.g. the removed
// resource.k8s.io/v1alpha2 API): only files with the expected stamp are read.
export const SOURCES = [
  { kubernetesVersion: '1.32', dependency: 'k8s-1.32', spec: 'v1.32.0' },
  { kubernetesVersion: '1.33', dependency: 'k8s-1.33', spec: 'v1.33.0' },
  { kubernetesVersion: '1.34', dependency: 'k8s-1.34', spec: 'v1.34.0' },
  { kubernetesVersion: '1.36', dependency: 'k8s-1.36', spec: 'release-1.36' },
];

// The client names models without their API group ("V1Deployment"), so the OpenAPI definition
// names are rebuilt: group -> Go package prefix, as Kubernetes' own OpenAPI names them.
const GROUP_PACKAGES = {
  '': 'io.k8s.api.core',
  'apiextensions.k8s.io': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
  'apiregistration.k8s.io': 'io.k8s.kube-aggregator.pkg.apis.apiregistration',
  'internal.apiserver.k8s.io': 'io.k8s.api.apiserverinternal',
};
const META_GROUP = 'meta';
const META_PACKAGE = 'io.k8s.apimachinery.pkg.apis.meta';

// apimachinery's meta/v1 types: every group uses them, so they are named from this list.
const META_V1_TYPES = new Set([
  'APIGroup',
  'APIGroupList',
  'APIResource',
  'APIResourceList',
  'APIVersions',
  'Condition',
  'DeleteOptions',
  'FieldSelectorRequirement',
  'FieldsV1',
  'GroupResource',
  'GroupVersionForDiscovery',
  'LabelSelector',
  'LabelSelectorRequirement',
  'ListMeta',
  'ManagedFieldsEntry',
  'MicroTime',
  'ObjectMeta',
  'OwnerReference',
  'Patch',
  'Preconditions',
  'ServerAddressByClientCIDR',
  'Status',
  'StatusCause',
  'StatusDetails',
  'Time',
  'WatchEvent',
]);

// Core types that only other groups reference (StorageClass.allowedTopologies), so reachability
// from the kinds alone would file them under that group.
const CORE_TYPES = new Set(['v1.TopologySelectorTerm', 'v1.TopologySelectorLabelRequirement']);

// Fields that Kubernetes types as resource.Quantity ("500m", "1Gi", or a bare number). The client
// erases Quantity to string, which would reject `cpu: 1`; these get the Quantity definition back.
// Keys are version.Type.field, group-free like the client's names. A `{}` suffix marks a map of
// quantities (a ResourceList). test/k8s-schemas.test.ts checks this list against upstream bundles.
const QUANTITY_FIELDS = new Set([
  'v1.ContainerStatus.allocatedResources{}',
  'v1.EmptyDirVolumeSource.sizeLimit',
  'v1.LimitRangeItem.default{}',
  'v1.LimitRangeItem.defaultRequest{}',
  'v1.LimitRangeItem.max{}',
  'v1.LimitRangeItem.maxLimitRequestRatio{}',
  'v1.LimitRangeItem.min{}',
  'v1.NodeAllocatableResourceClaimStatus.resources{}',
  'v1.NodeStatus.allocatable{}',
  'v1.NodeStatus.capacity{}',
  'v1.Overhead.podFixed{}',
  'v1.PersistentVolumeClaimStatus.allocatedResources{}',
  'v1.PersistentVolumeClaimStatus.capacity{}',
  'v1.PersistentVolumeSpec.capacity{}',
  'v1.PodSpec.overhead{}',
  'v1.PodStatus.allocatedResources{}',
  'v1.ResourceFieldSelector.divisor',
  'v1.ResourceQuotaSpec.hard{}',
  'v1.ResourceQuotaStatus.hard{}',
  'v1.ResourceQuotaStatus.used{}',
  'v1.ResourceRequirements.limits{}',
  'v1.ResourceRequirements.requests{}',
  'v1.VolumeResourceRequirements.limits{}',
  'v1.VolumeResourceRequirements.requests{}',
  'v1.CSIStorageCapacity.capacity',
  'v1.CSIStorageCapacity.maximumVolumeSize',
  'v2.HPAScalingRules.tolerance',
  'v2.MetricTarget.averageValue',
  'v2.MetricTarget.value',
  'v2.MetricValueStatus.averageValue',
  'v2.MetricValueStatus.value',
  // resource.k8s.io (dynamic resource allocation). v1alpha3 carried full DRA types up to 1.33:
  // a Quantity map in BasicDevice.capacity (1.32, 1.33) and partitionable-device counters (1.33).
  'v1alpha3.BasicDevice.capacity{}',
  'v1alpha3.Counter.value',
  ...['v1beta1', 'v1beta2', 'v1'].flatMap((v) => [
    `${v}.CapacityRequestPolicy.default`,
    `${v}.CapacityRequestPolicy.validValues[]`,
    `${v}.CapacityRequestPolicyRange.max`,
    `${v}.CapacityRequestPolicyRange.min`,
    `${v}.CapacityRequestPolicyRange.step`,
    `${v}.CapacityRequirements.requests{}`,
    `${v}.Counter.value`,
    `${v}.DeviceCapacity.value`,
    `${v}.DeviceRequestAllocationResult.consumedCapacity{}`,
    `${v}.NodeAllocatableResourceMapping.allocationMultiplier`,
  ]),
]);

// Scalars the client inlines; the bundle keeps them as named definitions, as the OpenAPI spec does.
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const TIME = `${META_PACKAGE}.v1.Time`;
const MICRO_TIME = `${META_PACKAGE}.v1.MicroTime`;
const SCALARS = {
  // int-or-string accepts both, as the API server does (`targetPort: 8080` and `targetPort: http`)
  [INT_OR_STRING]: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
  [QUANTITY]: { anyOf: [{ type: 'string' }, { type: 'number' }] },
  [TIME]: { format: 'date-time', type: 'string' },
  [MICRO_TIME]: { format: 'date-time', type: 'string' },
};

const VERSIONED_NAME = /^([A-Z][a-z]+)?(V\d+(?:(?:alpha|beta)\d+)?)(?=[A-Z])(.+)$/;
const STAMP = /OpenAPI spec version: (\S+)/;

/** Reads one client package: its models (properties, required names) and its write operations. */
export async function readClient(packageDir, spec) {
  const modelsDir = join(packageDir, 'dist', 'gen', 'models');
  const models = new Map();
  for (const file of readdirSync(modelsDir)
    .filter((f) => f.endsWith('.js'))
    .sort()) {
    const js = readFileSync(join(modelsDir, file), 'utf8');
    if (STAMP.exec(js)?.[1] !== spec) continue;
    const className = file.slice(0, -'.js'.length);
    const module = await import(pathToFileURL(join(modelsDir, file)).href);
    const attributes = module[className]?.attributeTypeMap;
    if (!Array.isArray(attributes)) throw new Error(`${file}: no attributeTypeMap`);
    // Optionality lives only in the declarations: `'port': number;` vs `'name'?: string;`.
    const dts = readFileSync(join(modelsDir, `${className}.d.ts`), 'utf8');
    const requiredNames = new Set();
    for (const m of dts.matchAll(/^ {4}'([^']+)'(\?)?:/gm)) if (!m[2]) requiredNames.add(m[1]);
    models.set(className, {
      properties: attributes.map((a) => ({ json: a.baseName, type: a.type, format: a.format })),
      required: attributes.filter((a) => requiredNames.has(a.name)).map((a) => a.baseName),
    });
  }
  const apisDir = join(packageDir, 'dist', 'gen', 'apis');
  const operations = [];
  for (const file of readdirSync(apisDir)
    .filter((f) => f.endsWith('Api.js'))
    .sort()) {
    const js = readFileSync(join(apisDir, file), 'utf8');
    for (const method of js.split(/\n {4}async /)) {
      const path = /const localVarPath = '([^']+)'/.exec(method)?.[1];
      const verb = /makeRequestContext\(localVarPath, HttpMethod\.(\w+)\)/.exec(method)?.[1];
      const body = /ObjectSerializer\.serialize\(body, "(\w+)"/.exec(method)?.[1];
      if (path && verb && body) operations.push({ path, verb, body });
    }
  }
  return { models, operations };
}

/**
 * Top-level kinds: models sent as the body of a create (POST to a collection) or a replace (PUT
 * to /{name}), with group and version from that path. Subresource bodies are left out: their
 * types can belong to another group (autoscaling/v1 Scale under apps/v1 deployments/{name}/scale).
 */
export function findKinds(client) {
  const kinds = new Map();
  for (const op of client.operations) {
    const isCreate = op.verb === 'POST' && !op.path.includes('{name}');
    const isReplace = op.verb === 'PUT' && op.path.endsWith('/{name}');
    if (!(isCreate || isReplace) || !client.models.has(op.body)) continue;
    const m = /^\/(?:api|apis\/([a-z0-9.-]+))\/(v\d+(?:(?:alpha|beta)\d+)?)\//.exec(op.path);
    if (!m) continue;
    const group = m[1] ?? '';
    const version = m[2];
    const kind = splitClassName(op.body).type;
    const previous = kinds.get(op.body);
    if (previous && (previous.group !== group || previous.version !== version)) {
      throw new Error(
        `${op.body} is written under ${previous.group}/${previous.version} and ${group}/${version}`,
      );
    }
    kinds.set(op.body, { group, version, kind });
  }
  return kinds;
}

function splitClassName(className) {
  const m = VERSIONED_NAME.exec(className);
  if (!m) return { prefix: undefined, version: undefined, type: className };
  return { prefix: m[1], version: m[2].toLowerCase(), type: m[3] };
}

/** Model class names that a type expression such as `Array<V1Container>` refers to. */
function referencedModels(type, models) {
  return [...type.matchAll(/[A-Za-z][A-Za-z0-9]*/g)].map((m) => m[0]).filter((n) => models.has(n));
}

/**
 * OpenAPI definition name for every model reachable from a kind. A model's group is, in order:
 * the group the client spells out to resolve a clash (CoreV1EventSeries), meta/v1 by the list
 * above, its own kind's group, core when any core kind reaches it (PodSpec under apps/v1) or
 * CORE_TYPES lists it, else the one group whose kinds reach it. Anything else is ambiguous and
 * stops the run.
 */
export function nameDefinitions(client, kinds) {
  const groups = new Set([...kinds.values()].map((k) => k.group));
  const reachedFrom = new Map();
  for (const [className, { group }] of [...kinds].sort(([a], [b]) => compare(a, b))) {
    const queue = [className];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const current = queue.shift();
      if (!reachedFrom.has(current)) reachedFrom.set(current, new Set());
      reachedFrom.get(current).add(group);
      for (const p of client.models.get(current).properties) {
        for (const ref of referencedModels(p.type, client.models)) {
          if (!seen.has(ref)) {
            seen.add(ref);
            queue.push(ref);
          }
        }
      }
    }
  }
  const names = new Map();
  for (const className of [...reachedFrom.keys()].sort(compare)) {
    const { prefix, version, type } = splitClassName(className);
    if (!version) throw new Error(`cannot tell the API version of model ${className}`);
    const reach = reachedFrom.get(className);
    let group;
    if (prefix) {
      group = prefix === 'Core' ? '' : [...groups].find((g) => g.split('.')[0] === prefix.toLowerCase());
    } else if (version === 'v1' && META_V1_TYPES.has(type)) {
      group = META_GROUP;
    } else if (kinds.has(className)) {
      group = kinds.get(className).group;
    } else if (CORE_TYPES.has(`${version}.${type}`) || reach.has('')) {
      group = '';
    } else if (reach.size === 1) {
      group = [...reach][0];
    }
    if (group === undefined) {
      throw new Error(
        `cannot tell the API group of model ${className} (reached from ${[...reach].join(', ')})`,
      );
    }
    names.set(className, `${packageOf(group)}.${version}.${type}`);
  }
  return names;
}

function packageOf(group) {
  if (group === META_GROUP) return META_PACKAGE;
  return GROUP_PACKAGES[group] ?? `io.k8s.api.${group.split('.')[0]}`;
}

/**
 * JSON Schema for one client type expression (`string`, `Array<V1Container>`,
 * `{ [key: string]: string; }`...). `quantity` says where a Quantity sits: true for the value
 * itself, 'item' for array items, 'value' for map values, false for nowhere.
 */
function typeSchema(type, format, names, where, quantity) {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { items: typeSchema(array[1], format, names, where, quantity === 'item'), type: 'array' };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map)
    return {
      additionalProperties: typeSchema(map[1], format, names, where, quantity === 'value'),
      type: 'object',
    };
  if (quantity === true) {
    if (type !== 'string') throw new Error(`${where}: a Quantity field has client type ${type}`);
    return ref(QUANTITY);
  }
  switch (type) {
    case 'string':
      return format ? { format, type: 'string' } : { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'number':
      if (format === 'int32' || format === 'int64') return { format, type: 'integer' };
      if (format === 'double' || format === 'float') return { format, type: 'number' };
      throw new Error(`${where}: number with format "${format}"`);
    case 'Date':
      return ref(TIME);
    case 'V1MicroTime':
      return ref(MICRO_TIME);
    case 'IntOrString':
      return ref(INT_OR_STRING);
    case 'any':
      return {};
    default:
      // a model that is not stamped with the target spec version is a leftover: refuse it
      if (!names.has(type)) throw new Error(`${where}: unknown or leftover model ${type}`);
      return ref(names.get(type));
  }
}

function ref(name) {
  return { $ref: `#/definitions/${name}` };
}

/** The bundle for one source, as the plain object that is written (before key sorting). */
export async function buildBundle(source) {
  const packageDir = join(HERE, 'node_modules', source.dependency);
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const client = await readClient(packageDir, source.spec);
  if (client.models.size === 0)
    throw new Error(`${pkg.name}@${pkg.version}: no model stamped ${source.spec}`);
  const kinds = findKinds(client);
  const names = nameDefinitions(client, kinds);

  const definitions = { ...SCALARS };
  const usedQuantities = new Set();
  for (const [className, name] of names) {
    const { version, type } = splitClassName(className);
    const model = client.models.get(className);
    const properties = {};
    for (const p of model.properties) {
      const key = `${version}.${type}.${p.json}`;
      const quantity = QUANTITY_FIELDS.has(key)
        ? true
        : QUANTITY_FIELDS.has(`${key}{}`)
          ? 'value'
          : QUANTITY_FIELDS.has(`${key}[]`)
            ? 'item'
            : false;
      if (quantity)
        usedQuantities.add(quantity === true ? key : `${key}${quantity === 'value' ? '{}' : '[]'}`);
      properties[p.json] = typeSchema(p.type, p.format, names, `${className}.${p.json}`, quantity);
    }
    const schema = { properties, type: 'object' };
    if (model.required.length > 0) schema.required = [...model.required].sort(compare);
    const gvk = kinds.get(className);
    if (gvk) schema['x-kubernetes-group-version-kind'] = [gvk];
    definitions[name] = schema;
  }

  const kindMap = {};
  for (const [className, { group, version, kind }] of kinds) {
    kindMap[`${group ? `${group}/` : ''}${version}/${kind}`] = names.get(className);
  }
  // The API files are read with patterns on openapi-generator's output: a client release that
  // lays them out differently must stop the run, not ship a bundle without kinds.
  for (const key of ['apps/v1/Deployment', 'v1/ConfigMap', 'rbac.authorization.k8s.io/v1/Role']) {
    if (!kindMap[key])
      throw new Error(`${pkg.name}@${pkg.version}: found no kind ${key}; has the client's layout changed?`);
  }
  return {
    bundle: {
      kubernetesVersion: source.kubernetesVersion,
      source: `${pkg.name}@${pkg.version}`,
      kinds: kindMap,
      definitions,
    },
    usedQuantities,
  };
}

/**
 * Canonical text of a bundle: the four top-level keys in the documented order, every other
 * object's keys sorted by code unit, one-space indent (diffable, still small), one trailing LF.
 */
export function canonicalJson(bundle) {
  const { kubernetesVersion, source, kinds, definitions } = bundle;
  const ordered = { kubernetesVersion, source, kinds: sortKeys(kinds), definitions: sortKeys(definitions) };
  return `${JSON.stringify(ordered, null, 1)}\n`;
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const key of Object.keys(value).sort(compare)) out[key] = sortKeys(value[key]);
  return out;
}

function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function main(argv) {
  const check = argv.includes('--check');
  const everyQuantity = new Set();
  let stale = 0;
  for (const source of SOURCES) {
    const { bundle, usedQuantities } = await buildBundle(source);
    for (const q of usedQuantities) everyQuantity.add(q);
    const text = canonicalJson(bundle);
    const file = join(OUT_DIR, `v${source.kubernetesVersion}.json`);
    const summary = `${Object.keys(bundle.kinds).length} kinds, ${Object.keys(bundle.definitions).length} definitions, ${text.length} bytes`;
    if (check) {
      const same = existsSync(file) && readFileSync(file, 'utf8') === text;
      if (!same) stale += 1;
      console.log(`${same ? 'ok     ' : 'differs'} ${file} (${bundle.source}: ${summary})`);
    } else {
      mkdirSync(OUT_DIR, { recursive: true });
      writeFileSync(file, text);
      console.log(`wrote ${file} (${bundle.source}: ${summary})`);
    }
  }
  // An entry no source uses is a typo or a field that was renamed: keep the table honest.
  const unused = [...QUANTITY_FIELDS].filter((q) => !everyQuantity.has(q));
  if (unused.length > 0) throw new Error(`QUANTITY_FIELDS entries no model has: ${unused.join(', ')}`);
  return stale === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
