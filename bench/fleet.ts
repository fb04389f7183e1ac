// A synthetic fleet for `npm run bench`: N manifests (Deployments, Services, ConfigMaps, Secrets,
// Ingresses, Jobs, CronJobs, HPAs; mean about 2.4 KB; 20 namespaces) x C clusters, with a
// federation.yaml in which every object gets a per-cluster label, a few Deployments get
// per-cluster replicas, regions get their own registry and env, some namespaces, the Ingresses
// and the batch jobs go to a subset of clusters, and some Deployments are split by RSP rules.
// Beside it, the equivalent kustomize overlays (one per cluster over per-namespace bases) for
// the `kubectl kustomize` comparison. Deterministic: the same seed gives the same bytes.
//
//   node dist/bench/fleet.js --objects 2000 --clusters 20 --out /tmp/fleet [--seed 1]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { prng as rng } from '../test/prng.js';

export interface FleetOptions {
  objects: number;
  clusters: number;
  seed?: number;
  /** Default 20. */
  namespaces?: number;
}

export interface Fleet {
  /** Input files relative to the project folder (federation.yaml included). */
  inputs: string[];
  /** Names of the clusters, and for each its kustomize overlay folder (relative). */
  clusters: string[];
  overlays: string[];
  /** The manifest that a one-file-change benchmark edits. */
  sample: string;
}

const KINDS = [
  ['Deployment', 25],
  ['Service', 18],
  ['ConfigMap', 18],
  ['Secret', 8],
  ['Ingress', 8],
  ['Job', 5],
  ['CronJob', 6],
  ['HorizontalPodAutoscaler', 12],
] as const;
type Kind = (typeof KINDS)[number][0];

const ns = (i: number) => `ns-${String(i).padStart(2, '0')}`;
const clusterName = (i: number) => `c${String(i).padStart(3, '0')}`;
/** Namespaces 16..19 are production-only; jobs in 0..3 run on batch clusters only. */
const prodOnly = (n: number) => n >= 16;
const batchOnly = (n: number) => n < 4;

interface Item {
  kind: Kind;
  name: string;
  nsIndex: number;
  text: string;
}

export function generateFleet(dir: string, opts: FleetOptions): Fleet {
  const NAMESPACES = opts.namespaces ?? 20;
  const rand = rng(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const word = () => pick(WORDS);
  const hex = (n: number) =>
    Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
  const totalWeight = KINDS.reduce((n, [, w]) => n + w, 0);
  const kindAt = () => {
    let r = rand() * totalWeight;
    for (const [k, w] of KINDS) if ((r -= w) < 0) return k;
    return KINDS[0][0];
  };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const items: Item[] = [];
  for (let i = 0; i < opts.objects; i++) {
    const kind = kindAt();
    const nsIndex = i % NAMESPACES;
    const name = `${word()}-${word()}-${i}`;
    items.push({ kind, name, nsIndex, text: manifest(kind, name, ns(nsIndex), i, rand, word, hex) });
  }
  // Per-namespace bases: <ns>/ (namespace + most objects), <ns>/edge/ (Ingresses), <ns>/batch/
  // (Jobs and CronJobs of the batch-only namespaces); each with a kustomization.yaml.
  const bases = new Map<string, string[]>();
  const inputs: string[] = [];
  const add = (base: string, file: string, text: string) => {
    const rel = `manifests/${base}/${file}`;
    mkdirSync(join(dir, 'manifests', base), { recursive: true });
    writeFileSync(join(dir, rel), text);
    inputs.push(rel);
    if (!bases.has(base)) bases.set(base, []);
    bases.get(base)!.push(file);
  };
  for (let n = 0; n < NAMESPACES; n++)
    add(ns(n), 'namespace.yaml', `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns(n)}\n`);
  for (const it of items) {
    const base =
      it.kind === 'Ingress'
        ? `${ns(it.nsIndex)}/edge`
        : (it.kind === 'Job' || it.kind === 'CronJob') && batchOnly(it.nsIndex)
          ? `${ns(it.nsIndex)}/batch`
          : ns(it.nsIndex);
    add(base, `${it.kind.toLowerCase()}-${it.name}.yaml`, it.text);
  }
  for (const [base, files] of bases)
    writeFileSync(
      join(dir, 'manifests', base, 'kustomization.yaml'),
      `resources:\n${files.map((f) => `- ${f}\n`).join('')}`,
    );

  const clusters = Array.from({ length: opts.clusters }, (_, i) => ({
    name: clusterName(i),
    region: `r${i % 4}`,
    env: i % 2 === 0 ? 'prod' : 'staging',
    edge: i % 3 === 0,
    batch: i % 5 === 0,
  }));
  const deployments = items.filter((it) => it.kind === 'Deployment');
  // One Deployment in 20 gets per-cluster replicas; one in 40 is split by an RSP.
  const patched = deployments.filter((_, i) => i % 20 === 3);
  const split = deployments.filter((_, i) => i % 40 === 7);
  const replicasFor = (it: Item, c: number) => 1 + ((it.name.length + c) % 6);
  const regionEnv = (r: string) => `REGION_${r.toUpperCase()}`;

  const prod = Array.from({ length: NAMESPACES }, (_, n) => n).filter(prodOnly);
  const prodRule = prod.length
    ? `  - match: {kinds: [Namespace], names: [${prod.map(ns).join(', ')}]}
    placement: {clusterSelector: {matchLabels: {env: prod}}}
`
    : '';
  const fed = `apiVersion: fedrender.io/v1alpha1
kind: Federation
clusters:
${clusters
  .map(
    (c) =>
      `  - name: ${c.name}\n    labels: {region: ${c.region}, env: ${c.env}, edge: "${c.edge}", batch: "${c.batch}"}\n    server: https://${c.name}.k8s.example.com:6443\n`,
  )
  .join('')}resources:
  - manifests/**/*.yaml
  - "!manifests/**/kustomization.yaml"
