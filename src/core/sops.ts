// SOPS-encrypted documents (SPEC §2): a document with a top-level `sops` mapping holding a `mac`.
// SOPS's MAC covers every value in tree order, so such a document is passed through byte for
// byte: no key reordering, no defaulted field, no override. This module finds them, cuts their
// text out of the source file, and gives validation a decrypted-looking view of their values.
import type { Document } from 'yaml';
import { isObject } from './cow.js';
import type { Json, JsonObject } from '../types.js';

/** True for a document SOPS encrypted: top-level `sops` metadata with its `mac`. */
export function isSopsDocument(value: Json): value is JsonObject {
  return isObject(value) && isObject(value.sops) && typeof value.sops.mac === 'string';
}

/**
 * The text of one document of a multi-document file as its author wrote it: from the end of the
 * previous document (so leading comments stay) to its own end, without the `---` / `...`
 * markers, with LF line ends and one trailing newline. Line ends and markers are outside what
 * the MAC covers, and normalizing them keeps the output byte-identical across checkouts.
 */
export function documentText(text: string, docs: readonly Document[], index: number): string {
  const start = index === 0 ? 0 : (docs[index - 1]?.range?.[2] ?? 0);
  const end = docs[index]?.range?.[2] ?? text.length;
  const lines = text.slice(start, end).replace(/\r\n?/g, '\n').split('\n');
  const body: string[] = [];
  let started = false;
  for (const line of lines) {
    // Directives and the start marker precede the content; the end marker follows it.
    if (!started && (/^%/.test(line) || /^---(\s|$)/.test(line))) {
      const rest = line.replace(/^---\s*/, '');
      if (line.startsWith('---') && rest !== '') body.push(rest);
      if (line.startsWith('---')) started = true;
      continue;
    }
    if (/^\.\.\.(\s|$)/.test(line)) break;
    body.push(line);
  }
  while (body.length && body[body.length - 1]?.trim() === '') body.pop();
  return body.join('\n') + '\n';
}

/** `ENC[AES256_GCM,data:…,iv:…,tag:…,type:str]`: the type SOPS recorded for the plain value. */
const ENCRYPTED = /^ENC\[AES256_GCM,data:[^,]*,iv:[^,]*,tag:[^,]*,type:(str|int|float|bool|bytes)\]$/;

/**
 * The document as the API server will see it after Flux decrypts it, for schema checks: without
 * `sops`, each encrypted value replaced by a neutral value of the type SOPS recorded (an empty
 * string is valid base64, so Secret data passes its `byte` format).
 */
export function decryptedShape(value: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (k !== 'sops') out[k] = placeholders(v);
  return out;
}

function placeholders(v: Json): Json {
  if (Array.isArray(v)) return v.map(placeholders);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) out[k] = placeholders(x);
    return out;
  }
  if (typeof v !== 'string') return v;
  const m = ENCRYPTED.exec(v);
  if (!m) return v;
  return m[1] === 'int' ? 0 : m[1] === 'float' ? 0.5 : m[1] === 'bool' ? false : '';
}
