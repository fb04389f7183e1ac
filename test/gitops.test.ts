// GitOps output (SPEC §5), end to end through the CLI: Argo CD Applications in <output>/argocd/,
// Flux Kustomizations in the Flux directory; their defaults, destinations and repository paths
// (from a temporary .git); --cluster, --check and failed builds across both trees; unowned
// files in a Flux fleet directory; and validity against the
// upstream models of the tools' CRDs (npm devDependencies @kubernetes-models/argo-cd and flux-cd).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { GOLDEN, project, readTree, run, tempDir } from './helpers.js';
import { modelErrors } from './upstream-models.js';

const CLUSTERS = `clusters:
  - name: east
    server: https://east.example:6443
  - name: west
`;
/** federation.yaml; output.name is `fedrender` unless `name` is null (then the folder's name). */
const fed = (output: string, clusters = CLUSTERS, name: string | null = 'fedrender') =>
  `apiVersion: fedrender.io/v1alpha1\nkind: Federation\n${clusters}resources:\n  - manifests/*.yaml\noutput:\n${output}${name === null ? '' : `  name: ${name}\n`}`;
const CM = (v = '1') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\ndata:\n  v: "${v}"\n`;
const ARGO = '  gitops: argocd\n  argocd: {repoURL: https://github.com/example/fleet.git}\n';
const FLUX = '  gitops: flux\n';

/** A repository (an empty .git) with federation.yaml in `sub/`, or at its root. */
function repo(
  output: string,
  opts: { sub?: string; git?: boolean; extra?: Record<string, string>; name?: string | null } = {},
): { root: string; dir: string } {
  const sub = opts.sub ?? '';
  const at = (p: string) => (sub ? `${sub}/${p}` : p);
  const root = project({
    [at('federation.yaml')]: fed(output, CLUSTERS, opts.name === undefined ? 'fedrender' : opts.name),
    [at('manifests/a.yaml')]: CM(),
    ...opts.extra,
  });
  if (opts.git ?? true) mkdirSync(join(root, '.git'));
  return { root, dir: sub ? join(root, sub) : root };
}

const yamlAt = (path: string) => parse(readFileSync(path, 'utf8'));

test('argocd: one Application per cluster with the defaults, and a kustomization listing them', async () => {
  const { root, dir } = repo(ARGO, { sub: 'fleet', name: null });
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  const tree = readTree(join(dir, 'rendered'));
  assert.equal(
    Object.keys(tree).filter((p) => p.startsWith('argocd/')),
    ['argocd/east.yaml', 'argocd/kustomization.yaml', 'argocd/west.yaml'],
  );
  assert.equal(parse(tree['argocd/east.yaml']!), {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    // <output.name>-<cluster>, output.name defaulting to the folder's name
    metadata: { name: 'fleet-east', namespace: 'argocd' },
    spec: {
      destination: { server: 'https://east.example:6443' },
      project: 'default',
      // From the folder holding .git: federation.yaml sits in fleet/.
      source: {
        path: 'fleet/rendered/east',
        repoURL: 'https://github.com/example/fleet.git',
        targetRevision: 'HEAD',
      },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  });
  // No server: Argo CD's name for the cluster.
  assert.equal(parse(tree['argocd/west.yaml']!).spec.destination, { name: 'west' });
  assert.equal(parse(tree['argocd/kustomization.yaml']!), {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: ['east.yaml', 'west.yaml'],
  });
  assert.match(tree['.fedrender-owned.yaml']!, /^  argocd\/kustomization\.yaml$/m);
  assert.not.ok(existsSync(join(root, 'clusters')));
});

test('flux: one Kustomization per cluster in clusters/<cluster>/<project>.yaml, with the defaults', async () => {
  const { dir } = repo(FLUX, { sub: 'fleet', name: null });
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  const tree = readTree(join(dir, 'clusters'));
  // output.name defaults to the folder's name: it names the files and the objects
  assert.equal(Object.keys(tree), ['east/fleet.yaml', 'west/fleet.yaml']);
  const projectFile = readFileSync(join(dir, 'rendered/.fedrender-project.yaml'), 'utf8');
  assert.match(projectFile, /\nfederation: \.\.\/federation\.yaml\n/);
  assert.match(projectFile, /\nname: fleet\n/);
  assert.match(projectFile, /\n- Kustomization east:flux-system\/fleet\n/);
  assert.equal(parse(tree['west/fleet.yaml']!), {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'fleet', namespace: 'flux-system' },
    spec: {
      interval: '10m',
      path: './fleet/rendered/west',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    },
  });
  assert.not.ok(existsSync(join(dir, 'rendered', 'argocd')));
});

test('every setting is honoured; a repository path is normalized', async () => {
  const argo =
    '  gitops: argocd\n  argocd: {repoURL: git@example.com:fleet.git, targetRevision: v1.2.0, project: fleet, namespace: gitops, path: ./out/, namePrefix: prod-, prune: false, selfHeal: false}\n  dir: out\n';
  const a = repo(argo, { git: false });
  assert.is((await run(['build'], a.dir)).code, 0);
  assert.equal(yamlAt(join(a.dir, 'out/argocd/west.yaml')), {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'prod-west', namespace: 'gitops' },
    spec: {
      destination: { name: 'west' },
      project: 'fleet',
      source: { path: 'out/west', repoURL: 'git@example.com:fleet.git', targetRevision: 'v1.2.0' },
      syncPolicy: { automated: { prune: false, selfHeal: false } },
    },
  });
  const flux =
    '  gitops: flux\n  flux: {dir: fleet, namespace: gitops, interval: 1h30m, path: ., sourceRef: {kind: OCIRepository, name: manifests, namespace: flux-system}}\n';
  const f = repo(flux, { git: false });
  assert.is((await run(['build'], f.dir)).code, 0);
  assert.equal(yamlAt(join(f.dir, 'fleet/east/fedrender.yaml')).spec, {
    interval: '1h30m',
    path: './east',
    prune: true,
    sourceRef: { kind: 'OCIRepository', name: 'manifests', namespace: 'flux-system' },
  });
  assert.is(yamlAt(join(f.dir, 'fleet/east/fedrender.yaml')).metadata.namespace, 'gitops');
});

test("without .git, repository paths are relative to federation.yaml's folder", async () => {
  const { dir } = repo(ARGO + '  dir: deploy/out\n', { sub: 'fleet', git: false });
  assert.is((await run(['build'], dir)).code, 0);
  assert.is(yamlAt(join(dir, 'deploy/out/argocd/east.yaml')).spec.source.path, 'deploy/out/east');
});

test('a .git file (worktree, submodule) marks the repository root too', async () => {
  const { root, dir } = repo(FLUX, { sub: 'a/b', git: false });
  writeFileSync(join(root, '.git'), 'gitdir: ../elsewhere/.git/worktrees/x\n');
  assert.is((await run(['build'], dir)).code, 0);
  assert.is(yamlAt(join(dir, 'clusters/east/fedrender.yaml')).spec.path, './a/b/rendered/east');
});

test('an output directory outside the repository needs an explicit path', async () => {
  const { dir } = repo(ARGO, { sub: 'fleet' });
  const outside = join(tempDir(), 'out');
  const r = await run(['build', '-o', outside], dir);
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /federation\.yaml:\d+:\d+: error: output directory \S+ is outside the git repository at \.\., so its path in git is unknown \[CONFIG\]/,
  );
  assert.not.ok(existsSync(outside));
  writeFileSync(join(dir, 'federation.yaml'), fed(ARGO.replace('}', ', path: deploy}')));
  assert.is((await run(['build', '-o', outside], dir)).code, 0);
  assert.is(yamlAt(join(outside, 'argocd/east.yaml')).spec.source.path, 'deploy/east');
});

test('configuration mistakes are errors at their node, and nothing is written', async () => {
  const cases: [string, string, RegExp][] = [
    [
      'missing repoURL',
      '  gitops: argocd\n',
      /federation\.yaml:10:11: error: output\.gitops: argocd needs output\.argocd\.repoURL/,
    ],
    [
      'path leaving the repository',
      ARGO.replace('}', ', path: ../up}'),
      /federation\.yaml:11:65: error: expected a path inside the git repository, relative to its root, found "\.\.\/up" \[CONFIG\]/,
    ],
    [
      'bad interval',
      '  gitops: flux\n  flux: {interval: 10 minutes}\n',
      /federation\.yaml:11:20: error: \/output\/flux\/interval: string "10 minutes" is not a duration such as 10m/,
    ],
    [
      'bad source kind',
      '  gitops: flux\n  flux: {sourceRef: {kind: HelmRepository}}\n',
      /federation\.yaml:11:28: error: \/output\/flux\/sourceRef\/kind: expected one of "OCIRepository", "GitRepository", "Bucket", "ExternalArtifact"/,
    ],
    [
      'flux dir holding federation.yaml',
      '  gitops: flux\n  flux: {dir: .}\n',
      /federation\.yaml:11:15: error: Flux directory \. contains federation\.yaml; .* \[OUTPUT_CONFLICT\]/,
    ],
    [
      'flux dir inside the output',
      '  gitops: flux\n  flux: {dir: rendered/flux}\n',
      /federation\.yaml:11:15: error: Flux directory rendered\/flux is inside the output directory/,
    ],
    [
      'flux dir around the output',
      '  gitops: flux\n  dir: deploy/rendered\n  flux: {dir: deploy}\n',
      /federation\.yaml:12:15: error: Flux directory deploy contains the output directory/,
    ],
  ];
  for (const [what, output, want] of cases) {
    const { dir } = repo(output);
    const r = await run(['build'], dir);
    assert.is(r.code, 1, what);
    assert.match(r.stderr, want, what);
    assert.equal(Object.keys(readTree(dir)), ['federation.yaml', 'manifests/a.yaml'], what);
  }
});

test('a cluster named argocd is an error at its name in argocd mode only', async () => {
  const clusters = 'clusters:\n  - name: east\n  - name: argocd\n';
  const a = project({ 'federation.yaml': fed(ARGO, clusters), 'manifests/a.yaml': CM() });
  const r = await run(['build'], a);
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /federation\.yaml:5:11: error: cluster "argocd" would render into the folder of the Argo CD Applications/,
  );
  const f = project({ 'federation.yaml': fed(FLUX, clusters), 'manifests/a.yaml': CM() });
  assert.is((await run(['build'], f)).code, 0);
  assert.ok(existsSync(join(f, 'clusters/argocd/fedrender.yaml')));
});

test('flux: files fedrender did not write are left alone, unreported; resources globs skip the Flux directory', async () => {
  const components = '# the Flux components\nkind: [unparseable as a resource\n';
  const { dir } = repo(FLUX, {
    extra: {
      'clusters/east/flux-system/gotk-components.yaml': components,
      'clusters/east/apps.yaml': 'x: 1\n',
    },
  });
  writeFileSync(join(dir, 'federation.yaml'), fed(FLUX).replace('manifests/*.yaml', '"**/*.yaml"'));
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, /: warning:/, r.stderr);
  const tree = readTree(join(dir, 'clusters'));
  assert.equal(Object.keys(tree), [
    'east/apps.yaml',
    'east/fedrender.yaml',
    'east/flux-system/gotk-components.yaml',
    'west/fedrender.yaml',
  ]);
  assert.is(tree['east/flux-system/gotk-components.yaml'], components);
  assert.not.match(
    readFileSync(join(dir, 'rendered/.fedrender-owned.yaml'), 'utf8'),
    /flux-system|apps\.yaml/,
  );
  // A cluster leaves: its Kustomization goes, the user's files stay.
  writeFileSync(join(dir, 'federation.yaml'), fed(FLUX, 'clusters:\n  - name: west\n'));
  assert.is((await run(['build'], dir)).code, 0);
  assert.equal(Object.keys(readTree(join(dir, 'clusters'))), [
    'east/apps.yaml',
    'east/flux-system/gotk-components.yaml',
    'west/fedrender.yaml',
  ]);
});

test('flux: an unowned file where a Kustomization goes stops the build before either tree is written', async () => {
  const { dir } = repo(FLUX, { extra: { 'clusters/west/fedrender.yaml': 'mine\n' } });
  const r = await run(['build'], dir);
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /clusters\/west\/fedrender\.yaml:1:1: error: clusters\/west\/fedrender\.yaml exists but was not written by fedrender/,
  );
  assert.not.ok(existsSync(join(dir, 'rendered')));
  assert.equal(readTree(join(dir, 'clusters')), { 'west/fedrender.yaml': 'mine\n' });
});

test('a failed build changes nothing in the output or the Flux directory', async () => {
  const cases: [string, string][] = [
    [ARGO, '  argocd: {repoURL: https://example.com/other.git}\n'],
    [FLUX, '  flux: {interval: 5m}\n'],
  ];
  for (const [output, change] of cases) {
    const { dir } = repo(output);
    assert.is((await run(['build'], dir)).code, 0);
    const before = readTree(dir);
    // Both trees would change, but a manifest is broken.
    const inputs = {
      'federation.yaml': fed(output.split('\n')[0]! + '\n' + change),
      'manifests/a.yaml': CM('2') + 'bad: [\n',
    };
    for (const [p, text] of Object.entries(inputs)) writeFileSync(join(dir, p), text);
    const r = await run(['build'], dir);
    assert.is(r.code, 1);
    assert.match(r.stderr, /manifests\/a\.yaml:\d+:\d+: error: /);
    assert.equal(readTree(dir), { ...before, ...inputs });
  }
});

test('--check diffs the Flux directory too, exits 3 and writes nothing', async () => {
  const { dir } = repo(FLUX);
  assert.is((await run(['build'], dir)).code, 0);
  assert.is((await run(['build', '--check'], dir)).code, 0);
  const before = readTree(dir);
  const changed = fed(FLUX + '  flux: {interval: 5m}\n');
  writeFileSync(join(dir, 'federation.yaml'), changed);
  const r = await run(['build', '--check'], dir);
  assert.is(r.code, 3);
  assert.match(r.stdout, /--- a\/clusters\/east\/fedrender\.yaml/);
  assert.match(r.stdout, /\n-  interval: 10m\n\+  interval: 5m\n/);
  assert.not.match(r.stdout, /--- a\/rendered\//);
  assert.equal(readTree(dir), { ...before, 'federation.yaml': changed });
  // A Kustomization emptied by hand is found too.
  assert.is((await run(['build'], dir)).code, 0);
  writeFileSync(join(dir, 'clusters/west/fedrender.yaml'), '');
  assert.is((await run(['build', '--check'], dir)).code, 3);
});

test('argocd --cluster: only that Application is rebuilt; the others stay owned and listed', async () => {
  const { dir } = repo(ARGO);
  // A fresh tree: only east is built, so only east is listed.
  assert.is((await run(['build', '--cluster', 'east'], dir)).code, 0);
  assert.equal(yamlAt(join(dir, 'rendered/argocd/kustomization.yaml')).resources, ['east.yaml']);
  assert.is((await run(['build'], dir)).code, 0);
  const west = readFileSync(join(dir, 'rendered/argocd/west.yaml'), 'utf8');
  writeFileSync(join(dir, 'federation.yaml'), fed(ARGO.replace('}', ', targetRevision: main}')));
  const r = await run(['build', '--cluster', 'east'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.is(yamlAt(join(dir, 'rendered/argocd/east.yaml')).spec.source.targetRevision, 'main');
  assert.is(readFileSync(join(dir, 'rendered/argocd/west.yaml'), 'utf8'), west);
  assert.equal(yamlAt(join(dir, 'rendered/argocd/kustomization.yaml')).resources, ['east.yaml', 'west.yaml']);
  assert.match(readFileSync(join(dir, 'rendered/.fedrender-owned.yaml'), 'utf8'), /^  argocd\/west\.yaml$/m);
  // Unchanged since: a --cluster build and a --check of the whole tree agree on the index.
  assert.is((await run(['build', '--cluster', 'west', '--check'], dir)).code, 3);
  assert.is((await run(['build'], dir)).code, 0);
  assert.is((await run(['build', '--cluster', 'west', '--check'], dir)).code, 0);
  // A later full build still owns west's Application: removing west deletes it.
  writeFileSync(join(dir, 'federation.yaml'), fed(ARGO, 'clusters:\n  - name: east\n'));
  assert.is((await run(['build'], dir)).code, 0);
  assert.equal(Object.keys(readTree(join(dir, 'rendered/argocd'))), ['east.yaml', 'kustomization.yaml']);
});

test('flux: the 0.1 record in the Flux folder is read (its files stay owned) and then removed', async () => {
  const { dir } = repo(FLUX);
  assert.is((await run(['build'], dir)).code, 0);
  // What fedrender 0.1 left: a record in each folder, with hashes.
  const legacy = (paths: string[]) =>
    'apiVersion: fedrender.io/v1alpha1\nkind: OwnedFiles\nfiles:\n' +
    paths.map((p) => `- path: ${p}\n  sha256: 00\n`).join('');
  writeFileSync(
    join(dir, 'clusters/.fedrender-owned.yaml'),
    legacy(['east/fedrender.yaml', 'west/fedrender.yaml']),
  );
  const rendered = readFileSync(join(dir, 'rendered/.fedrender-owned.yaml'), 'utf8');
  const files = /^files: \|\n((?:  .*\n)*)/m
    .exec(rendered)![1]!
    .split('\n')
    .filter(Boolean)
    .map((l) => l.trim());
  writeFileSync(join(dir, 'rendered/.fedrender-owned.yaml'), legacy(files));
  writeFileSync(join(dir, 'federation.yaml'), fed(FLUX, 'clusters:\n  - name: east\n'));
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.equal(Object.keys(readTree(join(dir, 'clusters'))), ['east/fedrender.yaml']);
  assert.match(readFileSync(join(dir, 'rendered/.fedrender-owned.yaml'), 'utf8'), /^flux:$/m);
});

test('flux --cluster: only that Kustomization is rebuilt; the others stay owned', async () => {
  const { dir } = repo(FLUX);
  assert.is((await run(['build'], dir)).code, 0);
  const west = readFileSync(join(dir, 'clusters/west/fedrender.yaml'), 'utf8');
  writeFileSync(join(dir, 'federation.yaml'), fed(FLUX + '  flux: {interval: 2m}\n'));
  assert.is((await run(['build', '--cluster', 'east'], dir)).code, 0);
  assert.is(yamlAt(join(dir, 'clusters/east/fedrender.yaml')).spec.interval, '2m');
  assert.is(readFileSync(join(dir, 'clusters/west/fedrender.yaml'), 'utf8'), west);
  assert.match(
    readFileSync(join(dir, 'rendered/.fedrender-owned.yaml'), 'utf8'),
    /^flux:\n  dir: "\.\.\/clusters"\n  files: \|\n    east\/fedrender\.yaml\n    west\/fedrender\.yaml$/m,
  );
});

test('an unchanged build changes no byte in either tree', async () => {
  const { dir } = repo(FLUX);
  assert.is((await run(['build'], dir)).code, 0);
  const before = readTree(dir);
  const r = await run(['build'], dir);
  assert.match(r.stderr, /unchanged/);
  assert.equal(readTree(dir), before);
});

// ---------------------------------------------------------------------------------------------
// The real CRDs accept what fedrender writes.

/** Upstream models of what fedrender writes: @kubernetes-models packages generated from the tools' CRDs and types. */
const MODELS: Record<string, { pkg: string; name: string }> = {
  'argoproj.io/v1alpha1/Application': {
    pkg: '@kubernetes-models/argo-cd',
    name: 'ComGithubArgoprojArgoCdV3PkgApisApplicationV1alpha1Application',
  },
  'argoproj.io/v1alpha1/ApplicationSet': {
    pkg: '@kubernetes-models/argo-cd',
    name: 'ComGithubArgoprojArgoCdV3PkgApisApplicationV1alpha1ApplicationSet',
  },
  'kustomize.toolkit.fluxcd.io/v1/Kustomization': {
    pkg: '@kubernetes-models/flux-cd',
    name: 'ComGithubFluxcdKustomizeControllerApiV1Kustomization',
  },
};

export async function crdErrors(text: string): Promise<string[]> {
  const obj = parse(text) as { apiVersion: string; kind: string };
  const m = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!m) return [`no model for ${obj.apiVersion}/${obj.kind}`];
  return modelErrors(m.pkg, m.name, obj);
}

test('Applications and Kustomizations are valid against the upstream Argo CD and Flux models (strict)', async () => {
  const outputs = [
    ARGO,
    '  gitops: argocd\n  argocd: {repoURL: https://x.example/r.git, targetRevision: v1, project: p, namespace: ns, path: "", namePrefix: a-, prune: false, selfHeal: false}\n',
    FLUX,
    '  gitops: flux\n  flux: {namespace: ns, interval: 1m30s, path: x/y, sourceRef: {kind: Bucket, name: b, namespace: s}}\n',
  ];
  let checked = 0;
  for (const output of outputs) {
    const { dir } = repo(output);
    const r = await run(['build'], dir);
    assert.is(r.code, 0, r.stderr);
    const files = { ...readTree(join(dir, 'rendered', 'argocd')), ...readTree(join(dir, 'clusters')) };
    for (const [p, text] of Object.entries(files)) {
      if (p.startsWith('.') || p === 'kustomization.yaml') continue;
      assert.equal(await crdErrors(text), [], `${output.trim()}: ${p}`);
      checked++;
    }
  }
  assert.is(checked, 8);
  // The models do reject: no destination, misspelt fields, wrong types, an unknown source kind.
  assert.equal(
    await crdErrors(
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec: {project: default, destinaton: {name: x}, syncPolicy: {automated: {prune: "yes"}}}\n',
    ),
    ['/spec/destination required', '/spec/destinaton unknown', '/spec/syncPolicy/automated/prune type'],
  );
  assert.equal(
    await crdErrors(
      'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: a}\nspec: {interval: 10m, prune: "yes", sourceRef: {kind: Gitrepository, name: a}, targetNamespaces: x}\n',
    ),
    ['/spec/prune type', '/spec/sourceRef/kind enum', '/spec/targetNamespaces unknown'],
  );
});

test('the fleet goldens: every Application, ApplicationSet and Kustomization with options is valid upstream', async () => {
  let checked = 0;
  for (const g of ['fleet-argocd', 'fleet-flux']) {
    const tree = readTree(join(GOLDEN, g, 'expected'));
    for (const [p, text] of Object.entries(tree)) {
      if (
        !/(^|\/)(argocd|clusters)\/[^/.][^/]*(\/[^/.][^/]*)?\.yaml$/.test(p) ||
        p.endsWith('kustomization.yaml')
      )
        continue;
      assert.equal(await crdErrors(text), [], `${g}: ${p}`);
      checked++;
    }
  }
  // shop's 2 Applications, bookinfo's ApplicationSet; shop's 2 and books' 1 Kustomizations
  assert.is(checked, 6);
});

// ---------------------------------------------------------------------------------------------
// Several projects in one fleet repository.

/** A fleet repository (an empty .git) with projects in their folders, Flux or Argo CD. */
function fleet(projects: Record<string, string>): string {
  const files: Record<string, string> = {};
  for (const [name, output] of Object.entries(projects)) {
    files[`${name}/federation.yaml`] = fed(output, CLUSTERS, null);
    files[`${name}/manifests/a.yaml`] = CM(name);
  }
  const root = project(files);
  mkdirSync(join(root, '.git'));
  return root;
}

test("flux fleet: two projects share clusters/, and neither build touches the other one's files", async () => {
  const out = '  gitops: flux\n  flux: {dir: ../clusters}\n';
  const root = fleet({ shop: out, books: out });
  assert.is((await run(['build'], join(root, 'shop'))).code, 0);
  const shop = readTree(join(root, 'clusters'));
  assert.equal(Object.keys(shop), ['east/shop.yaml', 'west/shop.yaml']);
  assert.is((await run(['build'], join(root, 'books'))).code, 0);
  const both = readTree(join(root, 'clusters'));
  for (const [p, text] of Object.entries(shop)) assert.is(both[p], text, p);
  assert.equal(yamlAt(join(root, 'clusters/east/books.yaml')).metadata.name, 'books');
  // shop loses a cluster: its own Kustomization goes, books' stays; books' --check still passes.
  writeFileSync(join(root, 'shop/federation.yaml'), fed(out, 'clusters:\n  - name: east\n', null));
  assert.is((await run(['build'], join(root, 'shop'))).code, 0);
  assert.not.ok(existsSync(join(root, 'clusters/west/shop.yaml')));
  assert.ok(existsSync(join(root, 'clusters/west/books.yaml')));
  assert.is((await run(['build', '--check'], join(root, 'books'))).code, 0);
  assert.is((await run(['build', '--check'], join(root, 'shop'))).code, 0);
});

test('argocd fleet: default names differ per project; a prefix that makes them meet is an error naming both', async () => {
  const root = fleet({ shop: ARGO, books: ARGO });
  assert.is((await run(['build'], join(root, 'shop'))).code, 0);
  assert.is((await run(['build'], join(root, 'books'))).code, 0);
  assert.is(yamlAt(join(root, 'shop/rendered/argocd/east.yaml')).metadata.name, 'shop-east');
  assert.is(yamlAt(join(root, 'books/rendered/argocd/east.yaml')).metadata.name, 'books-east');
  const before = readTree(root);
  const clash = fed(ARGO.replace('}', ', namePrefix: shop-}'), CLUSTERS, null);
  writeFileSync(join(root, 'books/federation.yaml'), clash);
  const r = await run(['build'], join(root, 'books'));
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /federation\.yaml:\d+:\d+: error: Application argocd\/shop-east is generated by project "shop" \(\.\.\/shop\/federation\.yaml\) too; this project "books" would overwrite it \[OUTPUT_CONFLICT\]/,
  );
  assert.match(r.stderr, /Application argocd\/shop-west is generated by project "shop"/);
  assert.equal(readTree(root), { ...before, 'books/federation.yaml': clash });
});

test("fleet records are not looked for in the project's own cluster folders (a stray copy there is no project)", async () => {
  const root = fleet({ shop: ARGO, books: ARGO });
  assert.is((await run(['build'], join(root, 'books'))).code, 0);
  // A record that would claim books' Application, were it read: it names an existing federation.yaml.
  const stray =
    'apiVersion: fedrender.io/v1alpha1\nkind: Project\nname: ghost\nfederation: ../../../shop/federation.yaml\nobjects:\n- Application argocd/books-east\n';
  writeFileSync(join(root, 'books/rendered/east/.fedrender-project.yaml'), stray);
  const r = await run(['build'], join(root, 'books'));
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, /generated by project/);
  // The same record elsewhere in the repository is read, and the clash reported.
  mkdirSync(join(root, 'books/other'), { recursive: true });
  writeFileSync(
    join(root, 'books/other/.fedrender-project.yaml'),
    stray.replace('../../../shop', '../../shop'),
  );
  const clash = await run(['build'], join(root, 'books'));
  assert.is(clash.code, 1);
  assert.match(clash.stderr, /Application argocd\/books-east is generated by project "ghost"/);
});

test('flux: a Flux-folder record of fedrender 0.1 is taken over, and its Kustomizations replaced', async () => {
  const { dir } = repo(FLUX);
  const legacy =
    '# Written by fedrender: the files it owns in this directory. It deletes only these.\napiVersion: fedrender.io/v1alpha1\nkind: OwnedFiles\nfiles:\n- path: east/fedrender.yaml\n  sha256: x\n- path: west/fedrender.yaml\n  sha256: x\n';
  project(
    {
      'clusters/.fedrender-owned.yaml': legacy,
      'clusters/east/fedrender.yaml': 'old\n',
      'clusters/west/fedrender.yaml': 'old\n',
      'clusters/east/flux-system/x.yaml': 'x: 1\n',
    },
    dir,
  );
  writeFileSync(join(dir, 'federation.yaml'), fed(FLUX, CLUSTERS, 'shop'));
  const r = await run(['build'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.equal(Object.keys(readTree(join(dir, 'clusters'))), [
    'east/flux-system/x.yaml',
    'east/shop.yaml',
    'west/shop.yaml',
  ]);
});

test('applicationset: one ApplicationSet over every cluster, also under --cluster; a mix of servers is an error', async () => {
  const out = ARGO.replace('}', ', mode: applicationset}');
  const both =
    'clusters:\n  - name: east\n    server: https://east.example:6443\n  - name: west\n    server: https://west.example:6443\n';
  const dir = project({ 'federation.yaml': fed(out, both), 'manifests/a.yaml': CM() });
  mkdirSync(join(dir, '.git'));
  const r = await run(['build', '--cluster', 'east'], dir);
  assert.is(r.code, 0, r.stderr);
  assert.equal(Object.keys(readTree(join(dir, 'rendered/argocd'))), [
    'applicationset.yaml',
    'kustomization.yaml',
  ]);
  const set = yamlAt(join(dir, 'rendered/argocd/applicationset.yaml'));
  assert.equal(
    set.spec.generators[0].list.elements.map((e: { cluster: string }) => e.cluster),
    ['east', 'west'],
  );
  assert.is(set.metadata.name, 'fedrender');
  assert.is(set.spec.template.metadata.name, 'fedrender-{{.cluster}}');
  assert.equal(set.spec.template.spec.destination, { server: '{{.server}}' });
  assert.equal(await crdErrors(readFileSync(join(dir, 'rendered/argocd/applicationset.yaml'), 'utf8')), []);
  // No server anywhere: the registered name.
  const none = project({ 'federation.yaml': fed(out), 'manifests/a.yaml': CM() });
  const mixed = await run(['build'], none);
  assert.is(mixed.code, 1);
  assert.match(
    mixed.stderr,
    /federation\.yaml:6:11: error: cluster "west" has no server, but east has one: the ApplicationSet's template has one destination field/,
  );
});

test("argocd sync waves: Namespaces and CRDs in wave -1 by default, an object's own wave kept, {} sets none", async () => {
  const ns = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n';
  const own =
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tools\n  annotations: {argocd.argoproj.io/sync-wave: "-9"}\n';
  const dir = project({
    'federation.yaml': fed(ARGO),
    'manifests/a.yaml': CM(),
    'manifests/ns.yaml': `${ns}---\n${own}`,
  });
  mkdirSync(join(dir, '.git'));
  assert.is((await run(['build'], dir)).code, 0);
  const wave = (p: string) =>
    yamlAt(join(dir, 'rendered/east', p)).metadata.annotations?.['argocd.argoproj.io/sync-wave'];
  assert.is(wave('_cluster/namespace-shop.yaml'), '-1');
  assert.is(wave('_cluster/namespace-tools.yaml'), '-9');
  assert.is(wave('default/configmap-a.yaml'), undefined);
  writeFileSync(join(dir, 'federation.yaml'), fed(ARGO.replace('}', ', syncWaves: {}}')));
  assert.is((await run(['build'], dir)).code, 0);
  assert.is(wave('_cluster/namespace-shop.yaml'), undefined);
  // Flux output never gets them.
  writeFileSync(join(dir, 'federation.yaml'), fed(FLUX));
  assert.is((await run(['build'], dir)).code, 0);
  assert.is(wave('_cluster/namespace-shop.yaml'), undefined);
});

test('GitOps options are checked by the schema at their node', async () => {
  const cases: [string, RegExp][] = [
    [
      '  gitops: argocd\n  argocd: {repoURL: r, syncOptions: [ServerSideApply]}\n',
      /federation\.yaml:11:38: error: \/output\/argocd\/syncOptions\/0: string "ServerSideApply" does not match/,
    ],
    [
      '  gitops: argocd\n  argocd: {repoURL: r, retry: {limit: many}}\n',
      /federation\.yaml:11:39: error: \/output\/argocd\/retry\/limit: expected integer/,
    ],
    [
      '  gitops: argocd\n  argocd: {repoURL: r, ignoreDifferences: [{group: apps}]}\n',
      /error: \/output\/argocd\/ignoreDifferences\/0.*kind/,
    ],
    ['  gitops: argocd\n  argocd: {repoURL: r, mode: appset}\n', /error: \/output\/argocd\/mode/],
    [
      '  gitops: flux\n  flux: {timeout: 3 minutes}\n',
      /federation\.yaml:11:19: error: \/output\/flux\/timeout/,
    ],
    ['  gitops: flux\n  flux: {dependsOn: [{namespace: x}]}\n', /error: \/output\/flux\/dependsOn\/0.*name/],
    [
      '  gitops: flux\n  flux: {postBuild: {substitute: {my-var: x}}}\n',
      /error: \/output\/flux\/postBuild\/substitute/,
    ],
    ['  gitops: flux\n  name: Shop_1\n', /federation\.yaml:11:9: error: \/output\/name/],
  ];
  for (const [output, want] of cases) {
    const { dir } = repo(output, { name: null });
    const r = await run(['build'], dir);
    assert.is(r.code, 1, output);
    assert.match(r.stderr, want, output);
    assert.equal(Object.keys(readTree(dir)), ['federation.yaml', 'manifests/a.yaml'], output);
  }
});

test.run();
