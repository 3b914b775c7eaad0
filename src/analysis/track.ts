/**
 * Cross-hop packet tracking: which captured packets belong to one connection, and where each of
 * them went. The connection's protocol (src/protocols) says what a packet's tuple and its
 * NAT-proof key are; the tracking itself is the same for every protocol.
 *
 * Membership is a fixpoint over two identities:
 * - the tuple, known at first only as the client saw it (ConnectionRecord): every packet of the
 *   protocol carrying it, either way round, belongs to the connection;
 * - the packet key (for TCP: flags, seq, ack, payload length): wherever a member's key shows up
 *   under another tuple, that is the same packet after NAT, and that tuple is learned.
 * Repeating until nothing new is learned follows the connection through any number of SNAT, DNAT
 * or masquerade hops, and picks up packets that never reached the client (a SYN-ACK dropped half
 * way) through the tuple they wear on the server's side.
 *
 * Retransmissions share their key, so they collapse into one trace holding the sightings of
 * every copy; `copies` counts them and each sighting keeps its IPv4 id. A trace's path is that of
 * its copies together; lastNode is the furthest node any copy reached.
 */
import type { DecodedPacket } from '../pcap/types.js';
import type { FlowProtocol, QuotedIdentity, WirePacket } from '../protocols/protocol.js';
import { protocolNamed, protocolOfPacket } from '../protocols/registry.js';
import { isIcmpError } from './icmp-error.js';
import { analysisLab, type AnalysisLab } from './lab-index.js';
import { tracePath, type TracedPath } from './trace-path.js';
import { reverse, tupleKey } from './tuple.js';
import type { CapturePoint, ConnectionRecord, ConntrackTuple, PacketTrace, RunEvidence, Sighting } from './types.js';
import { windowOf } from './window.js';

export interface Observation {
  node: string;
  iface: string;
  direction: 'in' | 'out';
  ts: number;
  packet: DecodedPacket;
  capture: CapturePoint;
  /** The protocol that claimed the packet; none for an ICMP error. */
  protocol?: FlowProtocol;
}

/** All captured packets of every flow protocol, and the ICMP errors, indexed once for every connection. */
export interface CaptureIndex {
  lab: AnalysisLab;
  /** By protocol and tuple, and by protocol and packet key. */
  byTuple: Map<string, Observation[]>;
  byKey: Map<string, Observation[]>;
  icmpErrors: Observation[];
}

/** An ICMP error quoting one of the connection's packets, with what the quote identifies it by. */
export interface IcmpSighting extends Sighting, QuotedIdentity {
  type: number;
  code: number;
  version: 4 | 6;
  /** Fragmentation needed / packet too big: the MTU the sender named. */
  mtu?: number;
  /** Which way the quoted packet was going. */
  quotedDirection: 'forward' | 'return';
}

export interface ConnectionTrack {
  record: ConnectionRecord;
  protocol: FlowProtocol;
  /** Every tuple the connection wore on the wire, oriented client → server; the first is the client's. */
  tuples: ConntrackTuple[];
  /** One per distinct packet, in order of first sighting. */
  traces: PacketTrace[];
  /** The path detail behind each trace (same order). */
  paths: TracedPath[];
  icmp: IcmpSighting[];
}

const tupleIndexKey = (p: FlowProtocol, t: ConntrackTuple) => `${p.name}|${tupleKey(t)}`;
const packetIndexKey = (p: FlowProtocol, packet: WirePacket) => `${p.name}|${p.packets.key(packet)}`;

