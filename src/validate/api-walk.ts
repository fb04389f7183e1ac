// One walk over an object, typed by the built-in schema bundle: every value is visited once with
// the OpenAPI definition it has (`core.v1.Container`, `api.resource.Quantity`), so a rule keyed by
// a type applies wherever that type occurs and a rule keyed by `Type.field` wherever that field
// does. Values of the wrong JSON type are left to the schema check (one mistake, one message).
import { isObject } from '../core/cow.js';
import { didYouMean } from '../core/diagnostics.js';
import { formatPointer, type PathSegment } from '../core/source.js';
import type { Json } from '../types.js';

type Schema = Record<string, unknown>;

export interface RuleProblem {
  /** Id of the rule in the table (api-rules.ts). */
  rule: string;
  /** Inside the object's body. */
  path: PathSegment[];
  /** Report at the mapping key (a bad key, a field that needs a sibling) rather than the value. */
  key: boolean;
  message: string;
  hint?: string;
  warning?: boolean;
  /** Names and labels are INVALID_NAME; everything else INVALID_VALUE. */
  name?: boolean;
}

/** What a rule's check gets: the value, where it is, and how to report. */
export interface Visit {
  value: Json;
  /**
   * A value of the whole object (or of the value walked), for rules that need a sibling of an
   * ancestor. Read through here, not kept: the walk reuses a shared subtree's problems only
   * where every such read gives what it gave.
   */
  rootAt: (...path: PathSegment[]) => Json | undefined;
  /** Live path: copy before keeping (report does). */
  path: readonly PathSegment[];
  report(problem: {
    message: string;
    at?: PathSegment[];
    key?: boolean;
    hint?: string;
    warning?: boolean;
  }): void;
}

export interface Rule {
  id: string;
  /** The Kubernetes validation function the rule mirrors. */
  cites: string;
  /** INVALID_NAME rather than INVALID_VALUE. */
  name?: boolean;
  check(v: Visit): void;
}

export interface RuleTable {
  /** Short definition name (`core.v1.Container`) -> rules for every value of that type. */
  types: Record<string, Rule[]>;
  /** `core.v1.Container.imagePullPolicy` -> rules for that field, wherever its owner occurs. */
  fields: Record<string, Rule[]>;
  /** Rules for every integer whose schema says `format: int32`. */
  int32: Rule;
}

const REF = '#/definitions/';

// Where the rules' Kubernetes validation functions live (k8s.io/kubernetes unless named).
export const CORE = 'pkg/apis/core/validation';
export const APPS = 'pkg/apis/apps/validation';
export const BATCH = 'pkg/apis/batch/validation';
export const NETWORKING = 'pkg/apis/networking/validation';
export const META = 'apimachinery pkg/apis/meta/v1/validation';

/** `io.k8s.api.core.v1.Container` -> `core.v1.Container`; apimachinery -> `meta.v1.X`, `api.resource.Quantity`. */
export function shortName(definition: string): string {
  let short = shortNames.get(definition);
  if (short === undefined) {
    short = definition.replace(/^io\.k8s\.api\./, '').replace(/^io\.k8s\.apimachinery\.pkg\.(?:apis\.)?/, '');
    shortNames.set(definition, short);
  }
  return short;
}
const shortNames = new Map<string, string>();

/**
 * A shared subtree's problems, for the next object that holds it at the same place: per-cluster
 * copies share with their base every subtree an override did not touch (core/cow.ts), so twenty
 * clusters walk a Deployment's pod spec once. Valid while the rules' reads of the root (`deps`)
 * give the same values; keyed by the subtree, then its schema.
 */
interface Memo {
  at: PathSegment[];
  deps: [PathSegment[], Json | undefined][];
  problems: RuleProblem[];
}
const memos = new WeakMap<RuleTable, WeakMap<object, Map<Schema, Memo>>>();
/** The schema `{$ref: definition}` of each definitions set, one object each (a memo key). */
const refs = new WeakMap<Record<string, unknown>, Map<string, Schema>>();

