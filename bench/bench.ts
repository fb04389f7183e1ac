// `npm run bench`: fedrender as users run it (the CLI as a process) on generated fleets, against
// the I/O floor (a node process that reads the same inputs and writes the same output files)
// and `kubectl kustomize` over the equivalent overlays; then a no-op rebuild (which must write
// nothing), a one-file change, `--cluster` for one cluster, and `validate` of a 20-file project
// against `node -e 0`. Writes BENCHMARKS.md with the figures, ratios, targets and pass/fail.
// The machine is shared and noisy: compare the ratios measured in this one run, not times.
//
//   npm run bench                      200x5 and 2,000x20
//   BENCH_LARGE=1 npm run bench        also 10,000x50 (several minutes)
//   BENCH_SIZES=200x5 npm run bench    only these sizes; BENCH_OUT=FILE writes elsewhere
//   BENCH_ONLY=noop,one-file,validate npm run bench
//                                      only these steps besides the full build (floor, kustomize,
//                                      noop, one-file, cluster, check, validate); prints the
//                                      table and writes BENCHMARKS.md only with BENCH_OUT
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateFleet } from './fleet.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin/fedrender.js');
const FLOOR = join(ROOT, 'dist/bench/io-floor.js');
const WORK = join(tmpdir(), 'fedrender-bench');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
/** Whether a step runs (BENCH_ONLY); a skipped one reads NaN, shown as "-". */
const runs = (step: 'floor' | 'kustomize' | 'noop' | 'one-file' | 'cluster' | 'check' | 'validate') =>
  !only || only.includes(step);
const sizes = (process.env.BENCH_SIZES ?? `200x5,2000x20${process.env.BENCH_LARGE ? ',10000x50' : ''}`)
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number]);

interface Run {
  ms: number;
  rssMiB: number;
  status: number;
  stderr: string;
  stdout: string;
}

/** One child process, timed from spawn to exit; peak RSS from /usr/bin/time -v when present. */
function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const full = TIME ? [TIME, ['-v', cmd, ...args]] : [cmd, args];
  const t = performance.now();
  const r = spawnSync(full[0] as string, full[1] as string[], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const ms = performance.now() - t;
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  return {
    ms,
    rssMiB: m ? Number(m[1]) / 1024 : NaN,
    status: r.status ?? -1,
    stderr: r.stderr ?? '',
    stdout: r.stdout ?? '',
  };
}

const failures: string[] = [];
/** A failed step is reported in BENCHMARKS.md (and its time is NaN), not thrown. */
function must(r: Run, what: string): Run {
  if (r.status === 0) return r;
  const first = r.stderr.split('\n').find((l) => /Error|error/.test(l)) ?? r.stderr.slice(0, 200);
  failures.push(`${what}: exit ${r.status}: ${first.trim()}`);
  console.error(`${what} failed (${r.status}):\n${r.stderr.slice(0, 2000)}`);
  return { ...r, ms: NaN };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Path -> mtime of every file under dir. */
function mtimes(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out.set(p, statSync(join(dir, p)).mtimeMs);
    }
  };
  walk('');
  return out;
}

interface Row {
  size: string;
  files: number;
  floor: number;
  /** The I/O floor with the inputs parsed by `yaml` (io-floor.ts --parse). */
  parseFloor: number;
  full: Run;
  kustomize: number;
  kustomizeSampled: string;
  noop: number;
  noopWrites: number;
  oneFile: number;
  cluster: number;
  /** build --check of the up-to-date tree (no cache). */
  check: Run;
}

// Trees a measurement starts without are moved here and deleted once everything is measured:
// on this machine's ext4 (no journal), creating files soon after deleting tens of thousands
// costs up to 3x the system time (the allocator skips inodes deleted in the last minutes:
// recently_deleted() in perf), which would charge one measurement for the cleanup of another.
const TRASH = join(WORK, 'trash');
let trashed = 0;
function moveAside(p: string): void {
  if (!existsSync(p)) return;
  mkdirSync(TRASH, { recursive: true });
  renameSync(p, join(TRASH, `${process.pid}-${trashed++}`));
}

