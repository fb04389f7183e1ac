// Which JSON Schema applies to an apiVersion/kind, compiled once per run and only for kinds
// actually present. Sources, first hit wins: validation.schemaLocations (kubeconform / Datree
// layouts the user already pins), CRDs (validation.crds and CRDs among the inputs), fedrender's
// own KubeFed schemas, the pinned built-in Kubernetes set for validation.kubernetesVersion, then
// the well-known custom resources shipped with fedrender (well-known-crds.ts).
import type { ValidateFunction } from 'ajv';
import { compileCached } from '../core/ajv.js';
import {
  availableKubernetesVersions,
  definitionSchema,
  kindSchema,
  loadKubernetesSchemas,
  type KubernetesSchemaSet,
} from '../core/k8s-schemas.js';
import { readPackageSchema } from '../core/package-files.js';
import { wellKnownKinds } from '../core/well-known-kinds.js';
import type { CrdSchema } from './crd-schemas.js';
import { findSchemaInLocations } from './schema-locations.js';
import type { WellKnownSchema } from './well-known-crds.js';

export interface SchemaHit {
  validate: ValidateFunction;
  /** Where the schema comes from, for messages: `Kubernetes 1.32`, `CRD crontabs.stable.example.com`. */
  source: string;
  /** A CRD's schema: its CEL rules (x-kubernetes-validations), compiled when first asked for. */
  crd?: CrdSchema;
  /** A built-in kind's schema: metadata is ObjectMeta, whose labels and annotations are string maps. */
  builtin?: true;
}

export interface RegistryOptions {
  kubernetesVersion: string;
  strict: boolean;
  schemaLocations: readonly string[];
  baseDir: string;
  crds: Map<string, CrdSchema>;
  /** Schemas of well-known custom resources (well-known-crds.ts), preloaded for the kinds present. */
  wellKnown?: Map<string, WellKnownSchema>;
  /** A schema location that could not be used (unreadable file, network location). */
  onLocationProblem?: (location: string, message: string) => void;
}

const KUBEFED_SCHEMAS: Record<string, string> = {
  'types.kubefed.io/v1beta1': 'schemas/kubefed/federated-object.schema.json',
  'scheduling.kubefed.io/v1alpha1/ReplicaSchedulingPreference':
    'schemas/kubefed/replica-scheduling-preference.schema.json',
};

/** Built-in kinds compile once per process: the bundles never change under a running process. */
const builtinCache = new Map<string, ValidateFunction | null>();

export class SchemaRegistry {
  readonly set: KubernetesSchemaSet | undefined;
  private readonly cache = new Map<string, SchemaHit | null>();

  constructor(private readonly opts: RegistryOptions) {
    this.set = loadKubernetesSchemas(opts.kubernetesVersion);
  }

  lookup(apiVersion: string, kind: string): SchemaHit | undefined {
    const key = `${apiVersion}/${kind}`;
    let hit = this.cache.get(key);
    if (hit === undefined) {
      hit = this.resolve(apiVersion, kind) ?? null;
      this.cache.set(key, hit);
    }
    return hit ?? undefined;
  }

  /** Other apiVersions the built-in set knows this kind under (for "removed API" hints). */
  alternatives(kind: string): string[] {
    if (!this.set) return [];
    return [...this.set.kinds.keys()]
      .filter((k) => k.endsWith(`/${kind}`))
      .map((k) => k.slice(0, -kind.length - 1))
      .sort();
  }

  /** Kind -> the apiVersions it is known under (built-ins, CRDs, shipped CRDs), for did-you-mean. */
  knownKinds(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const keys = [...(this.set?.kinds.keys() ?? []), ...this.opts.crds.keys(), ...wellKnownKinds()];
    for (const key of new Set(keys)) {
      const slash = key.lastIndexOf('/');
      const kind = key.slice(slash + 1);
      out.set(kind, [...(out.get(kind) ?? []), key.slice(0, slash)]);
    }
    return out;
  }

