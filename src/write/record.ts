// The ownership record, `<output dir>/.fedrender-owned.yaml`: which files and folders fedrender
// wrote, in the output tree and in the Flux directory. It is what makes deletion safe: nothing
// outside it is ever removed. Plain sorted lines inside YAML block scalars, so writing and
// reading 40,000 entries is a join and a split (no hashing, no YAML round trip), the file stays
// valid YAML, and a broken or conflict-marked record is reported at its line.
import { parse, YAMLError } from 'yaml';
import { cmp } from '../core/diagnostics.js';

export const RECORD_FILE = '.fedrender-owned.yaml';

export interface OwnedSet {
  files: string[];
  /** Folders fedrender created; only these may be removed, and only when empty. */
  dirs: string[];
}

export interface OwnedRecord extends OwnedSet {
  /** The Flux directory, relative to the output directory (`/`-separated), and what it owns there. */
  flux?: OwnedSet & { dir: string };
}

export type ParsedRecord =
  | { ok: true; record: OwnedRecord; legacy: boolean }
  | { ok: false; line: number; message: string; hint: string };

const HEADER = [
  '# Written by fedrender: the files and folders it owns, one per line. It deletes only these.',
  '# A folder is removed only when fedrender created it and it is empty.',
  'apiVersion: fedrender.io/v1alpha1',
  'kind: OwnedFiles',
];

export function formatRecord(r: OwnedRecord): string {
  const block = (key: string, items: readonly string[], indent: string) =>
    [`${indent}${key}: |`, ...[...items].sort(cmp).map((p) => `${indent}  ${p}`)].join('\n');
  const lines = [...HEADER, block('files', r.files, ''), block('dirs', r.dirs, '')];
  if (r.flux && (r.flux.files.length || r.flux.dirs.length))
    lines.push(
      'flux:',
      `  dir: ${JSON.stringify(r.flux.dir)}`,
      block('files', r.flux.files, '  '),
      block('dirs', r.flux.dirs, '  '),
    );
  return lines.join('\n') + '\n';
}

const CONFLICT = /^(<{7}|={7}|>{7}|\|{7})( |$)/;

export function parseRecord(text: string): ParsedRecord {
  const lines = text.split(/\r?\n/);
  const marker = lines.findIndex((l) => CONFLICT.test(l));
  if (marker >= 0)
    return {
      ok: false,
      line: marker + 1,
      message: 'the ownership record has a merge conflict marker',
      hint: 'resolve it by keeping the lines of both sides (fedrender then owns the files of both), and build again',
    };
  if (/^- path: /m.test(text)) return parseLegacy(text);
  const record: OwnedRecord = { files: [], dirs: [] };
  let list: string[] | undefined;
  let indent = '';
  let inFlux = false;
  for (const [i, line] of lines.entries()) {
    const fail = (message: string): ParsedRecord => ({
      ok: false,
      line: i + 1,
      message: `the ownership record is damaged: ${message}`,
      hint: 'restore it from git; if it is lost, move the output folder away and build again',
    });
    if (list && line.startsWith(indent + '  ')) {
      const p = line.slice(indent.length + 2);
      if (!isSafeRelative(p)) return fail(`"${p}" is not a plain relative path`);
      list.push(p);
      continue;
    }
    list = undefined;
    if (line === '' || line.startsWith('#')) continue;
    const m = /^( *)([a-zA-Z]+):(?: (.*))?$/.exec(line);
    if (!m) return fail(`unexpected line "${line.slice(0, 60)}"`);
    const [, pad = '', key = '', value] = m;
    if (pad === '') inFlux = key === 'flux';
    const section = pad === '  ' && inFlux ? record.flux : pad === '' ? record : undefined;
    if (key === 'flux' && pad === '') {
      record.flux = { dir: '', files: [], dirs: [] };
    } else if ((key === 'files' || key === 'dirs') && value === '|' && section) {
      list = section[key];
      indent = pad;
    } else if (key === 'dir' && section === record.flux && record.flux && value) {
      try {
        record.flux.dir = String(JSON.parse(value));
      } catch {
        return fail(`flux.dir is not a quoted path`);
      }
    } else if (!(pad === '' && (key === 'apiVersion' || key === 'kind'))) {
      return fail(`unexpected line "${line.slice(0, 60)}"`);
    }
  }
  return { ok: true, record, legacy: false };
}

/** The record of fedrender 0.1 (`files: [{path, sha256}]`): read, never written. */
function parseLegacy(text: string): ParsedRecord {
  let value: unknown;
  try {
    value = parse(text);
  } catch (e) {
    const pos: unknown = e instanceof YAMLError ? e.linePos?.[0]?.line : undefined;
    const line = typeof pos === 'number' ? pos : 1;
    return { ok: false, line, message: 'the ownership record does not parse', hint: 'restore it from git' };
  }
  const field = (o: unknown, k: string): unknown =>
    o !== null && typeof o === 'object' ? Reflect.get(o, k) : undefined;
  const files = field(value, 'files');
  const paths = Array.isArray(files)
    ? files.map((f) => field(f, 'path')).filter((p): p is string => typeof p === 'string')
    : [];
  // A hand-edited record must not make fedrender delete files elsewhere.
  const safe = paths.filter(isSafeRelative);
  // The old writer recreated the whole tree, so it made every folder that holds its files.
  const dirs = new Set<string>();
  for (const p of safe) for (const d of ancestors(p)) dirs.add(d);
  return { ok: true, record: { files: safe, dirs: [...dirs] }, legacy: true };
}

/** `a/b/c.yaml` -> ['a', 'a/b']. */
export function ancestors(p: string): string[] {
  const out: string[] = [];
  for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) out.push(p.slice(0, i));
  return out;
}

export function isSafeRelative(p: string): boolean {
  return (
    p !== '' &&
    !p.startsWith('/') &&
    !UNSAFE_CHARACTER.test(p) &&
    p.trim() === p &&
    // No empty, `.` or `..` segment; one test, not a split per path (records list 400,000).
    !NOT_A_NAME.test(p)
  );
}

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const UNSAFE_CHARACTER = /[\u0000-\u001f\\]/;
const NOT_A_NAME = /(?:^|\/)\.{0,2}(?:\/|$)/;