const rows: Row[] = [];
for (const [objects, clusters] of sizes) {
  const size = `${objects.toLocaleString('en')}x${clusters}`;
  const dir = join(WORK, `${objects}x${clusters}`);
  moveAside(dir);
  const fleet = generateFleet(dir, { objects, clusters, seed: 1 });
  const cache = join(WORK, `cache-${objects}x${clusters}`);
  const env = { FEDRENDER_CACHE_DIR: cache };
  const repeat = objects <= 500 ? 3 : 1;
  console.error(`# ${size}: ${fleet.inputs.length} input files`);

  // Full build: empty output directory, empty caches.
  const fulls: Run[] = [];
  for (let i = 0; i < repeat; i++) {
    moveAside(join(dir, 'rendered'));
    moveAside(cache);
    fulls.push(must(run('node', [BIN, 'build'], dir, env), `${size} full build`));
  }
  const full = fulls.sort((a, b) => a.ms - b.ms)[Math.floor(repeat / 2)]!;
  const before = mtimes(join(dir, 'rendered'));
  const files = before.size;

  // The I/O floor: read the same inputs, write the same files (contents from a pack made here).
  const pack = join(WORK, `pack-${objects}x${clusters}.json`);
  if (runs('floor'))
    writeFileSync(
      pack,
      JSON.stringify({
        inputs: fleet.inputs.map((p) => join(dir, p)),
        root: join(dir, 'rendered'),
        paths: [...before.keys()],
      }),
    );
  const floorOut = join(WORK, `floor-${objects}x${clusters}`);
  const floors: number[] = [];
  const parseFloors: number[] = [];
  for (let i = 0; i < (runs('floor') ? repeat : 0); i++) {
    // The I/O floor, then the same with the inputs parsed (io-floor.ts --parse), alternated.
    for (const [times, extra] of [
      [floors, []],
      [parseFloors, ['--parse']],
    ] as const) {
      moveAside(floorOut);
      // Room for 2 GB of texts at 10,000 x 50 (loading them is not timed).
      const r = must(
        run('node', ['--max-old-space-size=8192', FLOOR, pack, floorOut, ...extra], dir),
        `${size} I/O floor${extra.length ? ' with parse' : ''}`,
      );
      times.push(r.ms - Number(/pack-ms ([\d.]+)/.exec(r.stdout)?.[1] ?? 0));
    }
  }
  moveAside(floorOut);
  rmSync(pack, { force: true });

  // No-op rebuild (warm): nothing may be written.
  const noops: number[] = [];
  let noopWrites = 0;
  for (let i = 0; i < (runs('noop') ? repeat : 0); i++) {
    noops.push(must(run('node', [BIN, 'build'], dir, env), `${size} no-op build`).ms);
    const after = mtimes(join(dir, 'rendered'));
    for (const [p, t] of after) if (before.get(p) !== t) noopWrites++;
    for (const p of before.keys()) if (!after.has(p)) noopWrites++;
  }

  // One-file change: a value in one ConfigMap, then back.
  const sample = join(dir, fleet.sample);
  const original = readFileSync(sample, 'utf8');
  const ones: number[] = [];
  for (let i = 0; i < (runs('one-file') ? repeat : 0); i++) {
    writeFileSync(sample, original.replace('LOG_LEVEL: info', `LOG_LEVEL: debug${i}`));
    ones.push(must(run('node', [BIN, 'build'], dir, env), `${size} one-file build`).ms);
  }
  writeFileSync(sample, original);
  if (runs('one-file')) must(run('node', [BIN, 'build'], dir, env), `${size} restoring build`);

  // --cluster for one cluster (warm).
  const singles: number[] = [];
  for (let i = 0; i < (runs('cluster') ? repeat : 0); i++)
    singles.push(
      must(run('node', [BIN, 'build', '--cluster', fleet.clusters[1] ?? ''], dir, env), `${size} --cluster`)
        .ms,
    );

  // build --check of the up-to-date tree, as README's CI job runs it: --check uses no cache, so
  // it renders everything and compares every file.
  const checkRuns: Run[] = [];
  for (let i = 0; i < (runs('check') ? repeat : 0); i++)
    checkRuns.push(must(run('node', [BIN, 'build', '--check'], dir, env), `${size} build --check`));
  const check = checkRuns.sort((a, b) => a.ms - b.ms)[Math.floor(checkRuns.length / 2)];

  // kubectl kustomize over the equivalent overlays; at the large sizes a sample, scaled.
  // The sample has a light overlay (region r0: labels only) and a heavy one (r1: images, env).
  // At 10,000x50 only the light one: kustomize takes ~7 minutes over it and did not finish the
  // heavy one in 46 CPU-minutes. Scaling the light one under-states kustomize, never fedrender.
  const overlays = clusters <= 5 ? fleet.overlays : fleet.overlays.slice(0, objects >= 10000 ? 1 : 2);
  const sampled = !runs('kustomize') ? [] : overlays;
  let kustomizeMs = 0;
  for (const o of sampled) {
    const r = must(
      run('kubectl', ['kustomize', o, '-o', join(WORK, 'kustomize-out.yaml')], dir),
      `${size} kubectl kustomize`,
    );
    kustomizeMs += r.ms;
  }
  rmSync(join(WORK, 'kustomize-out.yaml'), { force: true });
  rows.push({
    size,
    files,
    floor: median(floors),
    parseFloor: median(parseFloors),
    full,
    kustomize: sampled.length ? (kustomizeMs * fleet.overlays.length) / sampled.length : NaN,
    kustomizeSampled: `${sampled.length} of ${fleet.overlays.length}`,
    noop: median(noops),
    noopWrites,
    oneFile: median(ones),
    cluster: median(singles),
    check: check ?? { ms: NaN, rssMiB: NaN, status: 0, stderr: '', stdout: '' },
  });
  console.error(
    JSON.stringify(rows[rows.length - 1], (k, v: unknown) =>
      k === 'stderr' || k === 'stdout' ? undefined : v,
    ),
  );
}

