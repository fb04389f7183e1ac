// Upstream Kubernetes, Argo CD and Flux types for cross-checks, from npm devDependencies (never
// from outside the repository): `kubernetes-models` and its `@kubernetes-models/*` siblings are
// generated from Kubernetes' OpenAPI spec and from the tools' CRDs. They ship TypeScript
// declarations (property names, which are required, their types) and ajv-compiled validators,
// not JSON Schema; this module reads the declarations and loads the validators.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** Folder of an installed package (resolved through its package.json, which every one exports). */
export function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** `kubernetes-models` version, for messages. */
export function modelsVersion(): string {
  return (
    JSON.parse(readFileSync(join(packageDir('kubernetes-models'), 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}

/**
 * A property's type reduced to what both sides can say: `string`, `number`, `boolean`, `any`,
 * `array<T>`, `map<T>`, or `ref:<name>` with the definition's upstream name
 * (`io.k8s.api.apps.v1.DeploymentSpec` -> `IoK8sApiAppsV1DeploymentSpec`).
 */
export type TypeShape = string;

export interface ModelDefinition {
  properties: Map<string, { type: TypeShape; required: boolean }>;
}

/** `io.k8s.api.apps.v1.DeploymentSpec` -> `IoK8sApiAppsV1DeploymentSpec`, as the packages name it. */
export function modelName(definition: string): string {
  return definition
    .split(/[.-]/)
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join('');
}

const definitionsCache = new Map<string, Map<string, ModelDefinition>>();

/** Every interface of the packages (default: kubernetes-models and apimachinery), by upstream name. */
export function modelDefinitions(
  packages: readonly string[] = ['kubernetes-models', '@kubernetes-models/apimachinery'],
): Map<string, ModelDefinition> {
  const out = new Map<string, ModelDefinition>();
  for (const pkg of packages) {
    let defs = definitionsCache.get(pkg);
    if (!defs) {
      const found = new Map<string, ModelDefinition>();
      const walk = (dir: string): void => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const p = join(dir, e.name);
          if (e.isDirectory()) {
            if (e.name !== '_schemas' && e.name !== 'node_modules') walk(p);
          } else if (e.name.endsWith('.d.ts')) {
            for (const [name, def] of parseDeclarations(readFileSync(p, 'utf8'))) found.set(name, def);
          }
        }
      };
      walk(packageDir(pkg));
      defs = found;
      definitionsCache.set(pkg, defs);
    }
    for (const [k, v] of defs) out.set(k, v);
  }
  return out;
}

/**
 * Reads `export interface IDeploymentSpec { "replicas"?: number; ... }` and the alias line
 * `export type { IDeploymentSpec as IIoK8sApiAppsV1DeploymentSpec, ... }` of one declaration file.
 */
function parseDeclarations(text: string): Map<string, ModelDefinition> {
  const out = new Map<string, ModelDefinition>();
  const aliases = new Map<string, string>();
  for (const m of text.matchAll(/export type \{ (\w+) as I(\w+),/g)) aliases.set(m[1]!, m[2]!);
  const lines = text.split('\n').filter((l) => !/^\s*(\/\*\*|\*)/.test(l));
  for (let i = 0; i < lines.length; i++) {
    const head = /^export interface (\w+)(?: extends [\w, ]+)? \{$/.exec(lines[i]!);
    if (!head) continue;
    const local = head[1]!;
    const name = aliases.get(local) ?? (local.startsWith('I') ? local.slice(1) : local);
    const properties = new Map<string, { type: TypeShape; required: boolean }>();
    let j = i + 1;
    for (; j < lines.length && lines[j] !== '}'; j++) {
      const prop = /^ {4}"([^"]+)"(\?)?: (.*)$/.exec(lines[j]!);
      if (!prop) continue;
      let type = prop[3]!;
      // a multi-line object type: `{`, `[key: string]: T;`, `};`
      const open = (t: string) => (t.match(/[{<]/g) ?? []).length - (t.match(/[}>]/g) ?? []).length;
      while ((open(type) > 0 || !type.endsWith(';')) && j + 1 < lines.length)
        type += ' ' + lines[++j]!.trim();
      properties.set(prop[1]!, { type: shapeOf(type.replace(/;$/, '').trim(), aliases), required: !prop[2] });
    }
    out.set(name, { properties });
    i = j;
  }
  return out;
}

function shapeOf(ts: string, aliases: Map<string, string>): TypeShape {
  const t = ts.replace(/;$/, '').trim();
  if (t === 'string' || /^"[^"]*"( \| "[^"]*")*$/.test(t)) return 'string';
  if (t === 'number') return 'number';
  if (t === 'boolean') return 'boolean';
  if (t === 'any' || t === 'unknown' || t === 'object' || t === '{}') return 'any';
  const arr = /^Array<(.*)>$/.exec(t);
  if (arr) return `array<${shapeOf(arr[1]!, aliases)}>`;
  const map = /^\{ \[key: string\]: (.*?);? \}$/.exec(t);
  if (!map && t.startsWith('{')) return 'inline-object';
  if (map) return `map<${shapeOf(map[1]!, aliases)}>`;
  const ref = /^I(\w+)$/.exec(t);
  // a self-reference uses the file's local name (IJSONSchemaProps)
  if (ref) return `ref:${aliases.get(t) ?? ref[1]}`;
  return `ts:${t}`;
}

/** The same shape of a property of one of our JSON Schemas. */
export function schemaShape(schema: Record<string, unknown>): TypeShape {
  if (typeof schema.$ref === 'string') return `ref:${modelName(schema.$ref.replace('#/definitions/', ''))}`;
  if (Object.keys(schema).length === 0) return 'any';
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `array<${schemaShape((schema.items ?? {}) as Record<string, unknown>)}>`;
    case 'object':
      if (schema.properties === undefined && typeof schema.additionalProperties === 'object')
        return `map<${schemaShape(schema.additionalProperties as Record<string, unknown>)}>`;
      return schema.properties === undefined ? 'any' : 'object';
    default:
      return `schema:${JSON.stringify(schema)}`;
  }
}

