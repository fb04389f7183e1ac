// Parsing a large project on two cores: the main thread and one worker (parse-worker.ts) take
// files from a shared counter until none are left. A clean file, parsed on either side, is kept
// as the values of its documents, as from the parse cache (positions are parsed again only if a
// diagnostic needs one), so its YAML nodes are garbage at once. Only files that parse without any
// diagnostic are taken from either side; the caller parses the rest again in file order, so
// diagnostics come out exactly as from one sequential parse. Small projects are parsed here alone: a worker costs ~50 ms.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../core/package-files.js';
import { Reporter } from '../core/diagnostics.js';
import { parseYamlFile, type ParsedDoc } from '../core/yaml-source.js';
import type { Json } from '../types.js';
import { isPlainJson } from './parse-cache.js';

/** A clean parse: documents (parsed here) or their values (parsed by the worker). */
export type CleanParse = { docs: ParsedDoc[] } | { values: [number, Json][] } | undefined;

/** Below this many bytes of YAML the worker's start-up costs more than it saves. */
const WORKER_MIN_BYTES = 1 << 20;
let forced: 'worker' | undefined;

/** Tests: `worker` leaves every file of any project to the worker; undefined restores the default. */
export function forceParseWorker(mode?: 'worker'): void {
  forced = mode;
}

export async function parseClean(texts: readonly string[], files: readonly string[]): Promise<CleanParse[]> {
  const bytes = texts.reduce((n, t) => n + t.length, 0);
  const useWorker = texts.length > 0 && (forced === 'worker' || bytes >= WORKER_MIN_BYTES);
  const out: CleanParse[] = new Array<CleanParse>(texts.length);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const worker = useWorker ? startWorker(texts, counter) : Promise.resolve([]);
  // The worker's results first when it is to take everything, then whatever it left.
  if (forced === 'worker') await worker;
  for (let i = Atomics.add(counter, 0, 1); i < texts.length; i = Atomics.add(counter, 0, 1)) {
    const quiet = new Reporter();
    const docs = parseYamlFile(texts[i]!, files[i]!, quiet);
    if (quiet.diagnostics.length) continue;
    // Values only, as from the worker: the YAML nodes are freed now, not held through the
    // build (positions are parsed again only for a diagnostic).
    const values = docs.every((d) => d.verbatim === undefined && isPlainJson(d.value))
      ? docs.map((d): [number, Json] => [d.source.index, d.value])
      : undefined;
    out[i] = values ? { values } : { docs };
  }
  // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- parse-worker.ts wrote it from isPlainJson values
  for (const [i, json] of await worker) out[i] = { values: JSON.parse(json) as [number, Json][] };
  return out;
}

/** The worker's clean files as [index, JSON]; [] when it could not run (the caller parses them). */
function startWorker(texts: readonly string[], counter: Int32Array): Promise<[number, string][]> {
  return new Promise((resolve) => {
    try {
      // From the package root, not this module: the CLI runs as one bundle (scripts/bundle.js).
      const w = new Worker(join(packageRoot(), 'dist', 'src', 'load', 'parse-worker.js'), {
        workerData: { texts, counter: counter.buffer },
      });
      w.once('message', (m: [number, string][]) => resolve(m));
      w.once('error', () => resolve([]));
      w.once('exit', () => resolve([]));
    } catch {
      resolve([]);
    }
  });
}
