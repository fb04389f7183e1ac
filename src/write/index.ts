// Stage write: every file a build writes, replaces or deletes goes through here (besides it,
// index.ts only makes the output folder, which holds the lock, and federation.yaml edits go
// through writeFileAtomic below). Its surface is small:
//   planWrite(fs, trees)   reads the trees, returns what would change (writes nothing; --check)
//   commitWrite(fs, plan)  applies it: temp file + rename per changed file, stale owned files
//                          last, under a write-ahead journal; undoes itself on failure
//   recover(fs, roots)     finishes or undoes a build that was killed (run before planning)
//   withLock(...)          crash-safe lock for a build or a federation.yaml edit
// It owns only what its record lists (record.ts); the output folder itself and every path it
// does not own are never renamed, replaced, chmod-ed or deleted.
export { commitWrite, hasWork, WriteError, type WrittenStats } from './commit.js';
export { errno, realFs, type WriterFs } from './fs-layer.js';
export { recover, JOURNAL_FILE } from './journal.js';
export { LOCK_NAME, withLock } from './lock.js';
export {
  planWrite,
  rootProblems,
  StaleKeptFiles,
  type TreeInput,
  type TreePlan,
  type WritePlan,
  type WriteProblem,
} from './plan.js';
export { RECORD_FILE } from './record.js';
export { inside, writeFileAtomic } from './paths.js';
export type { FileStat } from './write-pool.js';
