import { LabError } from '../errors.js';
import type { NodePlan } from '../plan/plan.js';
import { renderIptables } from '../render/iptables.js';
import type { Runtime } from '../runtime/runtime.js';
import { readConfigFile } from '../topology/file-ref.js';

/**
 * Loads the node's ruleset with the host's iptables-restore (and ip6tables-restore) inside the
 * node's network namespace: rules live in the namespace, so a docker node's image needs no iptables
 * of its own, and loading and reading counters use one iptables backend.
 */
export async function applyFirewall(runtime: Runtime, n: NodePlan): Promise<void> {
  const sets: { tool: string; text: string; source: string }[] = [];
  if (n.node.iptables) {
    sets.push({ tool: 'iptables-restore', text: await readConfigFile(n.node.iptables, `topology.nodes.${n.node.name}.iptables`), source: n.node.iptables });
  } else if (n.node.firewall) {
    const r = renderIptables(n.node);
    sets.push({ tool: 'iptables-restore', text: r.v4, source: `the ruleset rendered for ${n.node.name}` });
    sets.push({ tool: 'ip6tables-restore', text: r.v6, source: `the IPv6 ruleset rendered for ${n.node.name}` });
  }
  for (const s of sets) {
    const r = await runtime.exec(n, [s.tool], { context: 'net', input: s.text, reject: false, timeoutMs: 20_000 });
    if (r.failed) {
      throw new LabError('runtime', `${s.tool} on ${n.node.name} rejected ${s.source}:\n    ${r.stderr.trim().split('\n').slice(-4).join('\n    ')}`, {
        hint: n.node.iptables ? `fix ${n.node.iptables} (it must be iptables-save output)` : 'this is a bug in asymlab: please report it with the lab file',
      });
    }
  }
}
