/**
 * The host programs a lab needs, from the services its plan runs: ip and tcpdump for every lab,
 * each firewall backend's tools, conntrack where a node keeps connection state, and FRR's: vtysh
 * and the daemons on the host (netns), or vtysh alone to check raw configs (docker: FRR is in the image).
 */
import type { LabPlan } from './plan.js';

export function hostTools(plan: LabPlan, frr: 'on-host' | 'in-image'): string[] {
  const tools = new Set(['ip', 'tcpdump']);
  for (const n of plan.nodes) {
    for (const t of n.firewall?.backend.tools ?? []) tools.add(t);
    if (n.capabilities.keepsState) tools.add('conntrack');
  }
  const daemons = new Set(plan.nodes.flatMap((n) => n.daemons));
  if (frr === 'on-host' && daemons.size) for (const t of ['vtysh', ...[...daemons].map((d) => `/usr/lib/frr/${d}`)]) tools.add(t);
  if (frr === 'in-image' && plan.nodes.some((n) => n.node.frrConfig)) tools.add('vtysh');
  return [...tools];
}
