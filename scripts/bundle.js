// Run by `npm run build` / `prepare` / `test` / `bench` after tsc: bundles the CLI (dist/src/cli.js
// and its dependencies) into one CommonJS file, dist/bundle/cli.cjs, with esbuild. Starting a
// CLI made of ~300 modules costs Node more in resolving, reading and compiling them than
// `validate` spends validating a small project; bin/fedrender.js reads one file and compiles it
// with V8's code cache. ajv's runtime, the precompiled validators and the @kubernetes-models
// schemas are still loaded at run time from the package and node_modules.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * string-width (yargs lays out its help text on every run) compiles Unicode property regexes
 * when it is imported: tens of milliseconds. Printable ASCII is one column per character (what
 * string-width returns for it); anything else loads the real module on first use.
 */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === 'real') return undefined;
      const real = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: 'real',
      });
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: `let real;\nexport default function stringWidth(text, options) {\n  if (typeof text === 'string' && /^[\\x20-\\x7e]*$/.test(text)) return text.length;\n  real ??= require(${JSON.stringify(args.path)}).default;\n  return real(text, options);\n}\n`,
      resolveDir: dirname(args.path),
    }));
  },
};

/** src/core/dynamic-import.ts -> the shim that uses the executable's import(). */
const executableImport = {
  name: 'executable-import',
  setup(b) {
    b.onResolve({ filter: /\/core\/dynamic-import\.js$/ }, () => ({
      path: join(root, 'scripts/bundle-shims/dynamic-import.js'),
    }));
  },
};

await build({
  entryPoints: [join(root, 'dist/src/cli.js')],
  outfile: join(root, 'dist/bundle/cli.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  // Smaller source, faster to read and compile; names are kept for stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  // Paths are found from the module's own location (package-files.ts, ajv.ts).
  define: { 'import.meta.url': '__fedrenderModuleUrl' },
  banner: { js: 'var __fedrenderModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  alias: { 'escalade/sync': join(root, 'scripts/bundle-shims/escalade-sync.js') },
  plugins: [lazyStringWidth, executableImport],
});
