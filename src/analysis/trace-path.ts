/**
 * Orders the sightings of one packet into the path it took. Time alone is not enough: the two
 * ends of a veth stamp the same frame within a microsecond of each other, often equally. So the
 * path is walked along the links instead: from the node that sent it, out of an interface, into
 * the node at the other end of that link, and on; time only breaks ties and places the leftovers.
 */
import type { AnalysisLab } from './lab-index.js';
import type { Sighting } from './types.js';

export interface TracedPath {
  /** Sightings in hop order (time, then position on the path, then in before out). */
  sightings: Sighting[];
  /** Nodes in the order the packet crossed them, each once. */
  nodes: string[];
  origin?: string;
  lastNode?: string;
  /** Interface the packet entered lastNode by. */
  lastIface?: string;
  /** Whether it left lastNode (out of some interface) without being seen at the other end. */
  leftLastNode: boolean;
  /** Where it reached a node owning its destination address and stayed there. */
  deliveredAt?: string;
  /** Where it stayed at a node owning its destination that is not the end it was for (a shared address, a reply kept by a NAT address's owner). */
  keptAt?: string;
}

function firstTs(sightings: Sighting[], node: string): number {
  return Math.min(...sightings.filter((s) => s.node === node).map((s) => s.ts));
}

/** The sender: a node it left without having entered, earliest first; else the first seen. */
function originOf(sightings: Sighting[]): string | undefined {
  const byTime = [...sightings].sort((a, b) => a.ts - b.ts);
  const entered = new Set(byTime.filter((s) => s.direction === 'in').map((s) => s.node));
  return byTime.find((s) => s.direction === 'out' && !entered.has(s.node))?.node ?? byTime[0]?.node;
}

/**
 * `expectedEnd` is the node the packet is for: the server (forward) or the client (return). A
 * packet that stays at another owner of its destination is kept there, not delivered: an address
 * several nodes share reached the wrong one, or a reply reached the owner of a NAT address instead
 * of the client behind it.
 */
export function tracePath(raw: Sighting[], lab: AnalysisLab, expectedOrigin?: string, expectedEnd?: { node: string; reply: boolean }): TracedPath {
  if (raw.length === 0) return { sightings: [], nodes: [], leftLastNode: false };
  const seen = new Set(raw.map((s) => s.node));
  // The expected sender, unless the packet entered it: then it only forwarded it (a DNAT'd address's
  // owner passing on a RST the host behind it sent).
  const expected = expectedOrigin && seen.has(expectedOrigin) && !raw.some((s) => s.node === expectedOrigin && s.direction === 'in');
  const origin = expected ? expectedOrigin : originOf(raw);
  const nodes: string[] = [];
  let cur = origin;
  while (cur && !nodes.includes(cur)) {
    nodes.push(cur);
    const outs = raw.filter((s) => s.node === cur && s.direction === 'out').sort((a, b) => a.ts - b.ts);
    let next: string | undefined;
    for (const o of outs) {
      const p = lab.peer(o.node, o.iface);
      if (p && seen.has(p.node) && !nodes.includes(p.node)) {
        next = p.node;
        break;
      }
    }
    cur = next;
  }
  // Nodes the walk could not reach (a capture missing upstream): place them by first sighting.
  const rest = [...seen].filter((n) => !nodes.includes(n)).sort((a, b) => firstTs(raw, a) - firstTs(raw, b));
  nodes.push(...rest);

  const pos = new Map(nodes.map((n, i) => [n, i]));
  const sightings = [...raw].sort(
    (a, b) => a.ts - b.ts || pos.get(a.node)! - pos.get(b.node)! || (a.direction === b.direction ? 0 : a.direction === 'in' ? -1 : 1),
  );

  const lastNode = nodes[nodes.length - 1];
  const atLast = sightings.filter((s) => s.node === lastNode);
  const lastIface = atLast.find((s) => s.direction === 'in')?.iface;
  const leftLastNode = atLast.some((s) => s.direction === 'out');

  let deliveredAt: string | undefined;
  let keptAt: string | undefined;
  for (const s of sightings) {
    if (s.direction !== 'in' || !lab.owns(s.node, s.dst)) continue;
    const forwardedOn = sightings.some((o) => o.node === s.node && o.direction === 'out' && o.ts >= s.ts);
    if (forwardedOn) continue;
    const elsewhere = expectedEnd && s.node !== expectedEnd.node && (expectedEnd.reply || lab.ownersOf(s.dst).length > 1);
    if (elsewhere) keptAt = s.node;
    else deliveredAt = s.node;
    break;
  }
  return {
    sightings,
    nodes,
    ...(origin ? { origin } : {}),
    ...(lastNode ? { lastNode } : {}),
    ...(lastIface ? { lastIface } : {}),
    leftLastNode,
    ...(deliveredAt ? { deliveredAt } : {}),
    ...(keptAt ? { keptAt } : {}),
  };
}
