// Writing many files from worker threads. Each fs.writeFile from the main thread is three trips
// through libuv's pool (open, write, close), each a native call and a callback there: at 33,700
// files about 0.9 s of the main thread (bench/bench.ts, profiled). Two workers making the same
// calls synchronously take them off the main thread, which meanwhile makes the next files' texts
// (OutputFile.content). Used by commit.ts for the real file system only: a test's fault-injecting
// WriterFs sees every call through the one-file-at-a-time path.
import { Worker } from 'node:worker_threads';

/** Below this many files a worker's start (~30 ms) costs more than it saves. */
export const POOL_MIN_FILES = 2000;

/** Files per message: large enough to amortize the message, small enough to keep both busy. */
const BATCH = 32;

// Evaluated, not a module file: the CLI runs as one bundled file (scripts/bundle.js).
// Each file's size, mtime and inode, read from its open descriptor once written (fstat, no path
// lookup), come back with the batch: the caches' snapshot of the tree takes them rather than
// stating every file again after the commit (tree-walk.ts), and they are this build's bytes
// even if something rewrites a file before that snapshot would have been taken.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { closeSync, fstatSync, openSync, writeFileSync } = require('node:fs');
parentPort.on('message', (batch) => {
  const stats = new Float64Array((batch.length / 2) * 3);
  for (let i = 0; i < batch.length; i += 2) {
    let fd;
    try {
      fd = openSync(batch[i], 'w');
      writeFileSync(fd, batch[i + 1]);
      const st = fstatSync(fd);
      stats.set([st.size, st.mtimeMs, st.ino], (i / 2) * 3);
    } catch (e) {
      if (fd !== undefined) try { closeSync(fd); } catch {}
      parentPort.postMessage({ code: e.code, syscall: e.syscall, path: e.path ?? batch[i], message: e.message });
      return;
    }
    closeSync(fd);
  }
  parentPort.postMessage(stats, [stats.buffer]);
});
`;

/** A written file's [size, mtimeMs, inode], as lstat gives them (tree-walk.ts). */
export type FileStat = [size: number, mtimeMs: number, ino: number];

interface WorkerFailure {
  code?: string;
  syscall?: string;
  path: string;
  message: string;
}

/** A file to write: its absolute path and its text, both made when its batch is sent. */
export interface PendingFile {
  path: string;
  text: string;
}

/**
 * Writes the files (create or truncate, as fs.writeFile) from `threads` workers, and gives each
 * file's stat once written, in the order of `items`. Rejects with the first failure as a system
 * error (code, syscall, path) once every batch sent has come back; the files of other batches
 * may be written or not, as with a failure among parallel writeFiles.
 * `file` makes an item's path and text when its batch is sent: made up front, an object, a
 * closure and an absolute path per file were ~200 bytes each, held through the whole write
 * (an estimate: ~80 MB at 10,000 x 50's 418,000 files, where peak RSS is at its 2 GiB limit).
 */
export function writeInWorkers<T>(
  items: readonly T[],
  file: (item: T) => PendingFile,
  threads = 2,
): Promise<FileStat[]> {
  if (items.length === 0) return Promise.resolve([]);
  const stats: FileStat[] = new Array<FileStat>(items.length);
  return new Promise((resolve, reject) => {
    const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true }));
    let next = 0;
    let inFlight = 0;
    /** The first problem: an Error thrown here, or what a worker reported. */
    let failure: Error | WorkerFailure | undefined;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      void Promise.all(workers.map((w) => w.terminate())).then(() =>
        failure === undefined
          ? resolve(stats)
          : reject(failure instanceof Error ? failure : systemError(failure)),
      );
    };
    /** Per worker, the first item of each batch it has not answered yet (answers come in order). */
    const pending = new Map<Worker, number[]>(workers.map((w) => [w, []]));
    const send = (w: Worker) => {
      if (failure !== undefined || next >= items.length) return;
      const batch: string[] = [];
      try {
        for (let i = next; i < Math.min(next + BATCH, items.length); i++) {
          const f = file(items[i]!);
          batch.push(f.path, f.text);
        }
      } catch (e) {
        failure = e instanceof Error ? e : new Error(String(e));
        return;
      }
      pending.get(w)!.push(next);
      next += BATCH;
      inFlight++;
      w.postMessage(batch);
    };
    for (const w of workers) {
      w.on('message', (m: WorkerFailure | Float64Array) => {
        inFlight--;
        const first = pending.get(w)!.shift()!;
        if (m instanceof Float64Array) {
          for (let j = 0; j < m.length; j += 3) stats[first + j / 3] = [m[j]!, m[j + 1]!, m[j + 2]!];
        } else failure ??= m;
        send(w);
        if (inFlight === 0) finish();
      });
      w.on('error', (e) => {
        failure ??= e;
        finish();
      });
    }
    // Two batches per worker: one being written while the next is made and sent.
    for (let round = 0; round < 2; round++) for (const w of workers) send(w);
    if (inFlight === 0) finish();
  });
}

/** A worker's failure as the system error fs would have thrown (errno() reads its fields). */
function systemError(f: WorkerFailure): Error {
  return Object.assign(new Error(f.message), { code: f.code, syscall: f.syscall, path: f.path });
}
