/**
 * TCP flows: real kernel connections (connect, send a line, read it back), followed packet by
 * packet. NAT rewrites addresses and ports but never TCP flags, seq, ack or payload length, so
 * those four name a packet on every hop; the IPv4 id (also untouched when forwarded) tells copies
 * of it (retransmissions) apart. An attempt opens with a SYN and is answered by a SYN-ACK or a RST.
 */
import {
  droppedFinding,
  locate,
  nodesOf,
  startFinding,
  unreachableFinding,
  type ConnectionFinding,
} from '../analysis/connection-verdict.js';
import type { DropContext } from '../analysis/explain-drop.js';
import { resetNote } from '../analysis/reset-origin.js';
import type { PacketTrace } from '../analysis/types.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, tcpFlagBits, tcpFlagText } from '../pcap/tcp-flags.js';
import type { TcpInfo } from '../pcap/types.js';
import { PROTOCOL_FORMS } from './names.js';
import type { FlowProtocol, PacketIdentity, WirePacket } from './protocol.js';
import { tcpAgent } from './tcp-agent.js';
import { tcpSession } from './tcp-session.js';
import { tcpSessionPackets } from './session-packets.js';

/** FIN..URG; ECE and CWR are left out, as ECN may legitimately differ between copies. */
const IDENTITY_FLAGS = 0x3f;

function flagBits(tcp: Pick<TcpInfo, 'flags' | 'flagBits'>): number {
  return (typeof tcp.flagBits === 'number' ? tcp.flagBits : tcpFlagBits(tcp.flags)) & IDENTITY_FLAGS;
}

/** SYN, SYN-ACK, RST, FIN, DATA or ACK. */
function packetLabel(bits: number, payloadLength: number): string {
  if (bits & TCP_SYN) return bits & TCP_ACK ? 'SYN-ACK' : 'SYN';
  if (bits & TCP_RST) return 'RST';
  if (bits & TCP_FIN) return 'FIN';
  if (payloadLength > 0) return 'DATA';
  return 'ACK';
}

const keyOf = (bits: number, seq: number | undefined, ack: number | undefined, len: number | undefined) => `${bits}|${seq}|${ack}|${len}`;

export const tcpPackets: PacketIdentity = {
  claims: (p: WirePacket) => p.tcp !== undefined && p.ip !== undefined,
  tuple: (p) => (p.ip && p.tcp ? { src: p.ip.src, dst: p.ip.dst, sport: p.tcp.srcPort, dport: p.tcp.dstPort } : undefined),
  key: (p) => keyOf(flagBits(p.tcp!), p.tcp!.seq >>> 0, p.tcp!.ack >>> 0, p.tcp!.payloadLength),
  traceKey: (t: PacketTrace) => keyOf(tcpFlagBits(t.flags ?? '') & IDENTITY_FLAGS, t.seq, t.ack, t.payloadLength),
  identity: (p) => {
    const tcp = p.tcp!;
    const bits = flagBits(tcp);
    return { label: packetLabel(bits, tcp.payloadLength), fields: { flags: tcpFlagText(bits), seq: tcp.seq >>> 0, ack: tcp.ack >>> 0, payloadLength: tcp.payloadLength } };
  },
  describe: (t) => `flags ${t.flags}, seq ${t.seq}, ack ${t.ack}, ${t.payloadLength} bytes`,
  // An ICMP error may quote only 8 bytes of TCP header: ports and seq. Linux quotes the whole header.
  quoted: (quote) => ({
    ...(quote.tcp?.seq !== undefined ? { quotedSeq: quote.tcp.seq >>> 0 } : {}),
    ...(quote.tcp && quote.tcp.flags !== '' ? { quotedLength: quote.tcp.payloadLength } : {}),
  }),
  quotes: (quoted, t) => quoted.quotedSeq === undefined || t.seq === quoted.quotedSeq,
};

/**
 * The dying packet of a timed-out connection is the first handshake packet that did not arrive:
 * the SYN if it never reached the server, else the SYN-ACK if it never reached the client, else
 * the earliest packet of the connection that was not delivered. A RST that reached the client is
 * a reset, by the server, by a firewall answering for it, or by a host's own stack (reset-origin.ts).
 */
function decide(ctx: DropContext): ConnectionFinding {
  const { track } = ctx;
  const { record } = track;
  const syn = locate(track, (t) => t.direction === 'forward' && t.label === 'SYN');
  const synAck = locate(track, (t) => t.direction === 'return' && t.label === 'SYN-ACK');
  const rst = locate(track, (t) => t.direction === 'return' && t.label === 'RST');
  const base = startFinding(ctx, nodesOf(syn), nodesOf(synAck ?? rst), 'SYN');
  const { warnings } = base;

  switch (record.outcome) {
    case 'connected':
      if (!record.echoed) warnings.push(`Attempt ${record.attempt} connected but the payload did not come back intact.`);
      for (const l of [syn, synAck]) {
        if (l && !l.trace.delivered) warnings.push(`Attempt ${record.attempt} connected, yet its ${l.trace.label} was last captured at ${l.trace.lastNode}: a capture is missing packets.`);
      }
      return { ...base, result: 'delivered', summary: 'delivered' };

    case 'refused':
    case 'error':
      if (record.outcome === 'refused' || rst?.trace.delivered) {
        if (record.outcome === 'error') warnings.push(`The client reported ${record.errorCode ?? 'an error'}; a RST reached it.`);
        const by = rst?.trace.origin ?? record.server;
        const note = resetNote(ctx, by, syn);
        const summary = rst ? `${by} answered the SYN with RST${note}; RST path ${rst.path.nodes.join(' → ')}` : 'connection refused; no RST was captured';
        return { ...base, result: 'reset', at: by, summary };
      }
      warnings.push(`The client reported ${record.errorCode ?? 'an error'}, not a timeout; the packets are read as a drop.`);
      break;

    case 'unreachable':
      return unreachableFinding(ctx, base, syn, 'SYN');

    case 'timeout':
      break;
  }
  return droppedFinding(ctx, base, syn, synAck, 'SYN');
}

export const tcp: FlowProtocol = { name: 'tcp', form: PROTOCOL_FORMS.tcp, agent: { ...tcpAgent, session: tcpSession }, packets: tcpPackets, strayReply: 'INVALID', decide, session: tcpSessionPackets };
