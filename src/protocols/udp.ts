/**
 * UDP flows: one request datagram per attempt and its echo, followed across hops and through NAT
 * by the payload (its length and the digest of its first bytes), which NAT never touches. A
 * request and its reply differ in their first byte (udp-agent.ts), so the two are never taken for
 * each other. Attempts of a flow with a fixed source port share one tuple; their payloads tell
 * them apart (`belongs`). A reply that meets a stateful firewall without an entry is, to
 * conntrack, a new connection from outside (ctstate NEW), not INVALID as a stray TCP SYN-ACK is.
 */
import { droppedFinding, icmpErrorFinding, locate, nodesOf, startFinding, unreachableFinding, type ConnectionFinding } from '../analysis/connection-verdict.js';
import type { DropContext } from '../analysis/explain-drop.js';
import { isTimeExceeded } from '../analysis/icmp-error.js';
import { PROTOCOL_FORMS } from './names.js';
import type { FlowProtocol, PacketIdentity } from './protocol.js';
import { udpAgent } from './udp-agent.js';
import { udpSession } from './udp-session.js';
import { udpSessionPackets } from './session-packets.js';

const keyOf = (len: number | undefined, digest: number | undefined) => `${len}|${digest ?? ''}`;
const hex = (n: number | undefined) => (n === undefined ? 'not captured' : n.toString(16).padStart(8, '0'));

export const udpPackets: PacketIdentity = {
  claims: (p) => p.udp !== undefined && p.ip !== undefined,
  tuple: (p) => (p.ip && p.udp ? { src: p.ip.src, dst: p.ip.dst, sport: p.udp.srcPort, dport: p.udp.dstPort } : undefined),
  key: (p) => keyOf(p.udp!.payloadLength, p.udp!.payloadDigest),
  traceKey: (t) => keyOf(t.payloadLength, t.payloadDigest),
  identity: (p, direction) => ({
    label: direction === 'forward' ? 'REQUEST' : 'REPLY',
    fields: { payloadLength: p.udp!.payloadLength, ...(p.udp!.payloadDigest !== undefined ? { payloadDigest: p.udp!.payloadDigest } : {}) },
  }),
  belongs: (record, p) => !record.payloadDigests || p.udp?.payloadDigest === undefined || record.payloadDigests.includes(p.udp.payloadDigest),
  describe: (t) => `${t.payloadLength} bytes, payload digest ${hex(t.payloadDigest)}`,
  // Linux quotes as much of the datagram as fits; a router that quotes 8 bytes leaves the ports alone to go by.
  quoted: (quote) => (quote.udp?.payloadDigest !== undefined ? { quotedDigest: quote.udp.payloadDigest } : {}),
  quotes: (quoted, t) => quoted.quotedDigest === undefined || t.payloadDigest === undefined || t.payloadDigest === quoted.quotedDigest,
};

/**
 * Delivered when the echo came back. An ICMP error the client got makes it unreachable (port or
 * host unreachable, fragmentation needed), and names who sent it; a time exceeded the client
 * never hears of (the kernel keeps soft errors from UDP sockets) still shows in the captures.
 * Otherwise the request or the reply was dropped: the first that did not arrive.
 */
function decide(ctx: DropContext): ConnectionFinding {
  const { track } = ctx;
  const { record } = track;
  const request = locate(track, (t) => t.direction === 'forward' && t.label === 'REQUEST');
  const reply = locate(track, (t) => t.direction === 'return' && t.label === 'REPLY');
  const base = startFinding(ctx, nodesOf(request), nodesOf(reply), 'REQUEST');
  switch (record.outcome) {
    case 'connected':
      for (const l of [request, reply]) {
        if (l && !l.trace.delivered) base.warnings.push(`Attempt ${record.attempt} got its echo, yet its ${l.trace.label} was last captured at ${l.trace.lastNode}: a capture is missing packets.`);
      }
      return { ...base, result: 'delivered', summary: 'delivered' };
    case 'refused':
    case 'unreachable':
      return unreachableFinding(ctx, base, request, 'REQUEST');
    default:
      if (track.icmp.some((i) => i.quotedDirection === 'forward' && isTimeExceeded(i))) return icmpErrorFinding(ctx, base, request, 'REQUEST', 'ttl-exceeded', isTimeExceeded);
      if (record.outcome === 'error') base.warnings.push(`The client reported ${record.errorCode ?? 'an error'}, not a timeout; the packets are read as a drop.`);
      return droppedFinding(ctx, base, request, reply, 'REQUEST');
  }
}

export const udp: FlowProtocol = { name: 'udp', form: PROTOCOL_FORMS.udp, agent: { ...udpAgent, session: udpSession }, packets: udpPackets, strayReply: 'NEW', decide, session: udpSessionPackets };