defaults:
  placement: {clusterSelector: {}}
placements:
${prodRule}  - match: {kinds: [Ingress]}
    placement: {clusterSelector: {matchLabels: {edge: "true"}}}
  - match: {kinds: [Job, CronJob], namespaces: [${Array.from({ length: NAMESPACES }, (_, n) => n)
    .filter(batchOnly)
    .map(ns)
    .join(', ')}]}
    placement: {clusterSelector: {matchLabels: {batch: "true"}}}
overrides:
  - match: {}
    overrides:
      - clusterSelector: {}
        labelsOverrider: [{operator: add, value: {fleet.example.com/cluster: "\${cluster.name}"}}]
  - match: {kinds: [Deployment]}
    overrides:
${['r1', 'r2']
  .map(
    (r) => `      - clusterSelector: {matchLabels: {region: ${r}}}
        imageOverrider: [{component: Registry, operator: replace, value: ${r}.registry.example.com}]
        envOverrider: [{containerName: main, operator: set, value: [{name: REGION, value: ${regionEnv(r)}}]}]
`,
  )
  .join('')}  - match: {kinds: [ConfigMap], namespaces: [${[0, 1, 2, 3, 4].map(ns).join(', ')}]}
    overrides:
      - clusterSelector: {}
        clusterOverrides:
          - {op: add, path: /data/CLUSTER, value: "\${cluster.name}"}
${patched
  .map(
    (it) => `  - match: {kinds: [Deployment], namespaces: [${ns(it.nsIndex)}], names: [${it.name}]}
    overrides:
${clusters
  .filter((c) => !prodOnly(it.nsIndex) || c.env === 'prod')
  .map(
    (c, ci) =>
      `      - clusterName: ${c.name}\n        clusterOverrides: [{path: /spec/replicas, value: ${replicasFor(it, ci)}}]\n`,
  )
  .join('')}`,
  )
  .join('')}replicaScheduling:
${split
  .map(
    (it) => `  - match: {kinds: [Deployment], namespaces: [${ns(it.nsIndex)}], names: [${it.name}]}
    totalReplicas: ${opts.clusters * 3}
    clusters: {"*": {weight: 1}, ${clusters[0]!.name}: {weight: 3, maxReplicas: 20}}
`,
  )
  .join('')}output:
  dir: rendered
  allowSecrets: true
