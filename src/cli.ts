// The command line: the only module that knows yargs, the console and exit codes. A thin shell
// over index.ts: parse arguments, call the library, present diagnostics, return the exit code
// (0 ok, 1 invalid input, 2 usage error, 3 --check found output not up to date, 70 internal error).
import { isAbsolute, join as joinPath, relative } from 'node:path';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import yargs from 'yargs';
import type { Diagnostic } from './core/diagnostics.js';
import {
  build,
  diff,
  diffJson,
  diffMarkdown,
  diffText,
  explain,
  hasChanges,
  init,
  join,
  parseLabels,
  plan,
  planTable,
  schema,
  unjoin,
  validate,
  type BuildResult,
  type EditOutcome,
} from './index.js';
import { formatDiagnostics, type Format } from './format.js';
import { parseShard, type Shard } from './shard.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  /** Colour and other terminal niceties are off unless a caller asks. */
  env?: Record<string, string | undefined>;
  /** Whether stdout is a terminal (colour by default there). */
  tty?: boolean;
}

class UsageError extends Error {}

/** Exit code of an unexpected exception: EX_SOFTWARE of sysexits.h. */
export const INTERNAL_ERROR = 70;

/**
 * Runs one command and returns its exit code. Never throws: an exception nobody expected (a
 * bug, not a user mistake) is one line asking for a report, its stack only with FEDRENDER_DEBUG=1.
 */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    io.stderr(internalError(e, io.env?.FEDRENDER_DEBUG === '1'));
    return INTERNAL_ERROR;
  }
}

/** The last-resort message; also used by the bin for errors outside main(). */
export function internalError(e: unknown, debug: boolean): string {
  const raw = e instanceof Error ? e.message : String(e);
  // One line, and short: a message may quote a whole hostile input.
  const first = raw.split('\n')[0] ?? '';
  const message = first.length > 500 ? `${first.slice(0, 500)}…` : first;
  const stack = debug && e instanceof Error && e.stack ? `${e.stack}\n` : '';
  return `fedrender: internal error: ${message} (please report)\n${stack}`;
}

