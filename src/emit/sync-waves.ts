// Argo CD sync waves per kind (output.argocd.syncWaves): the annotation
// `argocd.argoproj.io/sync-wave` on the rendered objects. Argo CD applies lower waves first and
// waits for them to be healthy; unannotated objects are in wave 0. Pure: returns new objects.
import { isObject } from '../core/cow.js';
import type { JsonObject, RenderedObject } from '../types.js';

export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

export function withSyncWaves(
  rendered: readonly RenderedObject[],
  waves: Readonly<Record<string, number>>,
): RenderedObject[] {
  return rendered.map((o) => {
    const wave = Object.hasOwn(waves, o.resource.id.kind) ? waves[o.resource.id.kind] : undefined;
    const meta = isObject(o.body.metadata) ? o.body.metadata : {};
    const annotations = isObject(meta.annotations) ? meta.annotations : {};
    // An object's own annotation wins; a SOPS document must stay byte for byte as written.
    if (wave === undefined || SYNC_WAVE in annotations || 'sops' in o.body) return o;
    const body: JsonObject = {
      ...o.body,
      metadata: { ...meta, annotations: { ...annotations, [SYNC_WAVE]: String(wave) } },
    };
    return { ...o, body };
  });
}