`;
  writeFileSync(join(dir, 'federation.yaml'), fed.replace('replicaScheduling:\noutput', 'output'));
  inputs.push('federation.yaml');

  // The kustomize equivalent: the same placement by choice of bases, the label by `labels`, the
  // registry and env by `images` and a strategic-merge patch, replicas by `replicas`. RSP splits
  // are approximated by a fixed count per cluster (kustomize has no such thing).
  const overlays: string[] = [];
  clusters.forEach((c, ci) => {
    const resources = Array.from({ length: NAMESPACES }, (_, n) => n)
      .filter((n) => !prodOnly(n) || c.env === 'prod')
      .flatMap((n) => [
        ns(n),
        ...(c.edge && bases.has(`${ns(n)}/edge`) ? [`${ns(n)}/edge`] : []),
        ...(c.batch && bases.has(`${ns(n)}/batch`) ? [`${ns(n)}/batch`] : []),
      ]);
    const region = c.region === 'r1' || c.region === 'r2';
    const images = region
      ? deployments.map(
          (it) =>
            `- name: registry.example.com/${it.name}\n  newName: ${c.region}.registry.example.com/${it.name}\n`,
        )
      : [];
    const reps = [...patched, ...split]
      .filter((it) => !prodOnly(it.nsIndex) || c.env === 'prod')
      .map((it) => `- name: ${it.name}\n  count: ${replicasFor(it, ci)}\n`);
    const text = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
${resources.map((r) => `- ../../manifests/${r}\n`).join('')}labels:
- pairs:
    fleet.example.com/cluster: ${c.name}
${images.length ? `images:\n${images.join('')}` : ''}${reps.length ? `replicas:\n${reps.join('')}` : ''}patches:
- target: {kind: ConfigMap, namespace: "ns-0[0-4]"}
  patch: '[{"op": "add", "path": "/data/CLUSTER", "value": "${c.name}"}]'
${
  region
    ? `- target: {kind: Deployment}
  patch: |
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: any}
    spec:
      template:
        spec:
          containers:
          - name: main
            env:
            - {name: REGION, value: ${regionEnv(c.region)}}
`
    : ''
}`;
    const rel = `kustomize/${c.name}`;
    mkdirSync(join(dir, rel), { recursive: true });
    writeFileSync(join(dir, rel, 'kustomization.yaml'), text);
    overlays.push(rel);
  });
  const sample = inputs.find((p) => p.includes('/configmap-')) ?? inputs[0]!;
  return { inputs, clusters: clusters.map((c) => c.name), overlays, sample };
}

