// A federation in a temporary git repository, for the diff tests: four clusters in two regions,
// a web Deployment (image pinned in us-2 by an override), an RSP-scheduled api Deployment, a
// Service, an allowed Secret. Tests commit it, change it as pull requests do, and diff.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { project, tempDir } from './helpers.js';

export const FEDERATION = `apiVersion: fedrender.io/v1alpha1
kind: Federation
clusters:
  - name: eu-1
    labels: {region: eu}
  - name: eu-2
    labels: {region: eu}
  - name: us-1
    labels: {region: us}
  - name: us-2
    labels: {region: us}
resources:
  - manifests/*.yaml
overrides:
  - match: {kinds: [Deployment], names: [web]}
    overrides:
      - clusterName: us-2
        clusterOverrides:
          - {path: "/spec/template/spec/containers/[name=web]/image", value: "nginx:1.24"}
replicaScheduling:
  - match: {kinds: [Deployment], names: [api]}
    totalReplicas: 8
    clusters: {"*": {weight: 1}}
output:
  dir: rendered
  allowSecrets: true
`;

export const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.25
          env:
            - {name: MODE, value: production}
        - name: log
          image: busybox:1.36
`;

export const API = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: example/api:2.0
`;

export const OTHERS = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: shop}
stringData:
  password: hunter2-base
`;

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
  });
}

/** A committed repository whose project sits in `sub` (the repository root when ''). */
export function fleetRepo(sub = 'fleet', files: Record<string, string> = {}): { repo: string; dir: string } {
  const repo = tempDir('fedrender-diff-test-');
  const dir = sub ? join(repo, sub) : repo;
  project(
    {
      'federation.yaml': FEDERATION,
      'manifests/web.yaml': WEB,
      'manifests/api.yaml': API,
      'manifests/others.yaml': OTHERS,
      ...files,
    },
    dir,
  );
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'base');
  return { repo, dir };
}

/** Replaces `from` (which must occur) by `to` in a project file. */
export function edit(dir: string, file: string, from: string, to: string): string {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}`);
  const next = text.replace(from, to);
  writeFileSync(path, next);
  return next;
}

/** `file:line:col` of the first occurrence of `needle` in `text` (plus `offset` characters). */
export function at(file: string, text: string, needle: string, offset = 0): string {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`no ${JSON.stringify(needle)} in ${file}`);
  const before = text.slice(0, i + offset);
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${file}:${line}:${column}`;
}

/** The CLI's JSON output, typed; the tests assert its fields one by one. */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}
