// Schemas of the custom resources platform teams use most, offline and without their CRDs: the
// @kubernetes-models/* packages carry a compiled ajv validator per kind, generated from the
// projects' own API types. A kind's module is imported only when an object of that kind is
// validated (`loadWellKnownSchemas` is told which kinds are present), and only when neither
// schemaLocations, a user's CRD nor the built-in set knows the kind (schema-registry.ts).
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { isObject } from '../core/cow.js';
import type { Reporter, SourcePos } from '../core/diagnostics.js';
import type { OutputFile } from '../types.js';
import { wellKnownPackage } from '../core/well-known-kinds.js';
import { importModule } from '../core/dynamic-import.js';

export { wellKnownPackage };

interface ModelClass {
  apiVersion?: string;
  kind?: string;
  new (data: unknown): { validate(): void };
}

/**
 * Validators for those of `kinds` (`apiVersion/Kind`) that a package serves, keyed the same
 * way. A group/version the package lacks is simply absent (the registry then says "no schema").
 */
export async function loadWellKnownSchemas(kinds: Iterable<string>): Promise<Map<string, ValidateFunction>> {
  const out = new Map<string, ValidateFunction>();
  const modules = new Map<string, Promise<Record<string, unknown> | undefined>>();
  for (const key of [...new Set(kinds)].sort()) {
    const slash = key.lastIndexOf('/');
    const apiVersion = key.slice(0, slash);
    const kind = key.slice(slash + 1);
    const pkg = wellKnownPackage(apiVersion);
    if (!pkg || !apiVersion.includes('/')) continue;
    // One module per kind (`<package>/<group>/<version>/<Kind>`): only its validator loads.
    const specifier = `${pkg}/${apiVersion}/${kind}`;
    let mod = modules.get(specifier);
    if (!mod) {
      mod = importModule(specifier).then(
        (m) => m,
        () => undefined,
      );
      modules.set(specifier, mod);
    }
    const cls = (await mod)?.[kind];
    if (isModelClass(cls, apiVersion, kind)) out.set(key, validatorOf(cls, `${pkg} ${apiVersion} ${kind}`));
  }
  return out;
}

function isModelClass(v: unknown, apiVersion: string, kind: string): v is ModelClass {
  return (
    typeof v === 'function' &&
    'apiVersion' in v &&
    v.apiVersion === apiVersion &&
    'kind' in v &&
    v.kind === kind
  );
}

/** The model's own check as an ajv ValidateFunction: the same errors, instancePath and all. */
function validatorOf(cls: ModelClass, source: string): ValidateFunction {
  // checkSchema reads only the call and `errors` of a ValidateFunction; this has both.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion
  const validate = ((data: unknown): boolean => {
    try {
      new cls(data).validate();
      validate.errors = null;
      return true;
    } catch (e) {
      // ValidationError of @kubernetes-models/validate carries ajv's errors.
      if (!(e instanceof Error) || !('errors' in e) || !Array.isArray(e.errors)) throw e;
      validate.errors = e.errors;
      return false;
    }
  }) as ValidateFunction;
  Object.defineProperty(validate, 'name', { value: source });
  return validate;
}

/**
 * fedrender's own Argo CD Applications and Flux Kustomizations, checked against their projects'
 * schemas at build time: a failure is a fedrender bug, reported as such at output.gitops.
 */
export async function checkGeneratedGitops(
  files: readonly OutputFile[],
  at: SourcePos,
  reporter: Reporter,
): Promise<void> {
  const objects = files.flatMap((f) => {
    const value: unknown = parse(f.content);
    return isObject(value) && typeof value.apiVersion === 'string' && typeof value.kind === 'string'
      ? [{ path: f.path, value, key: `${value.apiVersion}/${value.kind}` }]
      : [];
  });
  const validators = await loadWellKnownSchemas(objects.map((o) => o.key));
  for (const o of objects) {
    const validate = validators.get(o.key);
    if (!validate || validate(o.value)) continue;
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
    reporter.error(
      'SCHEMA',
      at,
      `internal error: fedrender generated ${o.path}, which ${validate.name} refuses (${problems.join('; ')}); this is a fedrender bug, please report it`,
    );
  }
}
