// Stage validate, CEL: a CRD's `x-kubernetes-validations` rules -> a checker that evaluates them
// over a custom resource as the API server does after defaulting: `self` is the value of the
// field the rule sits on (integers as CEL ints, schema defaults filled in), each rule once per
// element of the lists and maps above it. Rules that need the live object (`oldSelf`, transition
// rules) or a function fedrender does not implement are counted as skipped, never dropped
// silently; the caller reports them once per CRD.
import type { Environment } from '@marcbachmann/cel-js';
import { isObject } from '../core/cow.js';
import type { JsonPath } from '../core/source.js';
import type { Json, JsonObject } from '../types.js';
import { kubernetesCelEnvironment } from './cel-library.js';

type Schema = Record<string, unknown>;

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
/** A value as CEL rules see it: JSON with integers as bigint. */
type CelValue = unknown;
type Evaluate = (self: CelValue) => unknown;

interface Rule {
  rule: string;
  evaluate: Evaluate;
  message?: string;
  messageExpression?: Evaluate;
  /** fieldPath of the rule, relative to the field it sits on. */
  fieldPath: JsonPath;
}

/** The rules of one schema node and of the nodes below it that have rules. */
interface RuleNode {
  schema: Schema;
  rules: Rule[];
  properties: Map<string, RuleNode>;
  items?: RuleNode;
  additional?: RuleNode;
}

export interface SkippedRule {
  /** Path of the schema node holding the rule, inside the openAPIV3Schema. */
  schemaPath: JsonPath;
  reason: 'transition' | 'unsupported' | 'invalid';
  /** The functions it calls that fedrender does not implement, or the parse error. */
  detail?: string;
}

export interface CelRules {
  /** Number of rules found, evaluated or not. */
  total: number;
  skipped: SkippedRule[];
  /** Evaluates every rule over `value` (a whole custom resource), calling `fail` per violation. */
  check(value: JsonObject, fail: (path: JsonPath, message: string) => void): void;
}

let env: Environment | undefined;

/** The rules of an openAPIV3Schema; undefined when it has none. */
export function compileCelRules(openAPI: object): CelRules | undefined {
  env ??= kubernetesCelEnvironment();
  const skipped: SkippedRule[] = [];
  const counter = { total: 0 };
  const root = isSchema(openAPI) ? compileNode(openAPI, [], env, skipped, counter) : undefined;
  if (counter.total === 0) return undefined;
  return {
    total: counter.total,
    skipped,
    check: (value, fail) => {
      if (root) visit(root, value, [], true, fail);
    },
  };
}

function compileNode(
  schema: Schema,
  at: JsonPath,
  env: Environment,
  skipped: SkippedRule[],
  counter: { total: number },
): RuleNode | undefined {
  const rules: Rule[] = [];
  const list = schema['x-kubernetes-validations'];
  if (Array.isArray(list)) {
    list.forEach((r: unknown, i) => {
      if (!isSchema(r) || typeof r.rule !== 'string') return;
      counter.total++;
      const compiled = compileRule(r, r.rule, env);
      if ('reason' in compiled)
        skipped.push({ schemaPath: [...at, 'x-kubernetes-validations', i], ...compiled });
      else rules.push(compiled);
    });
  }
  const properties = new Map<string, RuleNode>();
  if (isSchema(schema.properties)) {
    for (const [k, s] of Object.entries(schema.properties)) {
      if (!isSchema(s)) continue;
      const n = compileNode(s, [...at, 'properties', k], env, skipped, counter);
      if (n) properties.set(k, n);
    }
  }
  const items = isSchema(schema.items)
    ? compileNode(schema.items, [...at, 'items'], env, skipped, counter)
    : undefined;
  const additional = isSchema(schema.additionalProperties)
    ? compileNode(schema.additionalProperties, [...at, 'additionalProperties'], env, skipped, counter)
    : undefined;
  if (!rules.length && !properties.size && !items && !additional) return undefined;
  return { schema, rules, properties, items, additional };
}

function compileRule(r: Schema, text: string, env: Environment): Rule | Omit<SkippedRule, 'schemaPath'> {
  const compiled = compileExpression(text, env);
  if ('reason' in compiled) return compiled;
  // A messageExpression that cannot run falls back to the message, as the API server does.
  const messageExpression =
    typeof r.messageExpression === 'string' ? compileExpression(r.messageExpression, env) : undefined;
  return {
    rule: text,
    evaluate: compiled.evaluate,
    ...(typeof r.message === 'string' && r.message ? { message: r.message } : {}),
    ...(messageExpression && 'evaluate' in messageExpression
      ? { messageExpression: messageExpression.evaluate }
      : {}),
    fieldPath: typeof r.fieldPath === 'string' ? parseFieldPath(r.fieldPath) : [],
  };
}

/**
 * A rule that refers to `oldSelf` is a transition rule (it needs the stored object); one the type
 * checker refuses calls a function this environment lacks (or does not parse).
 */
function compileExpression(
  text: string,
  env: Environment,
): { evaluate: Evaluate } | Omit<SkippedRule, 'schemaPath'> {
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = env.parse(re2Matches(indexedHas(text)));
  } catch (e) {
    return { reason: 'invalid', detail: firstLine(e) };
  }
  if (usesIdent(parsed.ast, 'oldSelf')) return { reason: 'transition' };
  const checked = parsed.check();
  if (!checked.valid) {
    const m = /no matching overload for '(?:[\w<>, ]+\.)?(\w+)\(/.exec(firstLine(checked.error));
    return m
      ? { reason: 'unsupported', detail: m[1] }
      : { reason: 'invalid', detail: firstLine(checked.error) };
  }
  return {
    evaluate: (self) => {
      try {
        const result: unknown = parsed({ self });
        return result;
      } catch (e) {
        return new EvaluationFailure(firstLine(e));
      }
    },
  };
}