// validate of a 20-file project (17 manifests, 2 namespaces, federation.yaml) vs node -e 0.
const small = join(WORK, 'validate-20');
const smallFleet = generateFleet(small, { objects: 17, clusters: 3, namespaces: 2, seed: 2 });
const VRUNS = 7;
const vruns = runs('validate') ? VRUNS : 0;
const validateMs = median(
  Array.from({ length: vruns }, () => must(run('node', [BIN, 'validate'], small), 'validate').ms),
);
const nodeMs = median(Array.from({ length: vruns }, () => run('node', ['-e', '0'], small).ms));

// Report.
const f = (ms: number) =>
  Number.isNaN(ms) ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
const x = (r: number) => `${r.toFixed(2)}x`;
const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
const ok = (b: boolean) => (b ? 'pass' : '**FAIL**');
const checks: [string, string, string, boolean][] = [];
for (const r of rows) {
  const target = r.size === '2,000x20' || r.size === '10,000x50';
  const rssLimit = r.size === '10,000x50' ? 2048 : 1024;
  if (!target) continue;
  checks.push(
    [`${r.size} full build / I/O floor`, x(r.full.ms / r.floor), '<= 2x', r.full.ms / r.floor <= 2],
    [
      `${r.size} peak RSS`,
      `${Math.round(r.full.rssMiB)} MiB`,
      `<= ${rssLimit} MiB`,
      r.full.rssMiB <= rssLimit,
    ],
  );
  if (r.size === '2,000x20')
    checks.push(
      [
        '2,000x20 kustomize / full build',
        x(r.kustomize / r.full.ms),
        '>= 40x',
        r.kustomize / r.full.ms >= 40,
      ],
      ['2,000x20 no-op rebuild / full build', pct(r.noop / r.full.ms), '<= 15%', r.noop / r.full.ms <= 0.15],
      ['2,000x20 no-op rebuild: files rewritten', String(r.noopWrites), '0', r.noopWrites === 0],
      [
        '2,000x20 one-file change / full build',
        pct(r.oneFile / r.full.ms),
        '<= 25%',
        r.oneFile / r.full.ms <= 0.25,
      ],
      [
        '2,000x20 --cluster (1 of 20) / full build',
        pct(r.cluster / r.full.ms),
        '<= 15%',
        r.cluster / r.full.ms <= 0.15,
      ],
    );
}
checks.push([
  `validate (${smallFleet.inputs.length} files) / node -e 0`,
  x(validateMs / nodeMs),
  '<= 4x',
  validateMs / nodeMs <= 4,
]);
const command = process.env.BENCH_LARGE
  ? 'BENCH_LARGE=1 npm run bench'
  : process.env.BENCH_SIZES
    ? `BENCH_SIZES=${process.env.BENCH_SIZES} npm run bench`
    : 'npm run bench';
