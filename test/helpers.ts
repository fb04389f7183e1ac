// Test helpers: run the CLI in-process, make temporary projects, read whole trees.
import {
  mkdtempSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  cpSync,
  existsSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli.js';

/** The repository root (tests run from dist/test). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GOLDEN = join(ROOT, 'golden');
export const EXAMPLES = join(ROOT, 'examples');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(argv: string[], cwd: string = ROOT): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd });
  return { code, stdout, stderr };
}

export function tempDir(prefix = 'fedrender-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a project from a map of relative path -> text; returns its folder. */
export function project(files: Record<string, string>, dir = tempDir()): string {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

/** Every file under dir, relative path -> content; {} when dir is absent. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out[p] = readFileSync(join(dir, p), 'utf8');
    }
  };
  walk('');
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function copyDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

export function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** A minimal valid federation.yaml with the given clusters and extra top-level YAML. */
export function federation(clusters: string, extra = ''): string {
  return `apiVersion: fedrender.io/v1alpha1\nkind: Federation\nclusters:\n${clusters}\nresources:\n  - manifests/**/*.yaml\n${extra}`;
}

/** A valid Deployment `default/web`; extra lines go into its container, then at the top level. */
export function deployment(opts: { replicas?: number; container?: string; extra?: string } = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: ${opts.replicas ?? 1}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
${opts.container ?? ''}${opts.extra ?? ''}`;
}

/** A FederatedNamespace `shop` placed in every cluster. */
export const FEDERATED_NAMESPACE = `apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: shop, namespace: shop}
spec: {placement: {clusterSelector: {}}}
`;

/** A FederatedDeployment `shop/web` (1 replica) with the given placement, then `extra` verbatim. */
export function federatedDeployment(placement: string, extra = ''): string {
  return `apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      replicas: 1
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: nginx}]}
  placement: ${placement}
${extra}`;
}
