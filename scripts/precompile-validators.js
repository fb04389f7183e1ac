// Run by `npm run build` / `prepare` after tsc: compiles the validators of the shipped schemas
// that nearly every project uses (federation.yaml's schema, the KubeFed schemas, and the common
// built-in kinds of the newest shipped Kubernetes version (the default), strict as fedrender checks them,
// and the shipped CRDs of the GitOps objects fedrender generates) into
// ajv standalone code under dist/validators/, named by schema hash (src/core/ajv.ts). So
// `fedrender validate` loads them instead of compiling; other kinds and CRDs are compiled on
// first use and kept in the user's cache folder.
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileStandalone, storeValidator, validatorKey } from '../dist/src/core/ajv.js';
import {
  availableKubernetesVersions,
  kindSchema,
  loadKubernetesSchemas,
} from '../dist/src/core/k8s-schemas.js';
import { readPackageJson } from '../dist/src/core/package-files.js';
import { federationSchema } from '../dist/src/load/config.js';
import { shippedCrdSchema } from '../dist/src/validate/well-known-crds.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'validators');
const KINDS = [
  'v1/ConfigMap',
  'v1/Secret',
  'v1/Service',
  'v1/ServiceAccount',
  'v1/Namespace',
  'v1/PersistentVolumeClaim',
  'apps/v1/Deployment',
  'apps/v1/StatefulSet',
  'apps/v1/DaemonSet',
  'batch/v1/Job',
  'batch/v1/CronJob',
  'networking.k8s.io/v1/Ingress',
  'networking.k8s.io/v1/NetworkPolicy',
  'autoscaling/v2/HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
];

const schemas = [
  federationSchema(),
  readPackageJson('schemas/kubefed/federated-object.schema.json'),
  readPackageJson('schemas/kubefed/replica-scheduling-preference.schema.json'),
];
{
  const versions = availableKubernetesVersions();
  const set = loadKubernetesSchemas(versions[versions.length - 1]);
  for (const k of KINDS) {
    const i = k.lastIndexOf('/');
    const schema = kindSchema(set, k.slice(0, i), k.slice(i + 1), { strict: true });
    if (schema) schemas.push(schema);
  }
}
// The shipped CRDs of what fedrender itself generates, checked on every GitOps build (not
// ApplicationSet, only for fleets: its nested generators make 14 MB of code).
for (const [apiVersion, kind] of [
  ['argoproj.io/v1alpha1', 'Application'],
  ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization'],
])
  schemas.push(shippedCrdSchema(apiVersion, kind).schema);
rmSync(out, { recursive: true, force: true });
const keys = new Set();
for (const schema of schemas) {
  const key = validatorKey(schema);
  if (keys.has(key)) continue;
  keys.add(key);
  storeValidator(out, key, compileStandalone(schema).code);
}
// stderr: `npm pack` runs this through prepare, and pre-commit reads its stdout as the tarball name.
console.error(`precompiled ${readdirSync(out).length} validators into dist/validators/`);
