// Generates schemas/well-known/ from the upstream CustomResourceDefinitions listed in
// scripts/well-known-crds.sources.json: one gzipped JSON file per API group, holding for every
// served version of every kind its openAPIV3Schema as the CRD writes it (CEL rules,
// x-kubernetes-* and all), less descriptions, which nothing checks. fedrender reads a group's
// file only when an object of that group is validated (src/validate/well-known-crds.ts);
// index.json lists every group's kinds, versions and scopes (for the model and did-you-mean).
//
//   usage: node scripts/gen-well-known-crds.mjs <crd-dir>
//
// <crd-dir> holds each source at its tag as <owner>/<name>/<path>, e.g. for every source:
//   git clone --depth 1 --branch <tag> https://github.com/<repo> <crd-dir>/<repo>
// The script checks that each checkout is at the listed commit when it is a git work tree, and
// fails on a listed path that is missing. Output is byte-identical for the same input.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'schemas', 'well-known');
const { sources } = JSON.parse(readFileSync(join(root, 'scripts', 'well-known-crds.sources.json'), 'utf8'));

const input = process.argv[2];
if (!input) {
  console.error('usage: node scripts/gen-well-known-crds.mjs <crd-dir>');
  process.exit(2);
}

/** group -> kind -> { crd, scope, source, versions: { name: openAPIV3Schema } } */
const groups = new Map();
for (const s of sources) {
  const base = join(input, s.repo);
  const head = gitHead(base);
  if (head && head !== s.commit) fail(`${base} is at ${head}, expected ${s.repo} ${s.tag} (${s.commit})`);
  for (const p of s.paths) {
    const at = join(base, p);
    if (!existsSync(at)) fail(`${at}: missing (${s.repo} ${s.tag} ${p})`);
    for (const file of yamlFiles(at)) readCrds(file, s);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let total = 0;
for (const [group, kinds] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
  const body = { group, kinds: Object.fromEntries([...kinds].sort(([a], [b]) => (a < b ? -1 : 1))) };
  // mtime 0 and no file name in the gzip header: the same input gives the same bytes.
  const gz = gzipSync(JSON.stringify(body), { level: 9 });
  gz[4] = gz[5] = gz[6] = gz[7] = 0;
  writeFileSync(join(out, `${group}.json.gz`), gz);
  total += gz.length;
}
// The index (kinds, versions, scopes of every group) is read without opening a group's file.
const index = {};
for (const [group, kinds] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1)))
  index[group] = Object.fromEntries(
    [...kinds]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([kind, k]) => [kind, { scope: k.scope, versions: Object.keys(k.versions).sort() }]),
  );
writeFileSync(join(out, 'index.json'), JSON.stringify(index, null, 2) + '\n');
writeFileSync(join(out, 'SOURCES.md'), sourcesText());
console.error(
  `wrote ${groups.size} groups (${Math.round(total / 1024)} KiB gzipped) into schemas/well-known/`,
);

function readCrds(file, source) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length) fail(`${file}: ${doc.errors[0].message}`);
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition' || crd.apiVersion !== 'apiextensions.k8s.io/v1') continue;
    const { group, names, scope, versions } = crd.spec;
    const versionsOut = {};
    for (const v of versions) {
      if (v.served && v.schema?.openAPIV3Schema) versionsOut[v.name] = strip(v.schema.openAPIV3Schema);
    }
    if (!Object.keys(versionsOut).length) continue;
    if (!groups.has(group)) groups.set(group, new Map());
    const kinds = groups.get(group);
    if (kinds.has(names.kind)) fail(`${group} ${names.kind} is defined twice (${file})`);
    kinds.set(names.kind, {
      crd: crd.metadata.name,
      scope,
      source: `${source.repo} ${source.tag}`,
      versions: versionsOut,
    });
  }
}

/** The schema less `description` keywords (a property named description is kept). */
function strip(schema) {
  if (Array.isArray(schema)) return schema.map(strip);
  if (!schema || typeof schema !== 'object') return schema;
  const outObj = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'description' && typeof v === 'string') continue;
    if (k === 'properties' || k === 'patternProperties' || k === 'definitions') {
      outObj[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, strip(s)]));
    } else if (k === 'default' || k === 'example' || k === 'enum') {
      outObj[k] = v; // values, not schemas
    } else {
      outObj[k] = strip(v);
    }
  }
  return outObj;
}

function yamlFiles(at) {
  if (statSync(at).isFile()) return [at];
  return readdirSync(at)
    .sort()
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
    .map((f) => join(at, f));
}

function gitHead(dir) {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

function sourcesText() {
  const lines = [
    '# Sources of the well-known CRD schemas',
    '',
    'Generated by `node scripts/gen-well-known-crds.mjs <crd-dir>` from the',
    'CustomResourceDefinitions below (scripts/well-known-crds.sources.json): for each served',
    'version its `openAPIV3Schema`, descriptions removed, one gzipped JSON file per API group.',
    'All are licensed Apache-2.0 by their authors; see each repository for its NOTICE.',
    '',
    '| repository | release | commit | path | license | groups |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of sources) {
    const own = [...groups]
      .filter(([, kinds]) => [...kinds.values()].some((k) => k.source === `${s.repo} ${s.tag}`))
      .map(([g]) => g);
    lines.push(
      `| ${s.repo} | ${s.tag} | ${s.commit} | ${s.paths.join(', ')} | ${s.license} | ${own.join(', ')} |`,
    );
  }
  return lines.join('\n') + '\n';
}

function fail(message) {
  console.error(`gen-well-known-crds: ${message}`);
  process.exit(1);
}
