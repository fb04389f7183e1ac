// The golden cases' input projects, shared by the golden runner and the consumer tests.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN, ROOT } from './helpers.js';

export interface GoldenCase {
  name: string;
  dir: string;
  input: string;
}

export function goldenCases(): GoldenCase[] {
  return readdirSync(GOLDEN, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const dir = join(GOLDEN, name);
      const source = join(dir, 'source');
      const input = existsSync(source) ? join(ROOT, readFileSync(source, 'utf8').trim()) : join(dir, 'input');
      return { name, dir, input };
    });
}

/** Golden cases with their own input (examples are covered as examples). */
export function goldenInputs(): { name: string; input: string }[] {
  return goldenCases()
    .filter((c) => !existsSync(join(c.dir, 'source')) && existsSync(join(c.input, 'federation.yaml')))
    .map((c) => ({ name: `golden ${c.name}`, input: c.input }));
}
