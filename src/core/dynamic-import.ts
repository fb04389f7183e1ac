// The one dynamic import of an ES module by name (the @kubernetes-models packages): in the
// bundled CLI (scripts/bundle.js) it is replaced by the executable's own import(), because the
// bundle runs as a script compiled with V8's code cache, which cannot import by itself.
export function importModule(specifier: string): Promise<Record<string, unknown>> {
  return import(specifier);
}
