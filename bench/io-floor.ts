// The I/O floor for `npm run bench`: what any renderer must at least do. Reads every input file
// of the fleet and writes the given output files into an empty folder, 64 at a time. The
// contents are read first from the tree fedrender wrote (the pack lists the paths); that
// loading time is printed and not counted.
//
// With --parse, the "parse floor": the same, plus parsing every input with `yaml` (the parser
// fedrender is built on) between the reads and the writes, the inputs split between the main
// thread and one worker as fedrender splits them. No renderer that reads its inputs with `yaml`
// and writes nothing before it has seen them all can take less; the bench prints it beside the
// I/O floor so the full build's ratio can be read against what the parser alone costs.
//
//   node dist/bench/io-floor.js PACK.json OUTDIR [--parse]
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { parseAllDocuments } from 'yaml';

/** Documents parsed (to values, as fedrender needs them) out of these texts. */
function parseAll(texts: readonly string[]): number {
  let docs = 0;
  for (const t of texts) for (const d of parseAllDocuments(t)) if (d.toJS() !== null) docs++;
  return docs;
}

if (!isMainThread) {
  parentPort?.postMessage(parseAll(workerData as string[]));
} else {
  await main();
}

async function main(): Promise<void> {
  const [pack = '', out = '', flag] = process.argv.slice(2);
  const t0 = performance.now();
  const { inputs, root, paths } = JSON.parse(readFileSync(pack, 'utf8')) as {
    inputs: string[];
    root: string;
    paths: string[];
  };
  // As text, as fedrender holds them (10,000 x 50 is 2 GB: one JSON pack could not hold it).
  const files: [string, string][] = paths.map((p) => [p, readFileSync(join(root, p), 'utf8')]);

  // Loading the contents is not part of the floor: it is reported, and the bench subtracts it.
  console.log(`pack-ms ${performance.now() - t0}`);

  const texts: string[] = [];
  await pool(inputs, 64, async (p) => {
    texts.push(await readFile(p, 'utf8'));
  });
  if (flag === '--parse') {
    const half = texts.filter((_, i) => i % 2 === 1);
    const worker = new Worker(new URL(import.meta.url), { workerData: half });
    const theirs = new Promise<number>((ok, fail) => {
      worker.once('message', ok);
      worker.once('error', fail);
    });
    const mine = parseAll(texts.filter((_, i) => i % 2 === 0));
    console.log(`docs ${mine + (await theirs)}`);
    await worker.terminate();
  }
  const dirs = [...new Set(files.map(([p]) => dirname(join(out, p))))];
  await pool(dirs, 64, (d) => mkdir(d, { recursive: true }));
  await pool(files, 64, ([p, text]) => writeFile(join(out, p), text));
  if (texts.length === 0) process.exitCode = 1;
}

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}