/**
 * Problems of `value` (at `prefix` inside the object) typed as `definition`. `base` is what
 * `value` was copied from (a rendered object's source body): the subtrees they share are walked
 * once over all copies.
 */
export function walkObject(
  value: Json,
  definition: string,
  definitions: Record<string, unknown>,
  table: RuleTable,
  prefix: readonly PathSegment[] = [],
  base?: Json,
): RuleProblem[] {
  const out: RuleProblem[] = [];
  const path: PathSegment[] = prefix.slice();
  let current: Rule = table.int32;
  let memo = memos.get(table);
  if (!memo) memos.set(table, (memo = new WeakMap()));
  const root = value;
  // The root reads of the shared subtree being walked, when one is.
  let deps: Memo['deps'] | undefined;
  const visit: Visit = {
    value: null,
    rootAt: (...at) => {
      const v = dig(root, ...at);
      deps?.push([at, v]);
      return v;
    },
    path,
    report: (p) =>
      out.push({
        rule: current.id,
        path: p.at ?? [...path],
        key: p.key ?? false,
        message: p.message,
        ...(p.hint ? { hint: p.hint } : {}),
        ...(p.warning ? { warning: true } : {}),
        ...(current.name ? { name: true } : {}),
      }),
  };
  const apply = (rules: Rule[] | undefined, value: Json) => {
    if (!rules) return;
    for (const r of rules) {
      current = r;
      visit.value = value;
      r.check(visit);
    }
  };
  const walk = (value: Json, schema: Schema, base: Json | undefined): void => {
    if (value === null || value === undefined) return;
    if (base === value && typeof value === 'object') {
      // The top of a shared subtree: its problems from an earlier object, or walk and keep them.
      let bySchema = memo.get(value);
      if (!bySchema) memo.set(value, (bySchema = new Map<Schema, Memo>()));
      const m = bySchema.get(schema);
      if (m && samePath(m.at, path) && m.deps.every(([p, v]) => dig(root, ...p) === v)) {
        out.push(...m.problems);
        return;
      }
      const first = out.length;
      deps = [];
      walkValue(value, schema, undefined);
      bySchema.set(schema, { at: path.slice(), deps, problems: out.slice(first) });
      deps = undefined;
      return;
    }
    walkValue(value, schema, base);
  };
  const shapes = shapesOf(definitions, table);
  const walkValue = (value: Json, schema: Schema, base: Json | undefined): void => {
    let sh = shapes.get(schema);
    if (!sh) shapes.set(schema, (sh = shape(schema, definitions, table)));
    apply(sh.types, value);
    if (!sh.def) return;
    if (sh.int32 && typeof value === 'number') apply([table.int32], value);
    if (Array.isArray(value)) {
      const items = sh.items;
      if (!items) return;
      const from = Array.isArray(base) ? base : undefined;
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        walk(value[i]!, items, from?.[i]);
        path.pop();
      }
      return;
    }
    if (!isObject(value)) return;
    const { props, extra, fields } = sh;
    const from = isObject(base) ? base : undefined;
    for (const k of Object.keys(value)) {
      const x = value[k]!;
      const sub = props?.[k] ?? extra;
      path.push(k);
      if (fields && k in props!) apply(fields.get(k), x);
      if (isObject(sub)) walk(x, sub, from?.[k]);
      path.pop();
    }
  };
  let byName = refs.get(definitions);
  if (!byName) refs.set(definitions, (byName = new Map<string, Schema>()));
  let top = byName.get(definition);
  if (!top) byName.set(definition, (top = { $ref: REF + definition }));
  walk(value, top, base);
  return out;
}

