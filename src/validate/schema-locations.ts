// Stage validate, schema locations: kubeconform-style `-schema-location` values (local folders
// and path templates; fedrender never downloads) -> the standalone JSON Schema file for one
// apiVersion/kind, normalised so that ajv (draft-07, createAjv) compiles it. Locations are tried
// in order and the first usable file wins, as kubeconform does; a file is parsed once and reused
// for as long as it is unchanged on disk.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Ajv } from 'ajv';
import { createAjv } from '../core/ajv.js';
import { isObject } from '../core/cow.js';
import { strictDefinitions } from '../core/k8s-schemas.js';
import { ajvPattern, allowNull, checkableFormat } from './crd-schemas.js';

export interface SchemaQuery {
  /** "1.32", "1.32.4" or "master" ("" is master, as kubeconform's default). */
  kubernetesVersion: string;
  strict: boolean;
  apiVersion: string;
  kind: string;
}

export interface LocatedSchema {
  schema: object;
  /** The file, relative to baseDir with `/` separators when the location was relative. */
  file: string;
}

/**
 * Told what in a location cannot be used: a remote location, a file passed over (the search goes
 * on), a pattern in a file that is used but cannot be checked.
 */
export type LocationProblem = (location: string, message: string) => void;

type Schema = Record<string, unknown>;

/** kubeconform's layout for a location that is not a template (kubernetes-json-schema's). */
export const KUBECONFORM_LAYOUT =
  '{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json';
/** Datree's CRDs-catalog: `argoproj.io/application_v1alpha1.json`. */
export const CATALOG_LAYOUT = '{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json';
/** One folder of converted CRDs, as kubeconform's README suggests: `application-argoproj-v1alpha1.json`. */
export const FLAT_LAYOUT = '{{ .ResourceKind }}{{ .KindSuffix }}.json';

/**
 * The schema for `q` from the first location that has one. A location is a template (it
 * contains `{{` or, as in kubeconform, ends in `json`) or a folder, in which this tries, in
 * order: kubeconform's layout for the version (see versionCandidates), the CRDs-catalog layout,
 * then the flat layout. Relative locations are read from `baseDir`. With `strict`, a layout
 * without a strict variant of a file gets its lax file closed by strictDefinitions, the rule
 * kubernetes-json-schema's `-strict` folders are built with.
 */
export function findSchemaInLocations(
  locations: readonly string[],
  baseDir: string,
  q: SchemaQuery,
  onProblem: LocationProblem = () => {},
): LocatedSchema | undefined {
  for (const location of locations) {
    for (const c of candidates(location, baseDir, q, onProblem)) {
      const loaded = load(c.path, c.strictify);
      if (loaded === undefined) continue;
      const file = display(c.path, location, baseDir);
      if ('problem' in loaded) {
        onProblem(location, `${file}: ${loaded.problem}`);
        continue;
      }
      for (const note of loaded.notes) onProblem(location, `${file}: ${note}`);
      return { schema: loaded.schema, file };
    }
  }
  return undefined;
}

interface Candidate {
  path: string;
  /** Close the file's objects here: it is the lax variant, or the layout has no strict one. */
  strictify: boolean;
}

function candidates(
  location: string,
  baseDir: string,
  q: SchemaQuery,
  onProblem: LocationProblem,
): Candidate[] {
  const loc = location.trim();
  if (loc === '') return [];
  if (loc === 'default' || /^https?:\/\//.test(loc)) {
    onProblem(
      location,
      'remote schema locations are not read: fedrender validates offline; download the schemas and name the folder',
    );
    return [];
  }
  const template = loc.includes('{{') || loc.endsWith('json');
  if (template) {
    const version = kubeconformVersion(q.kubernetesVersion);
    const found = templateCandidates(loc, version, q);
    if (!found)
      onProblem(
        location,
        'unknown template variable; kubeconform knows .NormalizedKubernetesVersion, .StrictSuffix, .ResourceKind, .ResourceAPIVersion, .Group and .KindSuffix',
      );
    return (found ?? []).map((c) => ({ ...c, path: resolve(baseDir, c.path) }));
  }
  const dir = resolve(baseDir, loc);
  const out: Candidate[] = [];
  for (const version of versionCandidates(dir, q.kubernetesVersion)) {
    out.push(...(templateCandidates(join(dir, KUBECONFORM_LAYOUT), version, q) ?? []));
  }
  // Neither layout names a Kubernetes version: CRD schemas do not change with it.
  for (const layout of [CATALOG_LAYOUT, FLAT_LAYOUT])
    out.push(...(templateCandidates(join(dir, layout), 'master', q) ?? []));
  return out;
}

/**
 * The strict file, then (strict only, when the template names .StrictSuffix) the lax one to be
 * closed here. Undefined when the template does not expand.
 */
function templateCandidates(
  template: string,
  kubernetesVersion: string,
  q: SchemaQuery,
): Candidate[] | undefined {
  const path = schemaPath(template, q.kind, q.apiVersion, kubernetesVersion, q.strict);
  if (path === undefined) return undefined;
  if (!q.strict) return [{ path, strictify: false }];
  const lax = schemaPath(template, q.kind, q.apiVersion, kubernetesVersion, false)!;
  return lax === path
    ? [{ path, strictify: true }]
    : [
        { path, strictify: false },
        { path: lax, strictify: true },
      ];
}