async function run(argv: string[], io: Io): Promise<number> {
  let exit = 0;
  const parser = yargs(argv)
    .scriptName('fedrender')
    .usage(
      '$0 <command> [options]\n\nRender federation.yaml + manifests + KubeFed objects into one directory per cluster.',
    )
    .option('config', {
      alias: 'c',
      type: 'string',
      default: 'federation.yaml',
      describe: 'federation file',
      global: true,
    })
    .option('format', {
      choices: ['text', 'json', 'github'] as const,
      default: 'text' as const,
      describe: 'diagnostics format',
      global: true,
    })
    .option('strict', {
      type: 'boolean',
      default: false,
      describe: 'warnings marked strict become errors',
      global: true,
    })
    .command(
      'build',
      'render every cluster into the output directory',
      (y) =>
        y
          .option('out', { alias: 'o', type: 'string', describe: 'output directory (default: output.dir)' })
          .option('check', {
            type: 'boolean',
            default: false,
            describe: 'print a diff and exit 3 if the output is not up to date; write nothing',
          })
          .option('cluster', { type: 'string', array: true, describe: 'only these clusters' })
          .option('cache', {
            type: 'boolean',
            default: true,
            describe: 'skip a build whose inputs and output are unchanged (--no-cache: always build)',
          })
          .option('shard', {
            type: 'string',
            describe: 'only the I-th of N disjoint sets of clusters (I/N; sorted names dealt round robin)',
          }),
      async (args) => {
        let shard: Shard | undefined;
        if (args.shard !== undefined) {
          const parsed = parseShard(args.shard);
          if (typeof parsed === 'string') throw new UsageError(parsed);
          if (args.cluster?.length) throw new UsageError('--shard and --cluster cannot be used together');
          shard = parsed;
        }
        const opts = {
          shard,
          cacheDir: args.cache ? cacheDir(io.env) : undefined,
          shippedValidators: io.env?.FEDRENDER_SHIPPED_VALIDATORS !== '0',
          config: args.config,
          cwd: io.cwd,
          outDir: args.out,
          clusters: args.cluster,
          strict: args.strict,
          check: args.check,
          onLoaded: tightenHeapGrowth,
        };
        const result = await build(opts);
        exit = report(result, args.format, io, args.check ? 'check' : 'build', args.config);
      },
    )
    .command(
      'validate',
      'check everything build checks; write nothing',
      (y) => y,
      async (args) => {
        const result = await validate(checkOptions(args, io));
        exit = report(result, args.format, io, 'validate', args.config);
      },
    )
    .command(
      'plan',
      'print the resources x clusters matrix with replica counts',
      (y) =>
        y.option('format', {
          choices: ['text', 'json'] as const,
          default: 'text' as const,
          describe: 'matrix format',
        }),
      async (args) => {
        const result = await plan(checkOptions(args, io));
        exit = report(result, args.format === 'json' ? 'json-quiet' : 'text', io, 'plan', args.config);
        if (exit === 0 && result.plan)
          io.stdout(
            args.format === 'json'
              ? JSON.stringify(result.plan, null, 2) + '\n'
              : planTable(result.plan, 100),
          );
      },
    )
    .command(
      'explain <resource>',
      'why KIND/NAME lands where it lands, per cluster',
      (y) =>
        y
          .positional('resource', {
            type: 'string',
            demandOption: true,
            describe: 'KIND/NAME, kind case-insensitive (deployment/web)',
          })
          .option('namespace', { alias: 'n', type: 'string', describe: 'only this namespace' }),
      async (args) => {
        const m = /^([^/]+)\/([^/]+)$/.exec(args.resource);
        if (!m) throw new UsageError(`expected KIND/NAME, found "${args.resource}"`);
        const result = await explain({
          config: args.config,
          cwd: io.cwd,
          strict: args.strict,
          kind: m[1]!,
          name: m[2]!,
          namespace: args.namespace,
        });
        // --format json: stdout holds one JSON document, the diagnostics go to stderr as JSON
        const json = args.format === 'json';
        exit = report(result, json ? 'json-quiet' : args.format, io, 'explain', args.config);
        if (json && !result.usage) io.stdout(JSON.stringify({ objects: result.objects }, null, 2) + '\n');
        if (result.usage || exit === 1) return;
        if (!result.text) {
          io.stderr(
            `fedrender explain: no ${m[1]}/${m[2]}${args.namespace ? ` in namespace ${args.namespace}` : ''} among the inputs\n`,
          );
          exit = 1;
          return;
        }
        if (!json) io.stdout(result.text);
      },
    )
    .command(
      'diff',
      'what changes in every cluster between two git revisions (default: HEAD and the working tree)',
      (y) =>
        y
          .option('base', { type: 'string', describe: 'base revision (default: HEAD)' })
          .option('head', { type: 'string', describe: 'head revision (default: the working tree)' })
          .option('format', {
            choices: ['text', 'markdown', 'json'] as const,
            default: 'text' as const,
            describe: 'report format',
          })
          .option('exit-code', {
            type: 'boolean',
            default: false,
            describe: 'exit 3 when anything changed',
          })
          .option('cluster', { type: 'string', array: true, describe: 'only these clusters' })
          .option('color', {
            type: 'boolean',
            describe: 'colour the text format (default: on a terminal, unless NO_COLOR is set)',
          }),
      async (args) => {
        exit = await runDiff(args, io);
      },
    )
    .command(
      'init',
      'write a starter federation.yaml',
      (y) =>
        y.option('from', {
          type: 'string',
          describe:
            'a KubeFed dump (kubectl get kubefedclusters,... -o yaml): clusters from its KubeFedClusters',
        }),
      async (args) => {
        exit = outcome(await init({ config: args.config, cwd: io.cwd, from: args.from }), io);
      },
    )
    .command(
      'join <name>',
      'add a cluster to federation.yaml (replaces kubefedctl join)',
      (y) =>
        y
          .positional('name', { type: 'string', demandOption: true })
          .option('label', {
            type: 'string',
            array: true,
            default: [] as string[],
            describe: 'k=v, repeatable',
          })
          .option('server', { type: 'string', describe: 'API server URL (used by GitOps output)' }),
      async (args) => {
        const { labels, bad } = parseLabels(args.label);
        if (bad.length) throw new UsageError(`--label takes key=value, found "${bad[0]}"`);
        exit = outcome(
          await join({ config: args.config, cwd: io.cwd, name: args.name, labels, server: args.server }),
          io,
        );
      },
    )
    .command(
      'unjoin <name>',
      'remove a cluster from federation.yaml',
      (y) => y.positional('name', { type: 'string', demandOption: true }),
      async (args) => {
        exit = outcome(await unjoin({ config: args.config, cwd: io.cwd, name: args.name }), io);
      },
    )
    .command(
      'schema',
      "print federation.yaml's JSON Schema",
      (y) => y,
      () => {
        io.stdout(JSON.stringify(schema(), null, 2) + '\n');
      },
    )
    .demandCommand(1, 'name a command: build, validate, plan, explain, diff, init, join, unjoin or schema')
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(100, 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  try {
    let helpShown = false;
    parser.showHelpOnFail(false);
    await parser.parseAsync(argv, {}, (err, _argv, output) => {
      if (output && !err) {
        io.stdout(output + '\n');
        helpShown = true;
      }
    });
    if (helpShown) return 0;
  } catch (e) {
    if (e instanceof UsageError || (e instanceof Error && e.name === 'YError')) {
      io.stderr(`fedrender: ${e.message}\nRun 'fedrender --help' for usage.\n`);
      return 2;
    }
    throw e;
  }
  return exit;
}

/**
 * Where fedrender keeps its caches: $FEDRENDER_CACHE_DIR, else $XDG_CACHE_HOME/fedrender, else
 * ~/.cache/fedrender; none when the environment names no home (in-process callers).
 */
/** What `validate` and `plan` pass the library: the project, strictness and the caches. */
function checkOptions(args: { config: string; strict: boolean }, io: Io) {
  return {
    config: args.config,
    cwd: io.cwd,
    strict: args.strict,
    cacheDir: cacheDir(io.env),
    shippedValidators: io.env?.FEDRENDER_SHIPPED_VALIDATORS !== '0',
  };
}

function cacheDir(env: Record<string, string | undefined> | undefined): string | undefined {
  if (!env) return undefined;
  if (env.FEDRENDER_CACHE_DIR) return env.FEDRENDER_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return joinPath(env.XDG_CACHE_HOME, 'fedrender');
  return env.HOME ? joinPath(env.HOME, '.cache', 'fedrender') : undefined;
}

async function runDiff(
  args: {
    config: string;
    strict: boolean;
    base?: string;
    head?: string;
    format: 'text' | 'markdown' | 'json';
    exitCode: boolean;
    cluster?: string[];
    color?: boolean;
  },
  io: Io,
): Promise<number> {
  const result = await diff({
    config: args.config,
    cwd: io.cwd,
    base: args.base,
    head: args.head,
    clusters: args.cluster,
    strict: args.strict,
  });
  if (result.usage) {
    io.stderr(`fedrender diff: ${result.usage}\n`);
    return 2;
  }
  const errors = result.sides.flatMap((s) =>
    s.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => ({ ...d, side: s.side, revision: s.revision })),
  );
  if (errors.length || !result.report) {
    // Each problem names the revision it belongs to: the base's inputs are not the working tree's.
    if (args.format === 'json') io.stdout(JSON.stringify(errors, null, 2) + '\n');
    else {
      for (const s of result.sides) {
        const text = formatDiagnostics(
          s.diagnostics.filter((d) => d.severity === 'error'),
          'text',
          (d) => `${s.side} (${s.revision}) ${d.file}`,
        );
        io.stderr(text);
      }
      io.stderr(`fedrender diff: ${plural(errors.length, 'error')}; no diff\n`);
    }
    return 1;
  }
  const r = result.report;
  const env = io.env ?? {};
  const color = args.color ?? (io.tty === true && !env.NO_COLOR);
  io.stdout(
    args.format === 'json'
      ? diffJson(r)
      : args.format === 'markdown'
        ? diffMarkdown(r)
        : diffText(r, { color }),
  );
  return args.exitCode && hasChanges(r) ? 3 : 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function outcome(o: EditOutcome, io: Io): number {
  io.stderr(`fedrender: ${o.message}\n`);
  for (const n of o.notes) io.stderr(`${n}\n`);
  return o.code;
}

function report(
  result: BuildResult,
  requested: Format | 'json-quiet',
  io: Io,
  mode: 'build' | 'check' | 'validate' | 'plan' | 'explain',
  configArg: string,
): number {
  // plan --format json keeps stdout for the matrix: its diagnostics go to stderr as JSON.
  const format: Format = requested === 'json-quiet' ? 'json' : requested;
  if (result.usage) {
    io.stderr(`fedrender: ${result.usage}\n`);
    return 2;
  }
  const configDir = result.configDir ?? io.cwd;
  // GitHub annotations need paths from the workspace root (the cwd), not from federation.yaml.
  const pathFor = (d: Diagnostic) =>
    format === 'github'
      ? relative(io.cwd, isAbsolute(d.file) ? d.file : joinPath(configDir, d.file))
          .split('\\')
          .join('/')
      : d.file;
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  const text = formatDiagnostics(result.diagnostics, format, pathFor);
  if (requested === 'json') io.stdout(text);
  else if (requested === 'json-quiet') {
    if (result.diagnostics.length) io.stderr(text);
  } else if (text) io.stderr(text);
  const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  if (errors) {
    if (format !== 'json')
      io.stderr(
        `fedrender ${mode}: ${counts}${mode === 'build' || mode === 'check' ? '; nothing written' : ''}\n`,
      );
    return 1;
  }
  const out = [result.outDir, result.fluxDir]
    .filter((d) => d !== undefined)
    .map((d) => relative(io.cwd, d) || '.')
    .join(' and ');
  if (mode === 'check') {
    if (result.changed) {
      if (format !== 'json') io.stdout(result.diff ?? '');
      if (format !== 'json')
        io.stderr(
          `fedrender check: the output (${out}) is not up to date with ${configArg}; run fedrender build (${counts})\n`,
        );
      return 3;
    }
    if (format !== 'json') io.stderr(`fedrender check: the output (${out}) is up to date (${counts})\n`);
    return 0;
  }
  if (format !== 'json') {
    if (mode === 'plan' || mode === 'explain') return 0;
    const what =
      mode === 'validate'
        ? `valid: ${plural(result.clusters.length, 'cluster')}, ${plural(result.files, 'file')} would be written`
        : `${plural(result.clusters.length, 'cluster')}, ${plural(result.files, 'file')} in ${out}${result.changed ? '' : ' (unchanged)'}`;
    io.stderr(`fedrender ${mode}: ${what} (${counts})\n`);
  }
  return 0;
}

/**
 * A large build: parsed inputs x clusters rendered over 8 GiB (10,000 manifests x 50 clusters is
 * 19 GiB, 2,000 x 20 is 1.4). From here V8 grows the heap by 20% over what is live before
 * collecting, not by its default of up to 4x: at 10,000 x 50 that kept peak RSS at 1.8 GiB
 * instead of 2.2-2.3 (issue 8's target is 2 GiB) for ~15% more time in GC. Smaller builds keep
 * V8's defaults, which are faster there (13% at 2,000 x 20).
 */
function tightenHeapGrowth({ clusters }: { clusters: number }): void {
  const used = getHeapStatistics().used_heap_size;
  if (used * clusters > 8 * 2 ** 30) setFlagsFromString('--heap-growing-percent=20');
}
