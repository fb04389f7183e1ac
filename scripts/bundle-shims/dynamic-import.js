// The bundled CLI runs as a vm.Script (bin/fedrender.js), where import() needs an experimental
// Node feature: the executable passes its own import() as __fedrenderImport. Required directly
// (no executable around it), the bundle imports by itself.
/* global __fedrenderImport */
export function importModule(specifier) {
  return typeof __fedrenderImport === 'function' ? __fedrenderImport(specifier) : import(specifier);
}
