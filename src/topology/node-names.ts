/**
 * containerlab's node names (`PC1`, `leaf_1`, `spine.a`) in a lab whose resources need names of
 * asymlab's shape: each node's resource name is derived (safeNodeName), and a name that cannot be
 * derived, or two that become one, is a problem naming both as the user wrote them. Pure.
 */
import type { InputProblem } from '../errors.js';
import { CLAB_NODE_NAME_HINT, CLAB_NODE_NAME_RE, NAME_HINT, NAME_RE, safeNodeName } from './names.js';
import type { LabNode } from './types.js';

export function containerlabNameProblems(lab: string, nodes: LabNode[]): InputProblem[] {
  const out: InputProblem[] = [];
  const taken = new Map<string, string>();
  for (const n of nodes) {
    const path = `topology.nodes.${n.name}`;
    if (!CLAB_NODE_NAME_RE.test(n.name)) {
      out.push({ path, message: `node name '${n.name}' is not allowed`, hint: CLAB_NODE_NAME_HINT });
      continue;
    }
    const safe = safeNodeName(n.name);
    if (!NAME_RE.test(safe)) {
      out.push({ path, message: `node name '${n.name}' cannot name its resources (as '${safe}')`, hint: `rename it so that, in lowercase with '_' and '.' as '-', it ${NAME_HINT.replace(/^use/, 'uses')}` });
      continue;
    }
    const other = taken.get(safe);
    if (other !== undefined) {
      out.push({ path, message: `node names '${other}' and '${n.name}' both become asymlab_${lab}_${safe} once made safe for resource names`, hint: `rename one of them: names that differ only in case, '_', '.' or '-' collide` });
    } else taken.set(safe, n.name);
  }
  return out;
}
