/**
 * A packet trace holds the sightings of every copy of the packet (retransmissions share it), in
 * time order. To draw each copy's journey the sightings are split back into copies: a sighting
 * continues the copy whose last sighting leads to it (into a node then out of it, or out of an
 * interface then into the interface at the other end of its link), oldest copy first; any other
 * sighting starts a new copy. Copies with an IPv4 id only continue copies with the same id. Pure.
 */
import type { Sighting } from '../../analysis/types.js';

/** `node:iface` → the `node:iface` at the other end of its link. */
export type Peers = Map<string, string>;

export function peersOf(links: { a: { node: string; iface: string }; b: { node: string; iface: string } }[]): Peers {
  const m: Peers = new Map();
  for (const l of links) {
    m.set(`${l.a.node}:${l.a.iface}`, `${l.b.node}:${l.b.iface}`);
    m.set(`${l.b.node}:${l.b.iface}`, `${l.a.node}:${l.a.iface}`);
  }
  return m;
}

function leadsTo(last: Sighting, s: Sighting, peers: Peers): boolean {
  if (last.ipId && s.ipId && last.ipId !== s.ipId) return false;
  if (last.direction === 'in') return s.direction === 'out' && s.node === last.node;
  if (s.direction !== 'in' || s.node === last.node) return false;
  const peer = peers.get(`${last.node}:${last.iface}`);
  // Without the topology (an older report), any next node will do.
  return peer === undefined || peer === `${s.node}:${s.iface}`;
}

export function splitCopies(sightings: Sighting[], peers: Peers): Sighting[][] {
  const copies: Sighting[][] = [];
  const sorted = [...sightings].sort((a, b) => a.ts - b.ts);
  for (const s of sorted) {
    const open = copies.find((c) => leadsTo(c[c.length - 1], s, peers));
    if (open) open.push(s);
    else copies.push([s]);
  }
  return copies;
}