  /** ObjectMeta of the built-in set, for the metadata of custom resources: validates `{ metadata }`. */
  objectMetaValidator(): ValidateFunction | undefined {
    if (!this.set) return undefined;
    const cacheKey = `${this.set.kubernetesVersion}|${this.opts.strict}|ObjectMeta`;
    let validate = builtinCache.get(cacheKey);
    if (validate === undefined) {
      const schema = definitionSchema(this.set, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        strict: this.opts.strict,
      });
      // Checks `{metadata}`, so errors carry the paths they have in the object (/metadata/...).
      const wrapper = schema && {
        type: 'object',
        properties: { metadata: { $ref: schema.$ref } },
        definitions: schema.definitions,
      };
      validate = wrapper ? compileCached(wrapper) : null;
      builtinCache.set(cacheKey, validate);
    }
    return validate ?? undefined;
  }

  private resolve(apiVersion: string, kind: string): SchemaHit | undefined {
    const { strict } = this.opts;
    if (this.opts.schemaLocations.length) {
      const found = findSchemaInLocations(
        this.opts.schemaLocations,
        this.opts.baseDir,
        { kubernetesVersion: this.opts.kubernetesVersion, strict, apiVersion, kind },
        this.opts.onLocationProblem,
      );
      if (found) return { validate: compileCached(found.schema), source: found.file };
    }
    const crd = this.opts.crds.get(key3(apiVersion, kind));
    if (crd) return { validate: compileCached(crd.schema), source: `CRD of ${kind}`, crd };
    const own =
      KUBEFED_SCHEMAS[`${apiVersion}/${kind}`] ??
      (kind.startsWith('Federated') ? KUBEFED_SCHEMAS[apiVersion] : undefined);
    if (own) {
      const schema = readPackageSchema(own);
      return {
        validate: compileCached(schema),
        source: 'fedrender KubeFed schemas',
      };
    }
    const builtin = this.builtin(apiVersion, kind);
    if (builtin) return builtin;
    // Last: a user's CRD or schemaLocations always win over the shipped well-known schemas.
    const known = this.opts.wellKnown?.get(`${apiVersion}/${kind}`);
    if (!known) return undefined;
    if ('validate' in known) return known;
    return { validate: compileCached(known.crd.schema), source: known.source, crd: known.crd };
  }

  private builtin(apiVersion: string, kind: string): SchemaHit | undefined {
    const { strict } = this.opts;
    if (!this.set) return undefined;
    const cacheKey = `${this.set.kubernetesVersion}|${strict}|${apiVersion}/${kind}`;
    let validate = builtinCache.get(cacheKey);
    if (validate === undefined) {
      const schema = kindSchema(this.set, apiVersion, kind, { strict });
      validate = schema ? compileCached(schema) : null;
      builtinCache.set(cacheKey, validate);
    }
    return validate
      ? { validate, source: `Kubernetes ${this.set.kubernetesVersion}`, builtin: true }
      : undefined;
  }
}

function key3(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/**
 * The shipped version to use: the one asked for, else (unset) the newest, else the nearest
 * shipped minor (reported by the caller).
 */
export function pickKubernetesVersion(requested: string): { version: string; exact: boolean } {
  const shipped = availableKubernetesVersions();
  if (!requested) return { version: shipped[shipped.length - 1]!, exact: true };
  const m = /^v?(\d+)\.(\d+)/.exec(requested);
  const minor = m ? Number(m[2]) : NaN;
  const exact = shipped.find((v) => v === `${m?.[1]}.${m?.[2]}`);
  if (exact) return { version: exact, exact: true };
  const nearest = [...shipped].sort(
    (a, b) =>
      Math.abs(Number(a.split('.')[1]) - minor) - Math.abs(Number(b.split('.')[1]) - minor) ||
      (a < b ? 1 : -1),
  )[0]!;
  return { version: nearest, exact: false };
}
