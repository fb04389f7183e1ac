// The worker of parallel-parse.ts: parses the files it takes from the shared counter and posts
// back, for each that parsed without any diagnostic into plain JSON (not SOPS), its values.
import { parentPort, workerData } from 'node:worker_threads';
import { Reporter } from '../core/diagnostics.js';
import { parseYamlFile } from '../core/yaml-source.js';
import { isPlainJson } from './parse-cache.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- set by parallel-parse.ts
const { texts, counter } = workerData as { texts: string[]; counter: SharedArrayBuffer };
const next = new Int32Array(counter);
const out: [number, string][] = [];
for (let i = Atomics.add(next, 0, 1); i < texts.length; i = Atomics.add(next, 0, 1)) {
  const reporter = new Reporter();
  const docs = parseYamlFile(texts[i]!, '', reporter);
  if (reporter.diagnostics.length || docs.some((d) => d.verbatim !== undefined)) continue;
  const values = docs.map((d) => [d.source.index, d.value]);
  if (values.every(([, v]) => isPlainJson(v))) out.push([i, JSON.stringify(values)]);
}
parentPort?.postMessage(out);