/** A packet on node:iface was sent by it when its source MAC is that interface's own. */
function directionOf(cap: CapturePoint, p: DecodedPacket, lab: AnalysisLab): 'in' | 'out' {
  const own = lab.macOf(cap.node, cap.iface);
  if (own && p.srcMac) return p.srcMac.toLowerCase() === own ? 'out' : 'in';
  return p.direction === 'out' ? 'out' : 'in';
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function indexCaptures(evidence: Pick<RunEvidence, 'lab' | 'captures'>, lab: AnalysisLab = analysisLab(evidence)): CaptureIndex {
  const byTuple = new Map<string, Observation[]>();
  const byKey = new Map<string, Observation[]>();
  const icmpErrors: Observation[] = [];
  for (const capture of evidence.captures) {
    for (const packet of capture.packets) {
      const obs = (protocol?: FlowProtocol): Observation => ({ node: capture.node, iface: capture.iface, direction: directionOf(capture, packet, lab), ts: packet.ts, packet, capture, ...(protocol ? { protocol } : {}) });
      if (isIcmpError(packet)) {
        if (packet.icmp?.inner?.ip) icmpErrors.push(obs());
        continue;
      }
      const protocol = protocolOfPacket(packet);
      const t = protocol?.packets.tuple(packet);
      if (!protocol || !t) continue;
      const o = obs(protocol);
      push(byTuple, tupleIndexKey(protocol, t), o);
      push(byKey, packetIndexKey(protocol, packet), o);
    }
  }
  return { lab, byTuple, byKey, icmpErrors };
}

function sightingOf(o: Observation): Sighting {
  const { ip } = o.packet;
  const t = o.protocol?.packets.tuple(o.packet);
  return {
    node: o.node,
    iface: o.iface,
    direction: o.direction,
    ts: o.ts,
    src: ip!.src,
    dst: ip!.dst,
    ...(t && t.sport !== undefined ? { srcPort: t.sport, dstPort: t.dport } : {}),
    ...(ip!.id !== undefined ? { ipId: ip!.id } : {}),
  };
}

/** Copies sent: the most sightings of it at any one capture point and direction. */
function copiesOf(sightings: Sighting[]): number {
  const per = new Map<string, number>();
  for (const s of sightings) per.set(`${s.node}:${s.iface}:${s.direction}`, (per.get(`${s.node}:${s.iface}:${s.direction}`) ?? 0) + 1);
  return Math.max(1, ...per.values());
}

export function trackConnection(record: ConnectionRecord, index: CaptureIndex): ConnectionTrack {
  const protocol = protocolNamed(record.protocol);
  const { from, to } = windowOf(record);
  const inWindow = (o: Observation) => o.ts >= from && o.ts <= to;
  const belongs = (p: WirePacket) => protocol.packets.belongs?.(record, p) ?? true;

  const dirOf = new Map<string, 'forward' | 'return'>();
  const tuples: ConntrackTuple[] = [];
  const queue: string[] = [];
  const learn = (t: ConntrackTuple, d: 'forward' | 'return') => {
    const k = tupleIndexKey(protocol, t);
    if (dirOf.has(k)) return;
    const r = reverse(t);
    const rk = tupleIndexKey(protocol, r);
    dirOf.set(k, d);
    dirOf.set(rk, d === 'forward' ? 'return' : 'forward');
    tuples.push(d === 'forward' ? t : r);
    queue.push(k, rk);
  };
  learn({ src: record.srcAddress, sport: record.srcPort, dst: record.dstAddress, dport: record.dstPort }, 'forward');

  const members = new Map<Observation, 'forward' | 'return'>();
  while (queue.length) {
    const k = queue.shift()!;
    const d = dirOf.get(k)!;
    for (const o of index.byTuple.get(k) ?? []) {
      if (members.has(o) || !inWindow(o) || !belongs(o.packet)) continue;
      members.set(o, d);
      for (const same of index.byKey.get(packetIndexKey(protocol, o.packet)) ?? []) {
        if (inWindow(same)) learn(protocol.packets.tuple(same.packet)!, d);
      }
    }
  }

  const groups = new Map<string, { d: 'forward' | 'return'; obs: Observation[] }>();
  for (const [o, d] of members) {
    const k = `${d}|${protocol.packets.key(o.packet)}`;
    const g = groups.get(k);
    if (g) g.obs.push(o);
    else groups.set(k, { d, obs: [o] });
  }

  const built = [...groups.values()].map(({ d, obs }) => {
    const { label, fields } = protocol.packets.identity(obs[0].packet, d);
    const ipLength = obs[0].packet.ip?.totalLength;
    const end = d === 'forward' ? { node: record.server, reply: false } : { node: record.client, reply: true };
    const path = tracePath(obs.map(sightingOf), index.lab, d === 'forward' ? record.client : record.server, end);
    const trace: PacketTrace = {
      label,
      direction: d,
      sightings: path.sightings,
      ...(path.lastNode ? { lastNode: path.lastNode } : {}),
      ...(path.lastIface ? { lastIface: path.lastIface } : {}),
      delivered: path.deliveredAt !== undefined,
      ...fields,
      ...(ipLength ? { ipLength } : {}),
      copies: copiesOf(path.sightings),
      attempt: record.attempt,
      ...(path.origin ? { origin: path.origin } : {}),
    };
    return { trace, path };
  });
  built.sort((a, b) => (a.trace.sightings[0]?.ts ?? 0) - (b.trace.sightings[0]?.ts ?? 0));

  const icmp: IcmpSighting[] = [];
  for (const o of index.icmpErrors) {
    if (!inWindow(o)) continue;
    const quote = o.packet.icmp!.inner!;
    if (!protocol.packets.claims(quote) || !belongs(quote)) continue;
    const quoted = protocol.packets.tuple(quote);
    const d = quoted && dirOf.get(tupleIndexKey(protocol, quoted));
    if (!d) continue;
    const { type, code, mtu } = o.packet.icmp!;
    icmp.push({ ...sightingOf(o), type, code, version: o.packet.ip!.version, ...(mtu !== undefined ? { mtu } : {}), quotedDirection: d, ...protocol.packets.quoted(quote) });
  }
  icmp.sort((a, b) => a.ts - b.ts || (a.direction === b.direction ? 0 : a.direction === 'out' ? -1 : 1));

  return { record, protocol, tuples, traces: built.map((b) => b.trace), paths: built.map((b) => b.path), icmp };
}

/** Tracks every connection of a run against one shared index. */
export function trackConnections(evidence: RunEvidence, records: ConnectionRecord[] = evidence.connections): ConnectionTrack[] {
  const index = indexCaptures(evidence);
  return records.map((r) => trackConnection(r, index));
}
