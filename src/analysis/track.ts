/**
 * Cross-hop packet tracking: which captured packets belong to one connection, and where each of
 * them went.
 *
 * Membership is a fixpoint over two identities:
 * - the 5-tuple, known at first only as the client saw it (ConnectionRecord): every packet
 *   carrying it, either way round, belongs to the connection;
 * - the packet key (flags, seq, ack, payload length; see packet-key.ts): wherever a member's key
 *   shows up under another 5-tuple, that is the same packet after NAT, and that tuple is learned.
 * Repeating until nothing new is learned follows the connection through any number of SNAT, DNAT
 * or masquerade hops, and picks up packets that never reached the client (a SYN-ACK dropped half
 * way) through the tuple they wear on the server's side.
 *
 * Retransmissions share their key, so they collapse into one trace holding the sightings of
 * every copy; `copies` counts them and each sighting keeps its IPv4 id. A trace's path is that of
 * its copies together; lastNode is the furthest node any copy reached.
 */
import type { DecodedPacket } from '../pcap/types.js';
import { indexLab, type LabIndex } from './lab-index.js';
import { flagBits, flagText, isIcmpError, packetKey, packetLabel, reverse, tupleKey, tupleOf } from './packet-key.js';
import { tracePath, type TracedPath } from './trace-path.js';
import type { CapturePoint, ConnectionRecord, ConntrackTuple, PacketTrace, RunEvidence, Sighting } from './types.js';

export interface Observation {
  node: string;
  iface: string;
  direction: 'in' | 'out';
  ts: number;
  packet: DecodedPacket;
  capture: CapturePoint;
}

/** All captured TCP packets and ICMP errors of a run, indexed once for every connection. */
export interface CaptureIndex {
  lab: LabIndex;
  byTuple: Map<string, Observation[]>;
  byKey: Map<string, Observation[]>;
  icmpErrors: Observation[];
}

/** An ICMP error quoting one of the connection's packets. */
export interface IcmpSighting extends Sighting {
  type: number;
  code: number;
  version: 4 | 6;
  /** Which way the quoted packet was going. */
  quotedDirection: 'forward' | 'return';
  quotedSeq?: number;
}

export interface ConnectionTrack {
  record: ConnectionRecord;
  /** Every 5-tuple the connection wore on the wire, oriented client → server; the first is the client's. */
  tuples: ConntrackTuple[];
  /** One per distinct packet, in order of first sighting. */
  traces: PacketTrace[];
  /** The path detail behind each trace (same order). */
  paths: TracedPath[];
  icmp: IcmpSighting[];
}

/**
 * Seconds around a connection in which its packets are looked for: tuples are reused once a
 * connection is gone, and teardown (FIN, TIME_WAIT ACKs) outlives the client's measurement.
 */
export const WINDOW_BEFORE_S = 2;
export const WINDOW_AFTER_S = 10;

