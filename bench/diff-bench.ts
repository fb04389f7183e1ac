// `npm run bench:diff`: what `fedrender diff` costs against a build's compile on a large fleet.
// Generates a git repository (default 2,000 manifests x 20 clusters), commits it, changes it as
// a fleet-wide pull request does (an image bump on every Deployment, a new override for one
// region), then times one compile of the working tree and a diff of HEAD against it (two
// compiles, the base read from git). Self-contained: no other bench file is needed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { diff } from '../src/diff/diff.js';
import { compile } from '../src/index.js';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 20);
const MANIFESTS = Number(process.env.BENCH_MANIFESTS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** Manifest i: a Deployment, a Service or a ConfigMap in turn, one object per file. */
function manifest(i: number, image: string): string {
  const ns = `team-${i % 10}`;
  if (i % 3 === 0)
    return `apiVersion: apps/v1
kind: Deployment
metadata: {name: app-${i}, namespace: ${ns}, labels: {app: app-${i}}}
spec:
  replicas: 3
  selector: {matchLabels: {app: app-${i}}}
  template:
    metadata: {labels: {app: app-${i}}}
    spec:
      containers:
        - name: main
          image: ${image}
          ports: [{containerPort: 8080, name: http}]
          env: [{name: MODE, value: production}]
`;
  if (i % 3 === 1)
    return `apiVersion: v1
kind: Service
metadata: {name: app-${i}, namespace: ${ns}}
spec:
  selector: {app: app-${i - 1}}
  ports: [{name: http, port: 80, targetPort: http}]
`;
  return `apiVersion: v1
kind: ConfigMap
metadata: {name: app-${i}, namespace: ${ns}}
data: {LEVEL: info, TIMEOUT: 30s}
`;
}

function federation(extra: string): string {
  const clusters = Array.from(
    { length: CLUSTERS },
    (_, i) => `  - name: c${String(i).padStart(2, '0')}\n    labels: {region: r${i % 4}}`,
  ).join('\n');
  return `apiVersion: fedrender.io/v1alpha1
kind: Federation
clusters:
${clusters}
resources: [manifests/*.yaml]
overrides:
  - match: {kinds: [Deployment]}
    overrides:
      - clusterSelector: {matchLabels: {region: r0}}
        clusterOverrides: [{path: /spec/replicas, value: 5}]
${extra}`;
}

function writeFleet(dir: string, image: string, extra: string): void {
  writeFileSync(join(dir, 'federation.yaml'), federation(extra));
  for (let i = 0; i < MANIFESTS; i++) writeFileSync(join(dir, `manifests/m-${i}.yaml`), manifest(i, image));
  writeFileSync(
    join(dir, 'manifests/namespaces.yaml'),
    Array.from(
      { length: 10 },
      (_, i) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: team-${i}}\n`,
    ).join('---\n'),
  );
}

function git(dir: string, ...args: string[]): void {
  execFileSync('git', args, {
    cwd: dir,
    stdio: 'ignore',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@b',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@b',
    },
  });
}

interface Timing {
  wall: number;
  cpu: number;
}

async function timed(f: () => Promise<unknown>): Promise<Timing> {
  const t = performance.now();
  const c = process.cpuUsage();
  await f();
  const used = process.cpuUsage(c);
  return { wall: performance.now() - t, cpu: (used.user + used.system) / 1000 };
}

function median(times: number[]): number {
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? NaN;
}

function medians(ts: Timing[]): Timing {
  return { wall: median(ts.map((t) => t.wall)), cpu: median(ts.map((t) => t.cpu)) };
}

function show(t: Timing): string {
  return `${t.wall.toFixed(0).padStart(6)} ms wall ${t.cpu.toFixed(0).padStart(6)} ms cpu`;
}

const dir = mkdtempSync(join(tmpdir(), 'fedrender-diff-bench-'));
try {
  mkdirSync(join(dir, 'manifests'));
  writeFleet(dir, 'registry.example.com/app:1.0', '');
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  writeFleet(
    dir,
    'registry.example.com/app:1.1',
    `      - clusterSelector: {matchLabels: {region: r1}}\n        clusterOverrides: [{path: /spec/template/metadata/labels/canary, value: "yes"}]\n`,
  );
  const config = 'federation.yaml';
  const first = await compile({ config, cwd: dir });
  if (first.reporter.hasErrors()) throw new Error(JSON.stringify(first.reporter.diagnostics.slice(0, 3)));
  const probe = await diff({ config, cwd: dir });
  if (!probe.report) throw new Error(probe.usage ?? JSON.stringify(probe.sides));
  // Interleaved, so that load on a shared machine hits all three alike. CPU time (this process;
  // git's children are not counted) is reported beside wall time: it is far less noisy when
  // other jobs share the cores.
  const runs = { compile: [] as Timing[], validated: [] as Timing[], diff: [] as Timing[] };
  for (let i = 0; i < RUNS; i++) {
    runs.compile.push(await timed(() => compile({ config, cwd: dir })));
    runs.validated.push(await timed(() => compile({ config, cwd: dir, emit: false })));
    runs.diff.push(await timed(() => diff({ config, cwd: dir })));
  }
  const tCompile = medians(runs.compile);
  const tValidated = medians(runs.validated);
  const tDiff = medians(runs.diff);
  const s = probe.report.summary;
  console.log(
    `fleet: ${MANIFESTS} manifests x ${CLUSTERS} clusters = ${first.rendered.length} rendered objects per side (median of ${RUNS} runs)`,
  );
  console.log(
    `change: ${s.changed} objects changed in ${s.clustersChanged} clusters, ${probe.report.groups.length} groups`,
  );
  console.log(`compile, as build runs it (load..emit):  ${show(tCompile)}`);
  console.log(`compile without emit (what diff runs):   ${show(tValidated)}`);
  console.log(`diff HEAD..worktree (git + 2 x compile): ${show(tDiff)}`);
  const ratio = (a: Timing, b: Timing) =>
    `${(a.wall / b.wall).toFixed(2)}x wall, ${(a.cpu / b.cpu).toFixed(2)}x cpu`;
  console.log(`diff / compile:                  ${ratio(tDiff, tCompile)}`);
  console.log(`diff / compile without emit:     ${ratio(tDiff, tValidated)}`);
} finally {
  // BENCH_KEEP=1 leaves the generated repository for profiling by hand.
  if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