/**
 * kubeconform's schemaPath (pkg/registry/registry.go), for Go-template `{{ .Var }}` fields:
 * - NormalizedKubernetesVersion: "master" stays, anything else gets a "v" ("1.32.0" -> "v1.32.0");
 * - StrictSuffix: "-strict" when strict, else "";
 * - ResourceKind: the kind in lower case;
 * - ResourceAPIVersion: the part of apiVersion after the last "/" ("v1" in "apps/v1");
 * - Group: the part before the first "/", as written ("monitoring.coreos.com"; for the core
 *   group's "v1", which has no "/", that is "v1");
 * - KindSuffix: "-" + the first dot-separated label of that part, then "-" + the version if
 *   there is a "/", all lower case ("-apps-v1", "-networking-v1" for networking.k8s.io/v1,
 *   "-v1" for v1).
 * Undefined when the template names another variable or uses other template syntax.
 */
export function schemaPath(
  template: string,
  kind: string,
  apiVersion: string,
  kubernetesVersion: string,
  strict: boolean,
): string | undefined {
  const groupParts = apiVersion.split('/');
  const group = groupParts[0]!; // split always yields one part
  const firstLabel = group.split('.')[0]!;
  const vars: Record<string, string> = {
    NormalizedKubernetesVersion: kubernetesVersion === 'master' ? 'master' : 'v' + kubernetesVersion,
    StrictSuffix: strict ? '-strict' : '',
    ResourceKind: kind.toLowerCase(),
    ResourceAPIVersion: groupParts[groupParts.length - 1]!,
    Group: group,
    KindSuffix: '-' + firstLabel.toLowerCase() + (groupParts[1] ? '-' + groupParts[1].toLowerCase() : ''),
  };
  let unknown = false;
  const path = template.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_, field: string) => {
    const m = /^\.([A-Za-z]+)$/.exec(field);
    const value = m && Object.hasOwn(vars, m[1]!) ? vars[m[1]!] : undefined;
    if (value !== undefined) return value;
    unknown = true;
    return '';
  });
  return unknown ? undefined : path;
}

const MINOR = /^v?(\d+)\.(\d+)$/;
const PATCH = /^v?(\d+)\.(\d+)\.(\d+)$/;

/**
 * kubeconform takes a full release ("1.32.0"); fedrender's versions are minors ("1.32"). A
 * minor means its first release, which kubernetes-json-schema always has. Unset is "master",
 * kubeconform's default.
 */
function kubeconformVersion(version: string): string {
  const v = version.trim();
  if (v === '') return 'master';
  const minor = MINOR.exec(v);
  if (minor) return `${Number(minor[1])}.${Number(minor[2])}.0`;
  return v.replace(/^v(?=\d)/, '');
}

/**
 * Releases to look for in a kubeconform folder, best first: the patch asked for, the minor's
 * .0, any other patch of the minor present (newest first: patch releases never change the API,
 * so they are interchangeable, and the newest carries the latest fixes to descriptions), then
 * master (the API as of the newest release, a last resort). "master" asks for master only.
 */
export function versionCandidates(dir: string, kubernetesVersion: string): string[] {
  const v = kubernetesVersion.trim();
  if (v === '' || v === 'master') return ['master'];
  const m = PATCH.exec(v) ?? MINOR.exec(v);
  if (!m) return [kubeconformVersion(v), 'master'];
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const patches: number[] = m[3] !== undefined ? [Number(m[3])] : [];
  const present: number[] = [];
  for (const entry of listDir(dir)) {
    const e = /^v(\d+)\.(\d+)\.(\d+)-standalone(?:-strict)?$/.exec(entry);
    if (e && Number(e[1]) === major && Number(e[2]) === minor) present.push(Number(e[3]));
  }
  for (const p of [0, ...present.sort((a, b) => b - a)]) if (!patches.includes(p)) patches.push(p);
  return [...patches.map((p) => `${major}.${minor}.${p}`), 'master'];
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function display(path: string, location: string, baseDir: string): string {
  const shown = isAbsolute(location.trim()) ? path : relative(baseDir, path);
  return shown.split(sep).join('/');
}

// ---------------------------------------------------------------------------------------------
// Reading schema files: parsed once per content, kept per path while size and mtime hold.

type Loaded = { schema: object; notes: string[] } | { problem: string };

interface CachedFile {
  mtimeMs: number;
  size: number;
  lax?: Loaded;
  strict?: Loaded;
}

const files = new Map<string, CachedFile>();
let metaAjv: Ajv | undefined;

/** The file's schema (the same object while the file is unchanged), undefined when absent. */
function load(path: string, strictify: boolean): Loaded | undefined {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return undefined;
  }
  if (!stat.isFile()) return undefined;
  let entry = files.get(path);
  if (!entry || entry.mtimeMs !== stat.mtimeMs || entry.size !== stat.size) {
    entry = { mtimeMs: stat.mtimeMs, size: stat.size };
    files.set(path, entry);
  }
  entry.lax ??= read(path);
  if (!strictify) return entry.lax;
  const lax = entry.lax;
  entry.strict ??= 'schema' in lax ? { schema: strictSchema(lax.schema as Schema), notes: lax.notes } : lax;
  return entry.strict;
}