const cpu = cpus();
const md = `# Benchmarks

Measured by \`${command}\` (bench/bench.ts) on ${new Date().toISOString().slice(0, 10)}: fedrender as users run
it, \`node bin/fedrender.js\` as a child process, on fleets generated by bench/fleet.ts (seed 1):
N manifests of 8 kinds (Deployments, Services, ConfigMaps, Secrets with allowSecrets, Ingresses,
Jobs, CronJobs, HPAs; mean ~2.4 KB; 20 namespaces) x C clusters; every object gets a per-cluster
label (labelsOverrider), Deployments a registry and env per region, one in 20 per-cluster
replicas, one in 40 an RSP split; 4 of 20 namespaces go to production clusters only, Ingresses
to edge clusters, the batch namespaces' Jobs to batch clusters. Times are wall clock from spawn
to exit; the machine is shared, so the ratios (measured in this one run) are what counts.

Machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM
(${(freemem() / 2 ** 30).toFixed(1)} GiB free at the end), load average ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')}, Node ${process.version}, ${process.platform}.
Peak RSS from ${TIME ? '`/usr/bin/time -v`' : '(no /usr/bin/time: not measured)'}.

| fleet | output files | I/O floor | parse floor | full build | ratio | ratio to parse floor | peak RSS | kubectl kustomize | fedrender faster by | no-op rebuild | one-file change | --cluster (1) | --check, up to date (peak RSS) |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${rows
  .map(
    (r) =>
      `| ${r.size} | ${r.files.toLocaleString('en')} | ${f(r.floor)} | ${f(r.parseFloor)} (${x(r.parseFloor / r.floor)}) | ${f(r.full.ms)} | ${x(r.full.ms / r.floor)} | ${x(r.full.ms / r.parseFloor)} | ${Math.round(r.full.rssMiB)} MiB | ${f(r.kustomize)} (${r.kustomizeSampled} overlays, scaled) | ${x(r.kustomize / r.full.ms)} | ${f(r.noop)} (${pct(r.noop / r.full.ms)}; ${r.noopWrites} files rewritten) | ${f(r.oneFile)} (${pct(r.oneFile / r.full.ms)}) | ${f(r.cluster)} (${pct(r.cluster / r.full.ms)}) | ${f(r.check.ms)} (${Number.isNaN(r.check.rssMiB) ? '-' : `${Math.round(r.check.rssMiB)} MiB`}) |`,
  )
  .join('\n')}

\`validate\` of a ${smallFleet.inputs.length}-file project: ${f(validateMs)}; \`node -e 0\`: ${f(nodeMs)} (medians of ${VRUNS}).

- Full build: an empty output directory and an empty cache (\`FEDRENDER_CACHE_DIR\` pointed at a
  fresh folder). No-op rebuild, one-file change (one ConfigMap value) and \`--cluster\` run warm,
  after it, as on a developer's machine or a CI runner that keeps the cache.
- The I/O floor (bench/io-floor.ts) reads every input file and writes the same output files
  into an empty folder, 64 at a time: what any renderer must at least do (it reads the texts
  from the tree fedrender wrote beforehand; that is not counted).
- The parse floor (\`io-floor.ts --parse\`, not a target): the I/O floor plus parsing every
  input with \`yaml\`, the parser fedrender is built on, to values, split between two threads as
  fedrender splits them, between the reads and the writes (nothing may be written before every
  input is read and checked). In parentheses, its ratio to the I/O floor: the part of the 2x
  budget the parser alone takes.
- kubectl kustomize: one overlay per cluster over per-namespace bases with \`labels\`, \`images\`,
  \`replicas\` and patches equivalent to the federation.yaml (an RSP split becomes a fixed
  count); each overlay rendered to a file; at 2,000x20 two overlays are timed (one with labels
  only, one with 500 image rewrites and an env patch) and the sum scaled to all clusters; at
  10,000x50 only the labels-only one (the heavy one did not finish in 46 CPU-minutes), which
  under-states kustomize's time.
- \`build --check\` (not a target): the up-to-date tree checked as README's CI job checks it;
  \`--check\` uses no cache, so it renders every object and compares every file.
- Medians of 3 runs at 200x5, one run at the larger sizes.
- The trees a full build or the floor starts without (and the last run's fleet) are moved
  aside and deleted after every measurement: on this machine's ext4 (no journal), files
  created within minutes of deleting tens of thousands cost up to 3x the system time (the
  inode allocator skips recently deleted inodes), which would charge one step for another's
  cleanup.

${failures.length ? `## Failed steps\n\n${failures.map((f) => `- ${f}`).join('\n')}\n\n` : ''}## Targets

| check | measured | target | result |
|---|---|---|---|
${checks.map(([what, got, target, pass]) => `| ${what} | ${got} | ${target} | ${ok(pass)} |`).join('\n')}
`;
if (process.env.BENCH_OUT || !only) writeFileSync(process.env.BENCH_OUT ?? join(ROOT, 'BENCHMARKS.md'), md);
console.log(md);
rmSync(TRASH, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
