// KubeFed objects are checked against their schemas right after loading, before the model and
// placement read them: one mistake gives one message, and a value of the wrong shape never
// reaches placement or scheduling.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/index.js';
import { federatedDeployment, FEDERATED_NAMESPACE, project } from './helpers.js';

const FED = `apiVersion: fedrender.io/v1alpha1
kind: Federation
clusters: [{name: a, labels: {tier: web}}, {name: b}]
resources: [k/*.yaml]
`;

const FNS = FEDERATED_NAMESPACE;
const FDEPLOY = federatedDeployment('{clusters: [{name: a}, {name: b}]}');

async function diagnostics(files: Record<string, string>): Promise<string[]> {
  const dir = project({ 'federation.yaml': FED, 'k/ns.yaml': FNS, ...files });
  const c = await compile({ config: 'federation.yaml', cwd: dir });
  return c.reporter.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}`);
}

function rsp(spec: string): string {
  return `apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata: {name: web, namespace: shop}
${spec}`;
}

test('an RSP totalReplicas of the wrong type is one schema error, not also RSP_INVALID', async () => {
  const got = await diagnostics({
    'k/web.yaml': FDEPLOY,
    'k/rsp.yaml': rsp('spec: {targetKind: FederatedDeployment, totalReplicas: ten}\n'),
  });
  assert.equal(got, ['k/rsp.yaml:4:56 error SCHEMA']);
});

test('an RSP without spec, or with preferences that are not maps, is one schema error each', async () => {
  assert.equal(await diagnostics({ 'k/web.yaml': FDEPLOY, 'k/rsp.yaml': rsp('') }), [
    'k/rsp.yaml:1:1 error SCHEMA',
  ]);
  const got = await diagnostics({
    'k/web.yaml': FDEPLOY,
    'k/rsp.yaml': rsp('spec:\n  targetKind: FederatedDeployment\n  totalReplicas: 3\n  clusters: {a: 5}\n'),
  });
  assert.equal(got, ['k/rsp.yaml:7:17 error SCHEMA']);
});

test('what the RSP schema leaves open is still checked, once: a negative count', async () => {
  const got = await diagnostics({
    'k/web.yaml': FDEPLOY,
    'k/rsp.yaml': rsp('spec: {targetKind: FederatedDeployment, totalReplicas: -1}\n'),
  });
  assert.equal(got, ['k/rsp.yaml:4:56 error RSP_INVALID']);
});

test('a Federated<Kind> whose template is not a mapping is one schema error', async () => {
  const got = await diagnostics({
    'k/web.yaml':
      'apiVersion: types.kubefed.io/v1beta1\nkind: FederatedConfigMap\nmetadata: {name: cfg, namespace: shop}\nspec:\n  template: 5\n  placement: {clusterSelector: {}}\n',
  });
  assert.equal(got, ['k/web.yaml:5:13 error SCHEMA']);
});

test('a placement with a schema error places nowhere, with that error only (no NO_PLACEMENT)', async () => {
  const got = await diagnostics({
    'k/web.yaml':
      'apiVersion: types.kubefed.io/v1beta1\nkind: FederatedConfigMap\nmetadata: {name: cfg, namespace: shop}\nspec:\n  template: {data: {a: b}}\n  placement: {clusterSelector: -1}\n',
  });
  assert.equal(got, ['k/web.yaml:6:32 error SCHEMA']);
});

test.run();
