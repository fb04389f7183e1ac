// src/generated/federation-schema.ts is generated from schemas/federation.schema.json and
// checked in; a schema change without `npm run gen:types` must fail here, not drift silently.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from './helpers.js';

interface Generator {
  OUTPUT: string;
  readSchema(): { properties: Record<string, unknown> };
  federationTypes(schema?: object): Promise<string>;
}

const generator = (): Promise<Generator> =>
  import(pathToFileURL(join(ROOT, 'scripts', 'gen-types.mjs')).href);

test('the committed federation types are what npm run gen:types generates from the schema', async () => {
  const gen = await generator();
  const committed = readFileSync(join(ROOT, gen.OUTPUT), 'utf8');
  const fresh = await gen.federationTypes();
  assert.ok(committed === fresh, `${gen.OUTPUT} is stale: run npm run gen:types and commit it`);
});

test('a field added to the schema changes the generated types (the check above can fail)', async () => {
  const gen = await generator();
  const schema = gen.readSchema();
  schema.properties.extraField = { type: 'string', description: 'added by the test' };
  const text = await gen.federationTypes(schema);
  assert.match(text, /\n {2}extraField\?: string;\n/);
  assert.not.ok(text === readFileSync(join(ROOT, gen.OUTPUT), 'utf8'));
});

test.run();
