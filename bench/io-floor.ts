// The I/O floor for `npm run bench`: what any renderer must at least do. Reads every input file
// of the fleet and writes the given output files into an empty folder, 64 at a time. The
// contents are read first from the tree fedrender wrote (the pack lists the paths); that
// loading time is printed and not counted.
//
//   node dist/bench/io-floor.js PACK.json OUTDIR
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

const [pack = '', out = ''] = process.argv.slice(2);
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

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

let bytes = 0;
await pool(inputs, 64, async (p) => {
  bytes += (await readFile(p, 'utf8')).length;
});
const dirs = [...new Set(files.map(([p]) => dirname(join(out, p))))];
await pool(dirs, 64, (d) => mkdir(d, { recursive: true }));
await pool(files, 64, ([p, text]) => writeFile(join(out, p), text));
if (bytes === 0) process.exitCode = 1;
