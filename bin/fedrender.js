#!/usr/bin/env node
// The executable: hands argv and the process's streams to main() and exits with its code.
// main() never throws; the handler is for an error raised outside it (an event emitter's).
//
// It runs the one-file bundle (dist/bundle/cli.cjs, scripts/bundle.js) unless tsc wrote
// dist/src after it (a developer's tree), compiled with V8's code cache kept in the cache
// folder (<cache>/v8/, named by the bundle's hash): starting fedrender is then mostly reading
// two files, where compiling ~300 modules cost more than validating a small project.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const file = (p) => fileURLToPath(new URL(p, import.meta.url));
const mtime = (p) => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return -1;
  }
};
const BUNDLE = file('../dist/bundle/cli.cjs');
const cli =
  mtime(BUNDLE) >= mtime(file('../dist/src/cli.js')) ? loadBundle() : await import('../dist/src/cli.js');

process.on('uncaughtException', (e) => {
  process.stderr.write(cli.internalError(e, process.env.FEDRENDER_DEBUG === '1'));
  process.exit(cli.INTERNAL_ERROR);
});
const code = await cli.main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  env: process.env,
  tty: process.stdout.isTTY === true,
});
cli.saveCodeCache?.();
process.exitCode = code;

/** The bundle as a CommonJS module, with V8's code cache when there is one. */
function loadBundle() {
  const source = readFileSync(BUNDLE, 'utf8');
  const env = process.env;
  const root = env.FEDRENDER_CACHE_DIR
    ? env.FEDRENDER_CACHE_DIR
    : env.XDG_CACHE_HOME
      ? join(env.XDG_CACHE_HOME, 'fedrender')
      : env.HOME
        ? join(env.HOME, '.cache', 'fedrender')
        : undefined;
  // V8 checks a cache against the source's length only: the name carries the content's hash.
  const cacheFile =
    root && join(root, 'v8', `cli-${createHash('sha256').update(source).digest('hex').slice(0, 32)}.bin`);
  let cachedData;
  try {
    cachedData = cacheFile ? readFileSync(cacheFile) : undefined;
  } catch {
    cachedData = undefined;
  }
  // import() is not available to a script (without an experimental flag): it gets this one.
  const wrapper = `(function (exports, require, module, __filename, __dirname, __fedrenderImport) {${source}\n})`;
  const script = new Script(wrapper, { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  const importModule = (specifier) => import(specifier);
  script.runInThisContext()(
    module.exports,
    createRequire(BUNDLE),
    module,
    BUNDLE,
    dirname(BUNDLE),
    importModule,
  );
  const exports = module.exports;
  if (cacheFile && (!cachedData || script.cachedDataRejected))
    // After the run: the cache then holds every function this run compiled.
    exports.saveCodeCache = () => {
      try {
        mkdirSync(dirname(cacheFile), { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
        // Other bundles' caches (other versions, other projects' installs): the newest few stay.
        const dir = dirname(cacheFile);
        const old = readdirSync(dir)
          .filter((f) => /^cli-[0-9a-f]+\.bin$/.test(f))
          .map((f) => ({ f, t: mtime(join(dir, f)) }))
          .sort((a, b) => b.t - a.t)
          .slice(8);
        for (const { f } of old) rmSync(join(dir, f), { force: true });
      } catch {
        // A read-only or full cache folder only costs the next run its compile.
      }
    };
  return exports;
}