/**
 * cel-go's has() takes any field selection, the evaluator's only a chain from an identifier:
 * `has(self.matches[0].path)` (Gateway API) becomes the equivalent presence test
 * `self.matches[0].?path.hasValue()`.
 */
function indexedHas(text: string): string {
  return text.replace(
    /\bhas\(([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*\[\d+\](?:\.[A-Za-z_]\w*)*)\.([A-Za-z_]\w*)\)/g,
    '$1.?$2.hasValue()',
  );
}

/** `matches(...)` calls (not a field named matches) go to the RE2-reading matchesRE2 (cel-library.ts). */
function re2Matches(text: string): string {
  return text.replace(/(^|[^\w$])matches\(/g, '$1matchesRE2(');
}

class EvaluationFailure {
  constructor(readonly message: string) {}
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

function usesIdent(ast: unknown, name: string): boolean {
  let found = false;
  walk(ast, (node) => {
    const n = node as { op?: unknown; args?: unknown };
    if (n.op === 'id' && n.args === name) found = true;
  });
  return found;
}

function walk(node: unknown, f: (node: object) => void): void {
  if (Array.isArray(node)) {
    for (const x of node) walk(x, f);
  } else if (node && typeof node === 'object') {
    f(node);
    for (const v of Object.values(node)) if (v && typeof v === 'object') walk(v, f);
  }
}

/** `.spec.ports[0]` or `['a.b']` segments, as fieldPath is written; anything else is ignored. */
function parseFieldPath(p: string): JsonPath {
  const out: (string | number)[] = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(p))) {
    out.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? '').replace(/\\(.)/g, '$1')));
    end = re.lastIndex;
  }
  return end === p.length ? out : [];
}

function visit(
  node: RuleNode,
  value: Json,
  path: JsonPath,
  root: boolean,
  fail: (path: JsonPath, message: string) => void,
): void {
  if (value === null || value === undefined) return;
  if (node.rules.length) {
    const self = toCel(root ? rootView(value) : value, node.schema);
    for (const r of node.rules) {
      const result = r.evaluate(self);
      const at = r.fieldPath.length ? [...path, ...r.fieldPath] : path;
      if (result === true) continue;
      if (result instanceof EvaluationFailure) {
        fail(at, `rule could not be evaluated: ${result.message} (rule: ${r.rule})`);
        continue;
      }
      fail(at, messageOf(r, self));
    }
  }
  if (isObject(value)) {
    for (const [k, child] of node.properties)
      if (value[k] !== undefined) visit(child, value[k], [...path, k], false, fail);
    if (node.additional)
      for (const [k, v] of Object.entries(value))
        if (!node.properties.has(k)) visit(node.additional, v, [...path, k], false, fail);
  } else if (Array.isArray(value) && node.items) {
    value.forEach((v, i) => visit(node.items!, v, [...path, i], false, fail));
  }
}

function messageOf(r: Rule, self: CelValue): string {
  if (r.messageExpression) {
    const m = r.messageExpression(self);
    if (typeof m === 'string' && m.trim() !== '') return m;
  }
  return r.message ?? `failed rule: ${r.rule}`;
}

/** At the root, the API server shows rules only metadata.name and generateName. */
function rootView(value: Json): Json {
  if (!isObject(value) || !isObject(value.metadata)) return value;
  const meta: JsonObject = {};
  for (const k of ['name', 'generateName']) {
    const v = value.metadata[k];
    if (v !== undefined) meta[k] = v;
  }
  return { ...value, metadata: meta };
}

/**
 * A value as CEL sees it, following its schema: integers are CEL ints (bigint), schema defaults
 * are filled in (the API server defaults before it validates), everything else is as in JSON.
 */
function toCel(value: unknown, schema: Schema | undefined): CelValue {
  if (Array.isArray(value)) {
    const items = isSchema(schema?.items) ? schema.items : undefined;
    return value.map((v) => toCel(v, items));
  }
  if (isObject(value)) {
    const props = isSchema(schema?.properties) ? schema.properties : {};
    const additional = isSchema(schema?.additionalProperties) ? schema.additionalProperties : undefined;
    // Declared properties are CEL fields, escaped as the API server does; map keys stay as written.
    const name = isSchema(schema?.properties) ? escapeProperty : (k: string) => k;
    const out: Record<string, CelValue> = {};
    for (const [k, v] of Object.entries(value)) {
      const sub = props[k];
      if (v !== null) out[name(k)] = toCel(v, isSchema(sub) ? sub : additional);
    }
    for (const [k, s] of Object.entries(props))
      if (!(k in value) && isSchema(s) && s.default !== undefined && s.default !== null)
        out[name(k)] = toCel(s.default, s);
    return out;
  }
  if (typeof value === 'number') {
    if (schema?.type === 'number') return value;
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  return value;
}

/** CEL's reserved words: a property so named is `__<name>__` in rules (`self.__namespace__`). */
const RESERVED = new Set(
  'true false null in as break const continue else for function if import let loop package namespace return var void while'.split(
    ' ',
  ),
);

/** Property names as Kubernetes exposes them to CEL: `__` `.` `-` `/` spelled out. */
function escapeProperty(k: string): string {
  if (RESERVED.has(k)) return `__${k}__`;
  return k
    .replace(/__/g, '__underscores__')
    .replace(/\./g, '__dot__')
    .replace(/-/g, '__dash__')
    .replace(/\//g, '__slash__');
}
