// Bounds on a parsed YAML document before it becomes a plain value: an alias must follow its
// anchor and not sit inside it, a key must be a scalar, and aliases may not blow a small file up into a huge value
// (billion laughs). `yaml`'s own guard (maxAliasCount) throws from toJS and counts every alias
// of a large, honest document; this walk measures what the aliases actually expand to instead,
// and says where, so toJS can then run unguarded.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';

/** Limits, documented in the README (Inputs). */
export const YAML_LIMITS = {
  /** Nesting of mappings and sequences; deep enough for any CRD schema. */
  maxDepth: 256,
  /** Aliases in one document. */
  maxAliases: 10_000,
  /** Nodes that aliases add once expanded (each alias counts its anchor's whole subtree). */
  maxAliasedNodes: 100_000,
};

export interface ShapeProblem {
  code: 'YAML_ALIAS' | 'YAML_LIMIT' | 'YAML_SYNTAX';
  /** Offset in the file's text of the node at fault. */
  offset: number;
  message: string;
}

/** The first reason `doc` cannot safely become a plain value, or undefined. */
export function checkDocumentShape(doc: Document, limits = YAML_LIMITS): ShapeProblem | undefined {
  const anchors = new Map<string, Node>();
  // Expanded size of every finished node, so an alias costs its anchor's full size.
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  let aliases = 0;
  let aliased = 0;
  let problem: ShapeProblem | undefined;
  const at = (node: Node): number => node.range?.[0] ?? 0;

  // Document order, as `yaml` resolves an alias: the last anchor of that name before it.
  const visit = (node: unknown, depth: number): number => {
    if (problem || node === null || node === undefined) return 0;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) {
        problem = {
          code: 'YAML_ALIAS',
          offset: at(node),
          message: `alias *${node.source} has no anchor &${node.source} before it`,
        };
        return 0;
      }
      if (open.has(target)) {
        problem = {
          code: 'YAML_ALIAS',
          offset: at(node),
          message: `alias *${node.source} is inside its own anchor &${node.source} (a recursive value)`,
        };
        return 0;
      }
      const size = sizes.get(target) ?? 1;
      aliases += 1;
      aliased += size;
      if (aliases > limits.maxAliases) {
        problem = {
          code: 'YAML_LIMIT',
          offset: at(node),
          message: `more than ${limits.maxAliases} aliases in one document`,
        };
      } else if (aliased > limits.maxAliasedNodes) {
        problem = {
          code: 'YAML_LIMIT',
          offset: at(node),
          message: `aliases expand this document by more than ${limits.maxAliasedNodes} nodes (an alias bomb?)`,
        };
      }
      return size;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (isScalar(node)) {
      if (anchor) anchors.set(anchor, node);
      sizes.set(node, 1);
      return 1;
    }
    if (isMap(node) || isSeq(node)) {
      if (depth > limits.maxDepth) {
        problem = {
          code: 'YAML_LIMIT',
          offset: at(node),
          message: `mappings and sequences nest more than ${limits.maxDepth} levels deep`,
        };
        return 0;
      }
      if (anchor) anchors.set(anchor, node);
      open.add(node);
      let size = 1;
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          size += visit(item.key, depth + 1) + visit(item.value, depth + 1);
          const written: unknown = item.key;
          const key = isAlias(written) ? anchors.get(written.source) : written;
          // JSON (and so Kubernetes) keys are strings; yaml would stringify a collection.
          if (
            !problem &&
            (isMap(key) || isSeq(key)) &&
            (isAlias(written) || isMap(written) || isSeq(written))
          )
            problem = {
              code: 'YAML_SYNTAX',
              offset: at(written),
              message: `a mapping key must be a scalar, found a ${isMap(key) ? 'mapping' : 'sequence'}`,
            };
        } else size += visit(item, depth + 1);
      }
      open.delete(node);
      sizes.set(node, size);
      return size;
    }
    return 1;
  };
  visit(doc.contents, 0);
  return problem;
}
