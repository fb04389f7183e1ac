// One ajv configuration for every schema fedrender compiles: all errors (every problem in one
// run), no strict-mode complaints about vendor keywords (x-kubernetes-*), formats from
// ajv-formats plus the OpenAPI number formats Kubernetes uses, which constrain nothing here.
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';

// ajv-formats is CommonJS: TypeScript (NodeNext) sees its module object, whose `default` is the
// plugin; at run time the import is the plugin itself, which carries itself as `default` too.
const addFormats = addFormatsImport.default;

export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true, verbose: true });
  addFormats(ajv);
  for (const f of ['int32', 'int64', 'float', 'double', 'int-or-string', 'quantity']) {
    ajv.addFormat(f, true);
  }
  return ajv;
}
