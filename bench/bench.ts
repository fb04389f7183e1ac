// `npm run bench`: how the pipeline scales with a fleet, against a naive renderer (a deep copy
// per cluster, patched, then yaml's stringify). Generates a synthetic project, runs each variant
// several times and prints medians and ratios measured in this one run (the machine is noisy:
// compare ratios, not absolute times).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import fjp from 'fast-json-patch';
import { stringify } from 'yaml';
import { serializeDocument } from '../src/core/serialize.js';
import { compile } from '../src/pipeline.js';
import type { JsonObject } from '../src/types.js';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 20);
const APPS = Number(process.env.BENCH_APPS ?? 150);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function deployment(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: team-${i % 10}
  labels: {app: app-${i}, tier: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: app-${i}}}
  template:
    metadata: {labels: {app: app-${i}, tier: web}}
    spec:
      containers:
      - name: main
        image: registry.example.com/app-${i}:1.0.${i}
        args: ["--port=8080", "--log-level=info", "--feature-x=on"]
        ports: [{containerPort: 8080, name: http}]
        env: [{name: MODE, value: production}, {name: REGION, value: "yes"}]
        resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: "1", memory: 512Mi}}
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 10}
---
apiVersion: v1
kind: Service
metadata: {name: app-${i}, namespace: team-${i % 10}}
spec:
  selector: {app: app-${i}}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-${i}, namespace: team-${i % 10}}
data:
  config.yaml: |
    server:
      port: 8080
      timeout: 30s
    features: [a, b, c]
`;
}

function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fedrender-bench-'));
  mkdirSync(join(dir, 'manifests'));
  const clusters = Array.from(
    { length: CLUSTERS },
    (_, i) => `  - name: c${String(i).padStart(2, '0')}\n    labels: {region: r${i % 4}}`,
  ).join('\n');
  const namespaces = Array.from(
    { length: 10 },
    (_, i) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: team-${i}}\n`,
  ).join('---\n');
  writeFileSync(join(dir, 'manifests/namespaces.yaml'), namespaces);
  for (let i = 0; i < APPS; i++) writeFileSync(join(dir, `manifests/app-${i}.yaml`), deployment(i));
  writeFileSync(
    join(dir, 'federation.yaml'),
    `apiVersion: fedrender.io/v1alpha1
kind: Federation
clusters:
${clusters}
resources: [manifests/*.yaml]
overrides:
  - match: {kinds: [Deployment]}
    overrides:
      - clusterSelector: {matchLabels: {region: r0}}
        clusterOverrides: [{path: /spec/replicas, value: 5}]
      - clusterName: c01
        clusterOverrides: [{path: /spec/template/spec/containers/0/image, value: "registry.example.com/canary:2.0"}]
`,
  );
  return dir;
}

async function median(f: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const dir = makeProject();
const t0 = performance.now();
const c = await compile({ config: join(dir, 'federation.yaml'), cwd: dir });
const tFirst = performance.now() - t0;
if (c.reporter.hasErrors()) throw new Error(JSON.stringify(c.reporter.diagnostics.slice(0, 3)));
const objects = c.rendered.length;

const tCompile = await median(() => compile({ config: join(dir, 'federation.yaml'), cwd: dir }));

// The naive renderer the design replaces: every cluster deep-copies and patches every object,
// then yaml's stringify with sorted keys.
const bases = c.model!.resources.map((r) => r.body);
const naive = () => {
  let bytes = 0;
  for (const cl of c.clusters) {
    for (const body of bases) {
      const copy = structuredClone(body) as JsonObject;
      if (copy.kind === 'Deployment')
        fjp.applyPatch(copy, [{ op: 'replace', path: '/spec/replicas', value: cl === 'c00' ? 5 : 3 }]);
      bytes += stringify(copy, { sortMapEntries: true, aliasDuplicateObjects: false, lineWidth: 0 }).length;
    }
  }
  return bytes;
};
const tNaive = await median(naive);

// The serializer alone: shared (cached) subtrees vs. fresh copies that defeat the cache.
const tSerializeShared = await median(() =>
  c.rendered.reduce((n, o) => n + serializeDocument(o.body).length, 0),
);
const tSerializeFresh = await median(() =>
  c.rendered.reduce((n, o) => n + serializeDocument(structuredClone(o.body)).length, 0),
);
const tStringify = await median(() =>
  c.rendered.reduce(
    (n, o) =>
      n + stringify(o.body, { sortMapEntries: true, aliasDuplicateObjects: false, lineWidth: 0 }).length,
    0,
  ),
);

// Validation: the stage alone on the same compilation, schemas already compiled (warm), and the
// one-off cost of compiling the schemas of the kinds present (a fresh registry, cold).
const { validateRendered } = await import('../src/validate/validate.js');
const { Reporter } = await import('../src/core/diagnostics.js');
const tValidateWarm = await median(() =>
  validateRendered(c.rendered, c.model!, c.config!, [], new Reporter()),
);
// Copy-on-write, counted rather than timed: containers (maps and lists) a full copy per cluster
// would allocate, against the distinct ones the rendered objects actually hold.
let total = 0;
const distinct = new Set<object>();
const walk = (v: unknown): void => {
  if (typeof v !== 'object' || v === null) return;
  total++;
  distinct.add(v);
  for (const x of Object.values(v)) walk(x);
};
for (const o of c.rendered) walk(o.body);

console.log(
  `fleet: ${CLUSTERS} clusters x ${c.model!.resources.length} resources = ${objects} rendered objects (median of ${RUNS} runs)`,
);
console.log(`compile (load..emit, whole pipeline):       ${tCompile.toFixed(0)} ms`);
console.log(
  `naive render (deep copy + stringify):        ${tNaive.toFixed(0)} ms   ratio naive/compile ${(tNaive / tCompile).toFixed(2)}x`,
);
console.log(`serialize, shared subtrees (cache hits):     ${tSerializeShared.toFixed(0)} ms`);
console.log(
  `serialize, fresh copies (no cache):          ${tSerializeFresh.toFixed(0)} ms   ratio ${(tSerializeFresh / tSerializeShared).toFixed(2)}x`,
);
console.log(
  `yaml stringify of the same objects:          ${tStringify.toFixed(0)} ms   ratio stringify/serialize-shared ${(tStringify / tSerializeShared).toFixed(2)}x`,
);
console.log(
  `validate stage (schemas compiled, warm):     ${tValidateWarm.toFixed(0)} ms   share of compile ${((tValidateWarm / tCompile) * 100).toFixed(0)}%`,
);
console.log(
  `first compile in the process (cold):         ${tFirst.toFixed(0)} ms   (compiles the schemas of the ${new Set(c.rendered.map((o) => o.resource.id.kind)).size} kinds present, once)`,
);
console.log(
  `copy-on-write: ${distinct.size} distinct containers hold ${total} container uses (${(total / distinct.size).toFixed(1)}x fewer than a copy per cluster)`,
);
