// Typed overriders of native override rules, after Karmada's (pkg/util/overridemanager): one
// overrider item + the body as it stands -> the JSON-patch operations that carry it out, applied
// by override.ts through the same copy-on-write applyPatch as clusterOverrides. Pure: no reporting
// here; an item that cannot apply returns its reason. Operations that would change nothing are
// left out, so an untouched subtree stays shared with the base body.
import { arrayIndex, isObject } from '../core/cow.js';
import { cmp } from '../core/diagnostics.js';
import { text } from '../core/json-read.js';
import { describeValue } from '../core/schema-check.js';
import { child, parsePointer, type SourceRef } from '../core/source.js';
import { TYPED_OVERRIDERS, type Json, type JsonObject, type TypedOverriders } from '../types.js';
import type { PatchOp } from './apply-patch.js';
import { resolveSelectors } from './native-paths.js';
import { POD_SPEC_PATHS } from '../core/pod-spec.js';

export type TypedOverriderName = keyof TypedOverriders;

/** One item of one typed overrider list, with where it was written. */
export interface TypedItem {
  name: TypedOverriderName;
  item: JsonObject;
  ref: SourceRef;
}

export type TypedResult = { ok: true; ops: PatchOp[] } | { ok: false; reason: string };

const itemsOf = new WeakMap<TypedOverriders, readonly TypedItem[]>();

/**
 * An entry's typed overrider items in SPEC's order (image, labels, annotations, command, args,
 * env). Made once per entry: every rendered copy's record of what it applied points at these
 * refs (at 10,000 objects x 50 clusters, one ref per copy and item was 200 MB).
 */
export function typedItems(typed: TypedOverriders): readonly TypedItem[] {
  let items = itemsOf.get(typed);
  if (!items) {
    items = TYPED_OVERRIDERS.flatMap((name) =>
      (typed[name]?.value ?? []).map((item, i) => ({ name, item, ref: child(typed[name]!.ref, i) })),
    );
    itemsOf.set(typed, items);
  }
  return items;
}

/** The operations for one item against `body`; `item.value` has its ${cluster.*} expanded. */
export function typedOverriderOps(name: TypedOverriderName, item: JsonObject, body: JsonObject): TypedResult {
  switch (name) {
    case 'imageOverrider':
      return imageOps(item, body);
    case 'labelsOverrider':
      return metadataMapOps('labels', item, body);
    case 'annotationsOverrider':
      return metadataMapOps('annotations', item, body);
    case 'commandOverrider':
      return commandArgsOps('command', item, body);
    case 'argsOverrider':
      return commandArgsOps('args', item, body);
    case 'envOverrider':
      return envOps(item, body);
  }
}

const ok = (ops: PatchOp[]): TypedResult => ({ ok: true, ops });
const fail = (reason: string): TypedResult => ({ ok: false, reason });

// --- containers -------------------------------------------------------------------------------

/**
 * Where each pod-template kind keeps its pod spec. Karmada knows Pod, ReplicaSet, Deployment,
 * DaemonSet, StatefulSet and Job (image) and leaves out Job for command/args; SPEC says every
 * pod-template kind, so CronJob, ReplicationController and PodTemplate are here too. Like
 * Karmada, by kind alone.
 */
const POD_SPEC = POD_SPEC_PATHS;

interface ContainerAt {
  segments: string[];
  container: JsonObject;
}

/**
 * Every container and init container of the body's pod template, in that order. Karmada looks at
 * `containers` only; init containers are included (SPEC), and since a pod's container names are
 * unique across both lists, a containerName still picks at most one.
 */
function containersOf(body: JsonObject): ContainerAt[] {
  const prefix = POD_SPEC[text(body.kind)];
  const spec = prefix ? valueAt(body, prefix) : undefined;
  if (!isObject(spec)) return [];
  const out: ContainerAt[] = [];
  for (const list of ['containers', 'initContainers']) {
    const items = spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((c, i) => {
      if (isObject(c)) out.push({ segments: [...prefix!, list, String(i)], container: c });
    });
  }
  return out;
}

/** Containers named `containerName`; none is not an error (Karmada skips the object silently). */
function named(body: JsonObject, item: JsonObject): ContainerAt[] {
  return containersOf(body).filter((c) => c.container.name === item.containerName);
}