export interface ModelValidator {
  (data: unknown): boolean;
  errors?: { instancePath: string; keyword: string; params: Record<string, unknown> }[] | null;
}

/** The package's compiled validator for a definition (`_schemas/<name>.js`), or undefined. */
export async function modelValidator(pkg: string, name: string): Promise<ModelValidator | undefined> {
  const file = join(packageDir(pkg), '_schemas', `${name}.js`);
  try {
    readFileSync(file);
  } catch {
    return undefined;
  }
  const mod = (await import(pathToFileURL(file).href)) as { validate: ModelValidator };
  return mod.validate;
}

/**
 * What upstream says about one object: its package's compiled validator (types, required fields,
 * enums, patterns), plus every field the package's declarations do not have (the validators
 * accept unknown fields; the CRDs' structural schemas would prune them, so a field we write must
 * be declared). `/spec/destinaton unknown` style, sorted; [] = valid.
 */
export async function modelErrors(
  pkg: string,
  name: string,
  value: unknown,
  packages: readonly string[] = [pkg, '@kubernetes-models/apimachinery'],
): Promise<string[]> {
  const validate = await modelValidator(pkg, name);
  if (!validate) return [`no upstream model ${name} in ${pkg}`];
  const out = new Set<string>();
  if (!validate(value)) {
    for (const e of validate.errors ?? []) {
      const p = e.params as { missingProperty?: string };
      out.add(`${e.instancePath}${p.missingProperty ? `/${p.missingProperty}` : ''} ${e.keyword}`);
    }
  }
  const defs = modelDefinitions(packages);
  const walk = (shape: TypeShape, v: unknown, at: string): void => {
    if (v === null || typeof v !== 'object') return;
    const arr = /^array<(.*)>$/.exec(shape);
    const map = /^map<(.*)>$/.exec(shape);
    if (arr && Array.isArray(v)) v.forEach((x, i) => walk(arr[1]!, x, `${at}/${i}`));
    else if (map) for (const [k, x] of Object.entries(v)) walk(map[1]!, x, `${at}/${k}`);
    else if (shape.startsWith('ref:')) {
      const def = defs.get(shape.slice(4));
      if (!def || def.properties.size === 0) return; // free-form (RawExtension, JSON)
      for (const [k, x] of Object.entries(v)) {
        const prop = def.properties.get(k);
        if (!prop) out.add(`${at}/${k} unknown`);
        else walk(prop.type, x, `${at}/${k}`);
      }
    }
  };
  walk(`ref:${name}`, value, '');
  return [...out].sort();
}
