/**
 * ICMP echo flows: one echo request per attempt and its reply. NAT rewrites the echo id as it
 * rewrites a port (conntrack keys ICMP on it), so the id stands in the tuple's port fields; the
 * type (request or reply), seq, payload length and the digest of the payload's first bytes (ping
 * puts a time stamp there) are left alone and follow the packet through any NAT. An echo reply
 * that meets a stateful firewall without an entry is INVALID to conntrack, as a stray SYN-ACK is.
 */
import { droppedFinding, icmpErrorFinding, locate, nodesOf, startFinding, unreachableFinding, type ConnectionFinding } from '../analysis/connection-verdict.js';
import type { DropContext } from '../analysis/explain-drop.js';
import { isTimeExceeded } from '../analysis/icmp-error.js';
import type { PacketTrace } from '../analysis/types.js';
import type { EchoInfo } from '../pcap/types.js';
import { icmpAgent } from './icmp-agent.js';
import { icmpSession } from './icmp-session.js';
import { icmpSessionPackets } from './session-packets.js';
import { PROTOCOL_FORMS } from './names.js';
import type { FlowProtocol, PacketIdentity, WirePacket } from './protocol.js';

const isRequest = (p: WirePacket) => (p.ip?.version === 6 ? p.icmp?.type === 128 : p.icmp?.type === 8);
const keyOf = (request: boolean, seq: number | undefined, len: number | undefined, digest: number | undefined) => `${request ? 'req' : 'rep'}|${seq}|${len}|${digest ?? ''}`;

export const icmpPackets: PacketIdentity = {
  claims: (p) => p.echo !== undefined && p.ip !== undefined,
  tuple: (p) => (p.ip && p.echo ? { src: p.ip.src, dst: p.ip.dst, sport: p.echo.id, dport: p.echo.id } : undefined),
  key: (p) => keyOf(isRequest(p), p.echo!.seq, p.echo!.payloadLength, p.echo!.payloadDigest),
  traceKey: (t: PacketTrace) => keyOf(t.label === 'ECHO-REQUEST', t.seq, t.payloadLength, t.payloadDigest),
  identity: (p) => {
    const echo: EchoInfo = p.echo!;
    return {
      label: isRequest(p) ? 'ECHO-REQUEST' : 'ECHO-REPLY',
      fields: { seq: echo.seq, payloadLength: echo.payloadLength, ...(echo.payloadDigest !== undefined ? { payloadDigest: echo.payloadDigest } : {}) },
    };
  },
  describe: (t) => `seq ${t.seq}, ${t.payloadLength} bytes`,
  quoted: (quote) => ({
    ...(quote.echo ? { quotedSeq: quote.echo.seq } : {}),
    ...(quote.echo?.payloadDigest !== undefined ? { quotedDigest: quote.echo.payloadDigest } : {}),
  }),
  quotes: (quoted, t) =>
    (quoted.quotedSeq === undefined || t.seq === quoted.quotedSeq) && (quoted.quotedDigest === undefined || t.payloadDigest === undefined || t.payloadDigest === quoted.quotedDigest),
};

/** Delivered on a reply; unreachable or ttl-exceeded by the ICMP error that came back instead; else dropped. */
function decide(ctx: DropContext): ConnectionFinding {
  const { track } = ctx;
  const { record } = track;
  const request = locate(track, (t) => t.direction === 'forward' && t.label === 'ECHO-REQUEST');
  const reply = locate(track, (t) => t.direction === 'return' && t.label === 'ECHO-REPLY');
  const base = startFinding(ctx, nodesOf(request), nodesOf(reply), 'ECHO-REQUEST');
  switch (record.outcome) {
    case 'connected':
      for (const l of [request, reply]) {
        if (l && !l.trace.delivered) base.warnings.push(`Attempt ${record.attempt} got its reply, yet its ${l.trace.label} was last captured at ${l.trace.lastNode}: a capture is missing packets.`);
      }
      return { ...base, result: 'delivered', summary: 'delivered' };
    case 'ttl-exceeded':
      return icmpErrorFinding(ctx, base, request, 'ECHO-REQUEST', 'ttl-exceeded', isTimeExceeded);
    case 'refused':
    case 'unreachable':
      return unreachableFinding(ctx, base, request, 'ECHO-REQUEST');
    default:
      if (record.outcome === 'error') base.warnings.push(`ping reported ${record.errorCode ?? 'an error'}, not a timeout; the packets are read as a drop.`);
      return droppedFinding(ctx, base, request, reply, 'ECHO-REQUEST');
  }
}

export const icmp: FlowProtocol = { name: 'icmp', form: PROTOCOL_FORMS.icmp, agent: { ...icmpAgent, session: icmpSession }, packets: icmpPackets, strayReply: 'INVALID', decide, session: icmpSessionPackets };
