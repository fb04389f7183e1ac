// The worker of tree-walk.ts: walks one tree and posts the snapshot as JSON (one string crosses
// threads faster than 30,000 small arrays).
import { parentPort, workerData } from 'node:worker_threads';
import { walkTree } from './tree-walk.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- set by tree-walk.ts
const { dir, outside } = workerData as { dir: string; outside: string[] };
parentPort?.postMessage(JSON.stringify(walkTree(dir, new Set(outside))));