/** A packet on node:iface was sent by it when its source MAC is that interface's own. */
function directionOf(cap: CapturePoint, p: DecodedPacket, lab: LabIndex): 'in' | 'out' {
  const own = lab.macOf(cap.node, cap.iface);
  if (own && p.srcMac) return p.srcMac.toLowerCase() === own ? 'out' : 'in';
  return p.direction === 'out' ? 'out' : 'in';
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function indexCaptures(evidence: Pick<RunEvidence, 'lab' | 'captures'>, lab: LabIndex = indexLab(evidence)): CaptureIndex {
  const byTuple = new Map<string, Observation[]>();
  const byKey = new Map<string, Observation[]>();
  const icmpErrors: Observation[] = [];
  for (const capture of evidence.captures) {
    for (const packet of capture.packets) {
      const obs = () => ({ node: capture.node, iface: capture.iface, direction: directionOf(capture, packet, lab), ts: packet.ts, packet, capture });
      const t = tupleOf(packet);
      if (t && packet.tcp) {
        const o = obs();
        push(byTuple, tupleKey(t), o);
        push(byKey, packetKey(packet.tcp), o);
      } else if (isIcmpError(packet) && packet.icmp?.inner?.ip && packet.icmp.inner.tcp) icmpErrors.push(obs());
    }
  }
  return { lab, byTuple, byKey, icmpErrors };
}

function sightingOf(o: Observation): Sighting {
  const { ip, tcp } = o.packet;
  return {
    node: o.node,
    iface: o.iface,
    direction: o.direction,
    ts: o.ts,
    src: ip!.src,
    dst: ip!.dst,
    ...(tcp ? { srcPort: tcp.srcPort, dstPort: tcp.dstPort } : {}),
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
  const from = record.startedAt - WINDOW_BEFORE_S;
  const to = record.startedAt + record.totalMs / 1000 + WINDOW_AFTER_S;
  const inWindow = (o: Observation) => o.ts >= from && o.ts <= to;

  const dirOf = new Map<string, 'forward' | 'return'>();
  const tuples: ConntrackTuple[] = [];
  const queue: string[] = [];
  const learn = (t: ConntrackTuple, d: 'forward' | 'return') => {
    const k = tupleKey(t);
    if (dirOf.has(k)) return;
    const r = reverse(t);
    dirOf.set(k, d);
    dirOf.set(tupleKey(r), d === 'forward' ? 'return' : 'forward');
    tuples.push(d === 'forward' ? t : r);
    queue.push(k, tupleKey(r));
  };
  learn({ src: record.srcAddress, sport: record.srcPort, dst: record.dstAddress, dport: record.dstPort }, 'forward');

  const members = new Map<Observation, 'forward' | 'return'>();
  while (queue.length) {
    const k = queue.shift()!;
    const d = dirOf.get(k)!;
    for (const o of index.byTuple.get(k) ?? []) {
      if (members.has(o) || !inWindow(o)) continue;
      members.set(o, d);
      for (const same of index.byKey.get(packetKey(o.packet.tcp!)) ?? []) {
        if (inWindow(same)) learn(tupleOf(same.packet)!, d);
      }
    }
  }

  const groups = new Map<string, { d: 'forward' | 'return'; obs: Observation[] }>();
  for (const [o, d] of members) {
    const k = `${d}|${packetKey(o.packet.tcp!)}`;
    const g = groups.get(k);
    if (g) g.obs.push(o);
    else groups.set(k, { d, obs: [o] });
  }

  const built = [...groups.values()].map(({ d, obs }) => {
    const tcp = obs[0].packet.tcp!;
    const bits = flagBits(tcp);
    const path = tracePath(obs.map(sightingOf), index.lab, d === 'forward' ? record.client : record.server);
    const trace: PacketTrace = {
      label: packetLabel(bits, tcp.payloadLength),
      direction: d,
      sightings: path.sightings,
      ...(path.lastNode ? { lastNode: path.lastNode } : {}),
      ...(path.lastIface ? { lastIface: path.lastIface } : {}),
      delivered: path.deliveredAt !== undefined,
      flags: flagText(bits),
      seq: tcp.seq >>> 0,
      ack: tcp.ack >>> 0,
      payloadLength: tcp.payloadLength,
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
    const inner = o.packet.icmp!.inner!;
    const quoted = { src: inner.ip!.src, dst: inner.ip!.dst, sport: inner.tcp!.srcPort, dport: inner.tcp!.dstPort };
    const d = dirOf.get(tupleKey(quoted));
    if (!d) continue;
    icmp.push({
      ...sightingOf(o),
      type: o.packet.icmp!.type,
      code: o.packet.icmp!.code,
      version: o.packet.ip!.version,
      quotedDirection: d,
      ...(inner.tcp!.seq !== undefined ? { quotedSeq: inner.tcp!.seq >>> 0 } : {}),
    });
  }
  icmp.sort((a, b) => a.ts - b.ts || (a.direction === b.direction ? 0 : a.direction === 'out' ? -1 : 1));

  return { record, tuples, traces: built.map((b) => b.trace), paths: built.map((b) => b.path), icmp };
}

/** Tracks every connection of a run against one shared index. */
export function trackConnections(evidence: RunEvidence, records: ConnectionRecord[] = evidence.connections): ConnectionTrack[] {
  const index = indexCaptures(evidence);
  return records.map((r) => trackConnection(r, index));
}

