// Folder names fedrender reserves inside the output directory, beside the cluster folders. The
// load stage checks cluster names against them and the emit stage writes into them, so they
// live here rather than in either stage.

/** `<output>/argocd/`: the Argo CD Applications (output.gitops: argocd). */
export const ARGOCD_DIR = 'argocd';

/** `<output>/_shared/`: objects alike in several clusters (output.layout: shared). */
export const SHARED_DIR = '_shared';