/** The same segments (compared, not joined: this runs for every shared subtree of every copy). */
function samePath(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * What the walk needs of a schema, worked out once per schema object: its definition's rules,
 * the definition itself, and per field the rules keyed `Type.field`.
 */
interface Shape {
  types?: Rule[];
  /** The schema, or the definition its $ref names; undefined when that is missing. */
  def?: Schema;
  int32: boolean;
  items?: Schema;
  props?: Record<string, unknown>;
  extra?: Record<string, unknown>;
  /** Rules by field name, for a definition that has properties and rules keyed by its fields. */
  fields?: Map<string, Rule[]>;
}

const shapeCache = new WeakMap<Record<string, unknown>, WeakMap<RuleTable, WeakMap<Schema, Shape>>>();

function shapesOf(definitions: Record<string, unknown>, table: RuleTable): WeakMap<Schema, Shape> {
  let byTable = shapeCache.get(definitions);
  if (!byTable) shapeCache.set(definitions, (byTable = new WeakMap()));
  let shapes = byTable.get(table);
  if (!shapes) byTable.set(table, (shapes = new WeakMap()));
  return shapes;
}

function shape(schema: Schema, definitions: Record<string, unknown>, table: RuleTable): Shape {
  let s = schema;
  let owner: string | undefined;
  let types: Rule[] | undefined;
  if (typeof s.$ref === 'string') {
    const name = s.$ref.slice(REF.length);
    owner = shortName(name);
    types = table.types[owner];
    const def = definitions[name];
    if (!isSchema(def)) return { types, int32: false };
    s = def;
  }
  const props = isObject(s.properties) ? s.properties : undefined;
  let fields: Map<string, Rule[]> | undefined;
  if (owner && props) {
    fields = new Map();
    for (const [key, rules] of Object.entries(table.fields))
      if (key.startsWith(`${owner}.`)) fields.set(key.slice(owner.length + 1), rules);
  }
  return {
    types,
    def: s,
    int32: s.format === 'int32',
    items: isSchema(s.items) ? s.items : undefined,
    props,
    extra: isObject(s.additionalProperties) ? s.additionalProperties : undefined,
    fields,
  };
}

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// Rule makers shared by the table.

/** A value as a message shows it: strings bare, anything else as JSON. */
export function show(x: Json | undefined): string {
  return typeof x === 'string' ? x : JSON.stringify(x);
}

/** RFC 6901 pointer of a path (core/source.ts). */
export const pointer: (path: readonly PathSegment[]) => string = formatPointer;

/** A string enum the API server enforces though the OpenAPI schema says only `string`. */
export function oneOf(id: string, cites: string, values: readonly string[]): Rule {
  return {
    id,
    cites,
    check: (v) => {
      if (typeof v.value !== 'string' || values.includes(v.value)) return;
      const guess = didYouMean(v.value, values);
      v.report({
        message: `expected one of ${values.map((x) => JSON.stringify(x)).join(', ')}, found ${JSON.stringify(v.value)}${guess ? ` (did you mean "${guess}"?)` : ''}`,
      });
    },
  };
}

/** Each string of a list checked as oneOf (ipFamilies, accessModes, policyTypes). */
export function eachOneOf(id: string, cites: string, values: readonly string[]): Rule {
  const one = oneOf(id, cites, values);
  return {
    id,
    cites,
    check: (v) => {
      if (!Array.isArray(v.value)) return;
      v.value.forEach((x, i) =>
        one.check({
          value: x,
          rootAt: v.rootAt,
          path: [...v.path, i],
          report: (p) => v.report({ ...p, at: p.at ?? [...v.path, i] }),
        }),
      );
    },
  };
}

/** An integer with a lower bound (ValidateNonnegativeField and its kin). */
export function atLeast(id: string, cites: string, min: number): Rule {
  return {
    id,
    cites,
    check: (v) => {
      const n = v.value;
      if (typeof n === 'number' && Number.isInteger(n) && n < min)
        v.report({ message: `expected a number >= ${min}, found ${n}` });
    },
  };
}

/** Sub-value of a plain JSON object by path, undefined when absent. */
export function dig(v: Json | undefined, ...path: PathSegment[]): Json | undefined {
  let cur = v;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number') cur = cur[seg];
    else if (isObject(cur)) cur = cur[String(seg)];
    else return undefined;
  }
  return cur;
}