function valueAt(root: Json, segments: readonly string[]): Json | undefined {
  let cur: Json | undefined = root;
  for (const seg of segments) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(seg, cur.length)];
    else if (isObject(cur)) cur = Object.hasOwn(cur, seg) ? cur[seg] : undefined;
    else return undefined;
  }
  return cur;
}

// --- imageOverrider ---------------------------------------------------------------------------

/**
 * Karmada's ImageOverrider. With `predicate.path` (a JSON pointer, `[field=value]` segments
 * allowed) exactly that string, on any kind; a path that is absent or not a string is an error,
 * as in Karmada. Otherwise every container image of a pod-template kind (narrowed by
 * `containerName`); other kinds are left alone, as Karmada does.
 */
function imageOps(item: JsonObject, body: JsonObject): TypedResult {
  const targets: { segments: string[]; image: string; what: string }[] = [];
  if (isObject(item.predicate)) {
    const path = text(item.predicate.path);
    const resolved = resolveSelectors(body, parsePointer(path));
    if (!resolved.ok) return fail(`predicate path ${path}: ${resolved.reason}`);
    const image = valueAt(body, resolved.segments);
    if (image === undefined) return fail(`predicate path ${path} does not exist`);
    if (typeof image !== 'string')
      return fail(`predicate path ${path} holds ${describeValue(image)}, not an image`);
    targets.push({ segments: resolved.segments, image, what: `the image at ${path}` });
  } else {
    const containers = item.containerName === undefined ? containersOf(body) : named(body, item);
    for (const c of containers) {
      // A container without an image has nothing to override.
      if (typeof c.container.image !== 'string') continue;
      targets.push({
        segments: [...c.segments, 'image'],
        image: c.container.image,
        what: `container "${text(c.container.name)}"`,
      });
    }
  }
  const ops: PatchOp[] = [];
  for (const t of targets) {
    const next = overrideImage(t.image, item);
    if (typeof next !== 'string') return fail(`${t.what}: ${next.reason}`);
    if (next !== t.image) ops.push({ op: 'replace', segments: t.segments, value: next });
  }
  return ok(ops);
}

/**
 * An image reference as Karmada's imageparser splits it: `[registry/]repository[:tag][@digest]`.
 * Parsed with the grammar of distribution/reference (which Karmada calls), without docker.io
 * defaults: `nginx` has no registry. The first path component is the registry only when it has a
 * "." or ":" or is `localhost` (Karmada's SplitHostname), so `library/nginx` is all repository.
 */
interface ImageRef {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
}