function manifest(
  kind: Kind,
  name: string,
  namespace: string,
  i: number,
  rand: () => number,
  word: () => string,
  hex: (n: number) => string,
): string {
  const team = `team-${i % 37}`;
  const meta = `metadata:
  name: ${name}
  namespace: ${namespace}
  labels:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/part-of: ${word()}
    app.kubernetes.io/managed-by: fedrender
    team: ${team}
  annotations:
    owner: ${team}@example.com
    description: "${word()} ${word()} ${word()} service for the ${word()} domain"
`;
  const image = `registry.example.com/${name}:1.${i % 17}.${Math.floor(rand() * 40)}`;
  const container = (indent: string) =>
    `- name: main
  image: ${image}
  imagePullPolicy: IfNotPresent
  args: ["--port=8080", "--log-level=info", "--${word()}=${word()}", "--cache-size=${Math.floor(rand() * 512)}Mi"]
  ports:
  - {name: http, containerPort: 8080, protocol: TCP}
  - {name: metrics, containerPort: 9090, protocol: TCP}
  env:
  - {name: MODE, value: production}
  - {name: REGION, value: "default"}
  - {name: FEATURE_${word().toUpperCase()}, value: "on"}
  - {name: UPSTREAM_URL, value: "http://${word()}.${namespace}.svc.cluster.local:8080/${word()}"}
  - name: POD_NAME
    valueFrom: {fieldRef: {fieldPath: metadata.name}}
  resources:
    requests: {cpu: ${50 + Math.floor(rand() * 200)}m, memory: ${64 + Math.floor(rand() * 256)}Mi}
    limits: {cpu: "1", memory: 1Gi}
  readinessProbe:
    httpGet: {path: /healthz, port: http}
    periodSeconds: 10
    failureThreshold: 3
  livenessProbe:
    httpGet: {path: /livez, port: http}
    initialDelaySeconds: 15
  securityContext:
    runAsNonRoot: true
    readOnlyRootFilesystem: true
    allowPrivilegeEscalation: false
    capabilities: {drop: [ALL]}
`
      .split('\n')
      .map((l) => (l ? indent + l : l))
      .join('\n');
  switch (kind) {
    case 'Deployment':
      return `apiVersion: apps/v1
kind: Deployment
${meta}spec:
  replicas: ${1 + (i % 4)}
  revisionHistoryLimit: 5
  selector:
    matchLabels: {app.kubernetes.io/name: ${name}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
  template:
    metadata:
      labels: {app.kubernetes.io/name: ${name}, team: ${team}}
      annotations: {prometheus.io/scrape: "true", prometheus.io/port: "9090"}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
${container('      ')}      - name: proxy
        image: registry.example.com/envoy:1.29.${i % 5}
        args: ["--config-path=/etc/envoy/envoy.yaml", "--log-level=warn"]
        ports:
        - {name: admin, containerPort: 15000, protocol: TCP}
        resources:
          requests: {cpu: 20m, memory: 32Mi}
          limits: {cpu: 200m, memory: 128Mi}
        securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false}
      volumes:
      - name: tmp
        emptyDir: {}
`;
    case 'Service':
      return `apiVersion: v1
kind: Service
${meta}spec:
  type: ClusterIP
  selector: {app.kubernetes.io/name: ${name}}
  ports:
  - {name: http, port: 80, targetPort: http, protocol: TCP}
  - {name: metrics, port: 9090, targetPort: metrics, protocol: TCP}
`;
    case 'ConfigMap': {
      const lines = Array.from(
        { length: 120 + Math.floor(rand() * 150) },
        (_, j) => `    ${word()}_${j}: ${word()}-${hex(8)}`,
      ).join('\n');
      return `apiVersion: v1
kind: ConfigMap
${meta}data:
  LOG_LEVEL: info
  MAX_CONNECTIONS: "${100 + (i % 900)}"
  settings.yaml: |
    server:
      port: 8080
      timeout: 30s
    values:
${lines}
`;
    }
    case 'Secret':
      return `apiVersion: v1
kind: Secret
${meta}type: Opaque
stringData:
  username: ${word()}
  password: ${hex(32)}
  api-token: ${hex(64)}
  ca.crt: |
${Array.from({ length: 30 }, () => `    ${hex(64)}`).join('\n')}
`;
    case 'Ingress':
      return `apiVersion: networking.k8s.io/v1
kind: Ingress
${meta}spec:
  ingressClassName: nginx
  tls:
  - hosts: [${name}.example.com]
    secretName: ${name}-tls
  rules:
  - host: ${name}.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: ${name}
            port: {name: http}
      - path: /${word()}
        pathType: Prefix
        backend:
          service:
            name: ${name}-${word()}
            port: {number: 8080}
`;
    case 'Job':
      return `apiVersion: batch/v1
kind: Job
${meta}spec:
  backoffLimit: 3
  ttlSecondsAfterFinished: 3600
  template:
    spec:
      restartPolicy: OnFailure
      containers:
${container('      ')}`;
    case 'CronJob':
      return `apiVersion: batch/v1
kind: CronJob
${meta}spec:
  schedule: "${i % 60} ${i % 24} * * *"
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 3
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
${container('          ')}`;
    case 'HorizontalPodAutoscaler':
      return `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
${meta}spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ${name}}
  minReplicas: 2
  maxReplicas: ${5 + (i % 20)}
  metrics:
  - type: Resource
    resource:
      name: cpu
      target: {type: Utilization, averageUtilization: 70}
  - type: Resource
    resource:
      name: memory
      target: {type: Utilization, averageUtilization: 80}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
      policies:
      - {type: Percent, value: 50, periodSeconds: 60}
`;
  }
}

const WORDS = [
  'alpha',
  'billing',
  'cart',
  'delta',
  'edge',
  'feed',
  'gateway',
  'history',
  'index',
  'jobs',
  'kafka',
  'ledger',
  'mail',
  'notify',
  'orders',
  'payments',
  'quota',
  'report',
  'search',
  'token',
  'users',
  'vault',
  'web',
  'xray',
  'yield',
  'zone',
  'auth',
  'cache',
  'events',
  'media',
];

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string, dflt: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return (i > 0 ? process.argv[i + 1] : undefined) ?? dflt;
  };
  const fleet = generateFleet(arg('out', 'fleet'), {
    objects: Number(arg('objects', '200')),
    clusters: Number(arg('clusters', '5')),
    seed: Number(arg('seed', '1')),
  });
  console.log(`${fleet.inputs.length} input files, ${fleet.clusters.length} clusters`);
}
