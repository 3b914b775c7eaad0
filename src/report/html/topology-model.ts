/**
 * The topology to draw: from report.json's `topology` (revision 2), or, for an older report, from
 * what its packets crossed (nodes and wires seen in the captures). Pure.
 */
import { NO_CAPABILITIES } from '../../kinds/kind.js';
import { kindLike, shapeOfKind } from '../../kinds/registry.js';
import type { ReportTopology } from '../report-extras.js';
import type { ReportFlow } from '../report.js';
import type { DrawLink, TopologyModel } from './model-types.js';

export const linkId = (a: { node: string; iface: string }, b: { node: string; iface: string }): string => {
  const [x, y] = [`${a.node}:${a.iface}`, `${b.node}:${b.iface}`].sort();
  return `${x}--${y}`;
};

/** The flows' clients first, then their servers: the layout reads left to right from them. */
function rootsOf(flows: ReportFlow[], names: Set<string>): string[] {
  return [...new Set(flows.map((f) => f.from))].filter((n) => names.has(n));
}

export function topologyFromReport(topo: ReportTopology, flows: ReportFlow[]): TopologyModel {
  const nodes = topo.nodes.map((n) => ({
    id: n.name,
    kind: n.kind,
    shape: shapeOfKind(n.kind),
    ...(n.group ? { group: n.group } : {}),
    ifaces: n.interfaces.map((i) => ({ name: i.name, addresses: [...i.addresses] })),
    loopbacks: [...n.loopbacks],
  }));
  const links: DrawLink[] = topo.links.map((l) => ({ id: linkId(l.a, l.b), a: { ...l.a }, b: { ...l.b } }));
  return { nodes, links, roots: rootsOf(flows, new Set(nodes.map((n) => n.id))) };
}

/**
 * An older report has no topology: the nodes are those on the flows' paths, the links the wires
 * their packets were seen crossing (out of one node, into the next). Nodes that send or answer
 * flows are drawn as the kind that forwards nothing, the nodes a drop was pinned on by a rule as the
 * kind that logs its drops, others as the kind that only forwards.
 */
export function topologyFromPackets(flows: ReportFlow[]): TopologyModel {
  const names = new Set<string>();
  const ifaces = new Map<string, Map<string, Set<string>>>();
  const addIface = (node: string, iface: string, address?: string) => {
    names.add(node);
    const m = ifaces.get(node) ?? new Map<string, Set<string>>();
    ifaces.set(node, m);
    const s = m.get(iface) ?? new Set<string>();
    m.set(iface, s);
    if (address) s.add(address);
  };
  const links = new Map<string, DrawLink>();
  for (const f of flows) {
    for (const n of [...f.path, ...f.returnPath]) names.add(n);
    for (const p of f.packets) {
      const s = p.sightings;
      for (let i = 0; i < s.length; i++) {
        addIface(s[i].node, s[i].iface, s[i].direction === 'out' ? s[i].src : s[i].dst);
        const next = s[i + 1];
        if (s[i].direction === 'out' && next && next.direction === 'in' && next.node !== s[i].node) {
          const a = { node: s[i].node, iface: s[i].iface };
          const b = { node: next.node, iface: next.iface };
          links.set(linkId(a, b), { id: linkId(a, b), a, b });
        }
      }
    }
  }
  const ends = new Set(flows.flatMap((f) => [f.from, ...f.packets.map((p) => p.origin).filter((o): o is string => !!o)]));
  const walls = new Set(flows.filter((f) => f.drop && ['firewall-rule', 'drop-rule', 'chain-policy'].includes(f.drop.reason)).map((f) => f.drop!.node));
  const like = (id: string) =>
    kindLike(walls.has(id) ? { forwards: true, keepsState: true, logsDrops: true } : ends.has(id) ? NO_CAPABILITIES : { ...NO_CAPABILITIES, forwards: true });
  const nodes = [...names].sort().map((id) => ({
    id,
    kind: like(id),
    shape: shapeOfKind(like(id)),
    ifaces: [...(ifaces.get(id) ?? new Map<string, Set<string>>()).entries()].sort().map(([name, a]) => ({ name, addresses: [...a] })),
    loopbacks: [],
  }));
  return { nodes, links: [...links.values()], roots: rootsOf(flows, names) };
}
