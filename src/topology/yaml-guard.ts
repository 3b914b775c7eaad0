import { isAlias, isMap, isScalar, isSeq, type Alias, type Document, type Node } from 'yaml';
import type { InputProblem } from '../errors.js';

/**
 * Checks on the parsed YAML before it becomes data, in one pass over the document (so linear in
 * its size): keys written twice in a mapping, aliases that expand the document far beyond its own
 * size (an "alias bomb") or into themselves, nesting deeper than any lab needs.
 *
 * yaml's own checks are off: its duplicate-key check compares each key with every earlier one of
 * its mapping (quadratic: a 50 MB lab did not finish in 270 s), and its alias limit (maxAliasCount)
 * counts uses of an anchor, so a flat anchor used 101 times already fails. This measures what
 * matters instead: how many nodes the aliases add.
 */

/** No lab nests anywhere near this deep (topology.nodes.X.firewall.allow[0].dst is 7). */
export const MAX_YAML_DEPTH = 64;

/** Aliases may add at most this many nodes, plus four times the document's own node count. */
const ALIAS_BUDGET_NODES = 100_000;
const ALIAS_BUDGET_FACTOR = 4;

type Ranged = { range?: [number, number, number] | null };

export interface YamlGuardResult {
  problems: InputProblem[];
  /** Each alias's anchored node, as YAML resolves it (the latest anchor of that name before it). */
  aliasTargets: Map<Alias, Node>;
}

/** `linePos` turns a character offset into a line and column (yaml's LineCounter). */
export function guardYaml(doc: Document, file: string, linePos: (offset: number) => { line: number; col: number }): YamlGuardResult {
  const problems: InputProblem[] = [];
  const aliasTargets = new Map<Alias, Node>();
  // anchor name -> the node, and its expanded size once it is complete (undefined while inside it)
  const anchors = new Map<string, { node: Node; size?: number }>();
  let sourceNodes = 0;
  let addedNodes = 0;
  let worst: { alias: Alias; size: number } | undefined;
  let tooDeep = false;
  const pos = (n: unknown) => linePos((n as Ranged).range?.[0] ?? 0);
  const at = (n: unknown) => `${file}:${pos(n).line}:${pos(n).col}`;
  const count = (n: number) => (n < 1e9 ? String(n) : n.toExponential(1));

  const walk = (node: unknown, depth: number): number => {
    if (node === null || node === undefined) return 0;
    sourceNodes++;
    if (depth > MAX_YAML_DEPTH) {
      if (!tooDeep) problems.push({ file: at(node), path: '', message: `YAML nests deeper than ${MAX_YAML_DEPTH} levels`, hint: 'a lab file needs a handful of levels' });
      tooDeep = true;
      return 1;
    }
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) return 1; // yaml reports an alias without its anchor itself
      aliasTargets.set(node, target.node);
      if (target.size === undefined) {
        problems.push({ file: at(node), path: '', message: `YAML: alias *${node.source} is inside the node it names`, hint: 'an alias cannot contain itself' });
        return 1;
      }
      addedNodes += target.size;
      if (!worst || target.size > worst.size) worst = { alias: node, size: target.size };
      return target.size;
    }
    const anchor = (node as { anchor?: string }).anchor;
    const entry = anchor ? { node: node as Node, size: undefined as number | undefined } : undefined;
    if (anchor && entry) anchors.set(anchor, entry);
    let size = 1;
    if (isMap(node)) {
      const seen = new Map<string, unknown>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          // compared as the data will hold them: 1 and "1" are the same key there
          const key = String(pair.key.value);
          const first = seen.get(key);
          if (first) problems.push({ file: at(pair.key), path: '', message: `YAML: Map keys must be unique: '${key}' is already on line ${pos(first).line}`, hint: 'write each key once' });
          else seen.set(key, pair.key);
        }
        size += walk(pair.key, depth + 1) + walk(pair.value, depth + 1);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) size += walk(item, depth + 1);
    }
    if (entry) entry.size = size;
    return size;
  };
  walk(doc.contents, 0);

  const budget = ALIAS_BUDGET_NODES + ALIAS_BUDGET_FACTOR * sourceNodes;
  if (worst && addedNodes > budget) {
    problems.push({
      file: at(worst.alias),
      path: '',
      message: `YAML aliases add ${count(addedNodes)} nodes to a document of ${sourceNodes}; at most ${budget} are allowed (this alias *${worst.alias.source} alone adds ${count(worst.size)})`,
      hint: 'an alias bomb? write the values out, or use fewer aliases of smaller nodes',
    });
  }
  return { problems, aliasTargets };
}
