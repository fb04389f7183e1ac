// Stage validate: rendered objects -> diagnostics. Policy checks that hold for every object
// that lands in git: plain Secrets with data are refused unless output.allowSecrets.
import type { Reporter } from '../core/diagnostics.js';
import { checkNames } from './names.js';
import { isObject } from '../core/cow.js';
import { posOf } from '../core/source.js';
import type { ParsedDoc } from '../core/yaml-source.js';
import type { Model } from '../model/build-model.js';
import type { FederationConfig, RenderedObject } from '../types.js';

export function validateRendered(
  rendered: readonly RenderedObject[],
  model: Model,
  config: FederationConfig,
  _docs: readonly ParsedDoc[],
  reporter: Reporter,
): void {
  refuseSecrets(model, config, reporter);
  checkNames(rendered, reporter);
}

/** Rendered output is committed to git: a Secret's data would be published with it. */
function refuseSecrets(model: Model, config: FederationConfig, reporter: Reporter): void {
  if (config.output.allowSecrets) return;
  for (const r of model.resources) {
    if (r.id.kind !== 'Secret' || r.id.group !== '') continue;
    const field = ['data', 'stringData'].find((f) => isObject(r.body[f]) && Object.keys(r.body[f] as object).length > 0);
    if (!field) continue;
    const message = `Secret ${r.id.namespace}/${r.id.name} has ${field}; rendered output is committed to git, so Secrets are refused`;
    const hint = 'use a SealedSecret / ExternalSecret, or set output.allowSecrets: true';
    if (r.origin === 'plain') reporter.error('SECRET_REFUSED', posOf(r.bodyRef, [field], { key: true }), message, hint);
    else reporter.warning('SECRET_REFUSED', posOf(r.bodyRef, [field], { key: true }), `${message.replace(', so Secrets are refused', '')}: it will be published in git`, hint);
  }
}
