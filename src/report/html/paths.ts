/**
 * A flow's forward and return paths as wires of the topology, and its drop mark. The wires come
 * from the captures (out of one interface, into the next), so two links between the same two
 * nodes are told apart; without sightings, from the verdict's node paths. Pure.
 */
import type { PacketTrace } from '../../analysis/types.js';
import type { ReportFlow } from '../report.js';
import type { DropMark, PathHop, PathOverlay, TopologyModel } from './model-types.js';
import { splitCopies, type Peers } from './copies.js';
import { linkId } from './topology-model.js';

/** The wires a packet's copies crossed, in the order first crossed, each once. */
export function wiresOf(trace: PacketTrace | undefined, peers: Peers): PathHop[] {
  const out: PathHop[] = [];
  const seen = new Set<string>();
  for (const s of splitCopies(trace?.sightings ?? [], peers)) {
    for (let i = 0; i + 1 < s.length; i++) {
      const [a, b] = [s[i], s[i + 1]];
      if (a.direction !== 'out' || b.direction !== 'in' || a.node === b.node) continue;
      const key = `${a.node}:${a.iface}>${b.node}:${b.iface}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ link: null, from: a.node, fromIface: a.iface, to: b.node, toIface: b.iface });
    }
  }
  return out;
}

/** Consecutive nodes of a node path as hops, each on a link between the two when there is one. */
function hopsOfNodes(nodes: string[], topo: TopologyModel): PathHop[] {
  const hops: PathHop[] = [];
  for (let i = 0; i + 1 < nodes.length; i++) {
    const [from, to] = [nodes[i], nodes[i + 1]];
    const l = topo.links.find((x) => (x.a.node === from && x.b.node === to) || (x.a.node === to && x.b.node === from));
    if (!l) hops.push({ link: null, from, to });
    else {
      const [f, t] = l.a.node === from ? [l.a, l.b] : [l.b, l.a];
      hops.push({ link: l.id, from, fromIface: f.iface, to, toIface: t.iface });
    }
  }
  return hops;
}

/** Hops with their link: the exact wire when the topology has it, else any link between the nodes. */
function placeOnLinks(hops: PathHop[], topo: TopologyModel): PathHop[] {
  const ids = new Set(topo.links.map((l) => l.id));
  return hops.map((h) => {
    if (h.fromIface && h.toIface) {
      const id = linkId({ node: h.from, iface: h.fromIface }, { node: h.to, iface: h.toIface });
      if (ids.has(id)) return { ...h, link: id };
    }
    return { ...hopsOfNodes([h.from, h.to], topo)[0], ...(h.fromIface ? { fromIface: h.fromIface } : {}), ...(h.toIface ? { toIface: h.toIface } : {}) };
  });
}

/** The first packet of a direction, as the verdict's paths are those of the SYN and the SYN-ACK. */
function firstOf(flow: ReportFlow, direction: 'forward' | 'return'): PacketTrace | undefined {
  const ps = flow.packets.filter((p) => p.direction === direction && p.sightings.length > 0);
  const first = direction === 'forward' ? 'SYN' : 'SYN-ACK';
  return ps.find((p) => p.label === first) ?? ps[0];
}

export function dropMark(flow: ReportFlow): DropMark | null {
  const node = flow.drop?.node ?? (flow.result !== 'delivered' ? flow.at : null);
  if (!node) return null;
  return { node, ...(flow.drop?.iface ? { iface: flow.drop.iface } : {}), cause: flow.summary };
}

export function pathOverlay(flow: ReportFlow, topo: TopologyModel, peers: Peers): PathOverlay {
  const along = (direction: 'forward' | 'return', nodes: string[]) => {
    const wires = wiresOf(firstOf(flow, direction), peers);
    return wires.length ? placeOnLinks(wires, topo) : hopsOfNodes(nodes, topo);
  };
  return { flow: flow.name, forward: along('forward', flow.path), back: along('return', flow.returnPath), drop: dropMark(flow) };
}