const ALNUM = '[a-z0-9]+';
const PATH_COMPONENT = `${ALNUM}(?:(?:[._]|__|-+)${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const NAME = `(?:${HOST}(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_TAG = new RegExp(`^${TAG}$`);
const ANCHORED_DIGEST = new RegExp(`^${DIGEST}$`);
/** The digest algorithms Karmada links in (crypto/sha256, crypto/sha512), by hex length. */
const DIGEST_HEX: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export function parseImage(image: string): ImageRef | { reason: string } {
  const m = REFERENCE.exec(image);
  if (!m) {
    if (image === '') return { reason: 'the image is empty' };
    if (REFERENCE.test(image.toLowerCase()))
      return { reason: `"${image}" is not a valid image reference: the repository must be lower case` };
    return { reason: `"${image}" is not a valid image reference` };
  }
  const [, name = '', tag = '', digest = ''] = m;
  if (name.length > 255)
    return { reason: `"${image}" is not a valid image reference: the name is longer than 255 characters` };
  if (digest) {
    const [algorithm = '', hex = ''] = digest.split(':');
    const length = DIGEST_HEX[algorithm];
    if (length === undefined)
      return { reason: `"${image}" has a digest of unsupported algorithm "${algorithm}"` };
    if (hex.length !== length || !/^[a-f0-9]+$/.test(hex))
      return { reason: `"${image}" has an invalid ${algorithm} digest` };
  }
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const isRegistry = first !== '' && (/[.:]/.test(first) || first === 'localhost');
  return {
    registry: isRegistry ? first : '',
    repository: isRegistry ? name.slice(slash + 1) : name,
    tag,
    digest,
  };
}

/**
 * Karmada keeps a tag or a digest, never both: `repo:tag@digest` loses its digest on any
 * override there. fedrender keeps both and prints both; only a Tag operation chooses one.
 */
export function formatImage(r: ImageRef): string {
  return `${r.registry ? r.registry + '/' : ''}${r.repository}${r.tag ? ':' + r.tag : ''}${r.digest ? '@' + r.digest : ''}`;
}

/**
 * One component changed as Karmada does it: add appends the value to the component as a string
 * (Registry `.test` turns `gcr.io` into `gcr.io.test`), replace sets it, remove clears it (a
 * Tag remove drops the tag, else the digest). Where Karmada would silently keep the image (a new
 * tag that is neither tag nor digest) or write an invalid one (Repository remove), fedrender
 * reports the overrider instead.
 */
function overrideImage(image: string, item: JsonObject): string | { reason: string } {
  const parsed = parseImage(image);
  if ('reason' in parsed) return parsed;
  const r = { ...parsed };
  const value = typeof item.value === 'string' ? item.value : '';
  const op = item.operator;
  if (op !== 'add' && op !== 'replace' && op !== 'remove')
    return { reason: `unknown operator ${JSON.stringify(op)}; expected add, remove or replace` };
  switch (item.component) {
    case 'Registry':
      r.registry = op === 'add' ? r.registry + value : op === 'replace' ? value : '';
      break;
    case 'Repository':
      r.repository = op === 'add' ? r.repository + value : op === 'replace' ? value : '';
      if (r.repository === '')
        return { reason: `removing the repository of "${image}" leaves no image name` };
      break;
    case 'Tag': {
      if (op === 'remove') {
        if (r.tag) r.tag = '';
        else r.digest = '';
        break;
      }
      const next = op === 'add' ? (r.tag || r.digest) + value : value;
      if (ANCHORED_TAG.test(next)) {
        r.tag = next;
        r.digest = '';
      } else if (ANCHORED_DIGEST.test(next)) {
        r.digest = next;
        r.tag = '';
      } else {
        return { reason: `"${next}" is neither a tag nor a digest (image "${image}")` };
      }
      break;
    }
    default:
      return {
        reason: `unknown component ${JSON.stringify(item.component)}; expected Registry, Repository or Tag`,
      };
  }
  // The result must read back as written. A registry value may carry a path (`gcr.io/mirror`,
  // as Karmada writes it verbatim); its first component must still read as a registry.
  const next = formatImage(r);
  const back = parseImage(next);
  if ('reason' in back) return { reason: `the result ${back.reason}` };
  const host = r.registry.split('/')[0];
  if (back.registry !== host) {
    return {
      reason: host
        ? `in "${next}", "${host}" would not be read as a registry (a registry has a "." or ":", or is localhost)`
        : `"${next}" would be read as an image of registry "${back.registry}"`,
    };
  }
  return next;
}

// --- labelsOverrider / annotationsOverrider ---------------------------------------------------

/**
 * Karmada's LabelAnnotationOverrider on the object's own `metadata.labels` / `.annotations`:
 * add sets every key (creating the map), replace changes only keys already there, remove drops
 * only keys already there (its values are ignored); a key that is not there is skipped silently.
 */
function metadataMapOps(field: 'labels' | 'annotations', item: JsonObject, body: JsonObject): TypedResult {
  const values = isObject(item.value) ? item.value : {};
  const keys = Object.keys(values).sort(cmp);
  const meta = body.metadata;
  const raw = isObject(meta) ? meta[field] : undefined;
  if (raw !== undefined && raw !== null && !isObject(raw))
    return fail(`metadata.${field} is ${describeValue(raw)}, not a map`);
  const current = isObject(raw) ? raw : undefined;
  const has = (k: string) => current !== undefined && Object.hasOwn(current, k);
  switch (item.operator) {
    case 'add':
      if (current === undefined)
        return ok(
          keys.length
            ? [
                {
                  op: 'add',
                  segments: ['metadata', field],
                  value: Object.fromEntries(keys.map((k) => [k, values[k]!])),
                },
              ]
            : [],
        );
      return ok(
        keys
          .filter((k) => !has(k) || current[k] !== values[k])
          .map((k) => ({ op: 'add', segments: ['metadata', field, k], value: values[k] })),
      );
    case 'replace':
      return ok(
        keys
          .filter((k) => has(k) && current?.[k] !== values[k])
          .map((k) => ({ op: 'replace', segments: ['metadata', field, k], value: values[k] })),
      );
    case 'remove':
      return ok(keys.filter(has).map((k) => ({ op: 'remove', segments: ['metadata', field, k] })));
    default:
      return fail(`unknown operator ${JSON.stringify(item.operator)}; expected add, remove or replace`);
  }
}

// --- commandOverrider / argsOverrider ---------------------------------------------------------

/**
 * Karmada's CommandArgsOverrider on the container named `containerName`: add appends `value`
 * (creating the list), remove drops every item equal to one of `value`. Karmada writes an empty
 * list for a remove on a container without one; fedrender leaves the container alone.
 */
function commandArgsOps(field: 'command' | 'args', item: JsonObject, body: JsonObject): TypedResult {
  if (item.operator !== 'add' && item.operator !== 'remove')
    return fail(`unknown operator ${JSON.stringify(item.operator)}; expected add or remove`);
  const values = (Array.isArray(item.value) ? item.value : []).map(text);
  const ops: PatchOp[] = [];
  for (const c of named(body, item)) {
    const current = c.container[field];
    if (current !== undefined && current !== null && !Array.isArray(current)) {
      return fail(
        `container "${text(item.containerName)}" has ${field} ${describeValue(current)}, not a list`,
      );
    }
    const list = Array.isArray(current) ? current : [];
    const next =
      item.operator === 'add' ? [...list, ...values] : list.filter((v) => !values.includes(text(v)));
    if (next.length === list.length) continue;
    ops.push({
      op: Array.isArray(current) ? 'replace' : 'add',
      segments: [...c.segments, field],
      value: next,
    });
  }
  return ok(ops);
}

// --- envOverrider -----------------------------------------------------------------------------

/**
 * SPEC's own (Karmada has no env overrider): on the container named `containerName`, set replaces
 * every variable of that name by `{name, value}` (dropping a `valueFrom`) or appends it; remove
 * drops every variable of that name. One operation per variable, so a later error in one points
 * at this overrider while the untouched variables keep their own lines.
 */
function envOps(item: JsonObject, body: JsonObject): TypedResult {
  if (item.operator !== 'set' && item.operator !== 'remove')
    return fail(`unknown operator ${JSON.stringify(item.operator)}; expected set or remove`);
  const vars = (Array.isArray(item.value) ? item.value : []).filter(isObject);
  const ops: PatchOp[] = [];
  for (const c of named(body, item)) {
    const current = c.container.env;
    if (current !== undefined && current !== null && !Array.isArray(current)) {
      return fail(`container "${text(item.containerName)}" has env ${describeValue(current)}, not a list`);
    }
    const env = [...(Array.isArray(current) ? current : [])];
    const at = (i: number) => [...c.segments, 'env', String(i)];
    const nameOf = (e: Json) => (isObject(e) ? e.name : undefined);
    if (item.operator === 'remove') {
      const drop = new Set(vars.map((v) => v.name));
      // From the end, so each index still names the variable it was computed for.
      for (let i = env.length - 1; i >= 0; i--)
        if (drop.has(nameOf(env[i]!))) ops.push({ op: 'remove', segments: at(i) });
      continue;
    }
    const own: PatchOp[] = [];
    for (const v of vars) {
      const entry: JsonObject = { name: v.name!, value: v.value ?? '' }; // name: required by the schema
      let found = false;
      env.forEach((e, i) => {
        if (nameOf(e) !== v.name) return;
        found = true;
        if (sameJson(e, entry)) return;
        env[i] = entry;
        own.push({ op: 'replace', segments: at(i), value: entry });
      });
      if (!found) {
        own.push({ op: 'add', segments: at(env.length), value: entry });
        env.push(entry);
      }
    }
    // No env list yet: one operation that creates it whole.
    if (!Array.isArray(current)) {
      if (env.length) ops.push({ op: 'add', segments: [...c.segments, 'env'], value: env });
    } else {
      ops.push(...own);
    }
  }
  return ok(ops);
}

function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]!))
    );
  }
  if (!isObject(a) || !isObject(b)) return false;
  const ka = Object.keys(a);
  return (
    ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k]!, b[k]!))
  );
}
