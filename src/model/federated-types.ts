// The federated types: KubeFed's defaults, FederatedTypeConfigs among the inputs read as
// KubeFed read them, then federation.yaml `types`.
import type { Reporter } from '../core/diagnostics.js';
import { isObject } from '../core/cow.js';
import { KUBEFED_TYPES, groupOf } from '../core/kubefed-types.js';
import { posOf } from '../core/source.js';
import type { ParsedDoc } from '../core/yaml-source.js';
import type { FederatedType, FederationConfig } from '../types.js';
import { inputObjects } from './input-objects.js';

/** Federated types keyed `group/Kind` of the federated type, as KubeFed's FTCs key them. */
export type TypeTable = Map<string, FederatedType>;

export function typeKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}

/**
 * KubeFed's default types, then FederatedTypeConfigs among the inputs as KubeFed reads them
 * (SetFederatedTypeConfigDefaults: targetType.group from the FTC's name after the first dot;
 * Namespaced only when targetType.scope says so), then federation.yaml `types`.
 */
export function federatedTypes(
  docs: readonly ParsedDoc[],
  config: FederationConfig,
  reporter: Reporter,
): TypeTable {
  const types: TypeTable = new Map();
  for (const t of KUBEFED_TYPES) types.set(typeKey(t.federatedGroup, t.federatedKind), t);
  for (const { value: v, at } of inputObjects(docs, undefined)) {
    if (v.kind !== 'FederatedTypeConfig' || typeof v.apiVersion !== 'string') continue;
    if (groupOf(v.apiVersion) !== 'core.kubefed.io') continue;
    const spec = isObject(v.spec) ? v.spec : {};
    const target = isObject(spec.targetType) ? spec.targetType : {};
    const fed = isObject(spec.federatedType) ? spec.federatedType : {};
    if (
      typeof fed.kind !== 'string' ||
      typeof target.kind !== 'string' ||
      typeof target.version !== 'string'
    ) {
      reporter.error(
        'UNKNOWN_TYPE',
        posOf(at, isObject(v.spec) ? ['spec'] : []),
        'a FederatedTypeConfig needs spec.targetType.kind, spec.targetType.version and spec.federatedType.kind',
      );
      continue;
    }
    const name = isObject(v.metadata) && typeof v.metadata.name === 'string' ? v.metadata.name : '';
    const dot = name.indexOf('.');
    const targetGroup =
      typeof target.group === 'string' && target.group !== ''
        ? target.group
        : dot < 0
          ? ''
          : name.slice(dot + 1);
    const federatedGroup = typeof fed.group === 'string' ? fed.group : '';
    types.set(typeKey(federatedGroup, fed.kind), {
      federatedKind: fed.kind,
      federatedGroup,
      apiVersion: targetGroup ? `${targetGroup}/${target.version}` : target.version,
      kind: target.kind,
      scope: target.scope === 'Namespaced' ? 'Namespaced' : 'Cluster',
      ...(spec.propagation === 'Disabled' ? { disabled: true } : {}),
      ref: at,
    });
  }
  for (const t of config.types) types.set(typeKey(t.federatedGroup, t.federatedKind), t);
  return types;
}