function read(path: string): Loaded {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    // As kubeconform: a file that does not parse is passed over for the next location.
    return { problem: `not a JSON Schema: ${(e as Error).message}` };
  }
  if (!isObject(raw)) return { problem: 'not a JSON Schema: expected an object' };
  const problems: string[] = [];
  const schema = normalise(raw, '#', problems) as Schema;
  const external = externalRef(schema);
  if (external !== undefined) {
    return {
      problem: `$ref "${external}" points outside the file; use the standalone schemas (kubeconform's -standalone folders), whose references are resolved`,
    };
  }
  metaAjv ??= createAjv();
  if (!metaAjv.validateSchema(schema)) {
    return {
      problem: `not a usable JSON Schema: ${metaAjv.errorsText(metaAjv.errors, { dataVar: 'schema' })}`,
    };
  }
  return { schema, notes: problems };
}

function strictSchema(schema: Schema): Schema {
  const out = strictDefinitions({ schema }).schema!; // same keys out as in
  if (isObject(out.definitions)) out.definitions = strictDefinitions(out.definitions);
  return out;
}

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);
const SCHEMA_VALUES = new Set([
  'additionalItems',
  'additionalProperties',
  'contains',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
]);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);
// `description` is prose for readers: fedrender's messages would quote it as a pattern's meaning.
const DROPPED = new Set(['$schema', 'id', '$id', 'nullable', 'description']);

/**
 * Draft-04 and OpenAPI leftovers -> what ajv's draft-07 compiles without complaint: `$schema`
 * (kubernetes-json-schema writes "http://json-schema.org/schema#"), `id` and `$id` dropped (the
 * files are standalone; two files sharing an id would clash in one ajv), boolean
 * exclusiveMaximum/Minimum made numbers, `nullable` made a null type, formats ajv does not know
 * dropped (it would log a warning), Go patterns rewritten (ajvPattern), descriptions dropped.
 * Property names are never read as keywords.
 */
function normalise(s: unknown, path: string, problems: string[]): unknown {
  if (!isObject(s)) return s;
  const o: Schema = {};
  for (const [key, v] of Object.entries(s)) {
    const at = `${path}/${key}`;
    if (SCHEMA_MAPS.has(key) && isObject(v)) {
      const map: Schema = {};
      for (const [name, sub] of Object.entries(v)) {
        const k = key === 'patternProperties' ? ajvPattern(name) : name;
        if (k === undefined)
          problems.push(
            `${at}: pattern ${JSON.stringify(name)} is not a regular expression JavaScript can run; ignored`,
          );
        else map[k] = normalise(sub, `${at}/${name}`, problems);
      }
      o[key] = map;
    } else if (SCHEMA_VALUES.has(key) || (key === 'items' && !Array.isArray(v))) {
      o[key] = normalise(v, at, problems);
    } else if (SCHEMA_LISTS.has(key) || key === 'items') {
      o[key] = Array.isArray(v) ? v.map((x, i) => normalise(x, `${at}/${i}`, problems)) : v;
    } else if (key === 'dependencies' && isObject(v)) {
      o[key] = Object.fromEntries(
        Object.entries(v).map(([n, d]) => [n, Array.isArray(d) ? d : normalise(d, `${at}/${n}`, problems)]),
      );
    } else if (key === 'format') {
      const f = typeof v === 'string' ? checkableFormat(v, 'json-schema') : undefined;
      if (f) o.format = f;
    } else if (key === 'pattern' && typeof v === 'string') {
      const p = ajvPattern(v);
      if (p === undefined)
        problems.push(
          `${at}: pattern ${JSON.stringify(v)} is not a regular expression JavaScript can run; not checked`,
        );
      else o.pattern = p;
    } else if (key === 'required' && Array.isArray(v)) {
      o.required = [...new Set(v)];
    } else if (!DROPPED.has(key)) {
      o[key] = v;
    }
  }
  for (const [exclusive, limit] of [
    ['exclusiveMaximum', 'maximum'],
    ['exclusiveMinimum', 'minimum'],
  ] as const) {
    if (typeof o[exclusive] !== 'boolean') continue;
    if (o[exclusive] === true && typeof o[limit] === 'number') {
      o[exclusive] = o[limit];
      delete o[limit];
    } else {
      delete o[exclusive];
    }
  }
  if (s.nullable === true) allowNull(o);
  return o;
}

/** The first `$ref` that does not point inside its own file. */
function externalRef(v: unknown): string | undefined {
  if (Array.isArray(v)) {
    for (const x of v) {
      const r = externalRef(x);
      if (r !== undefined) return r;
    }
  } else if (isObject(v)) {
    for (const [key, x] of Object.entries(v)) {
      if (key === '$ref' && typeof x === 'string' && !x.startsWith('#')) return x;
      const r = externalRef(x);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}
