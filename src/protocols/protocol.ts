/**
 * A flow protocol: all asymlab knows about one transport, so the agent, the packet tracker and the
 * verdict stay generic: TCP connections, UDP request/reply datagrams (fixed source ports
 * possible), ICMP echo (its id tracked through NAT). Each protocol is one value of this type,
 * listed in registry.ts; generic code asks the registry and never compares protocol names.
 */
import type { DropContext } from '../analysis/explain-drop.js';
import type { ConnectionFinding } from '../analysis/connection-verdict.js';
import type { ConnectionRecord, ConntrackTuple, PacketTrace } from '../analysis/types.js';
import type { ConnectionTrack } from '../analysis/track.js';
import type { DecodedPacket } from '../pcap/types.js';
import type { ProtocolForm, ProtocolName } from './names.js';

export type { ProtocolName };

/** A captured packet, or the packet an ICMP error quotes (decoded as far as the quote goes). */
export type WirePacket = Pick<DecodedPacket, 'ip' | 'tcp' | 'udp' | 'icmp' | 'echo'>;

/** What the flow agent's client is asked to do: every value came from the lab file or the plan. */
export interface ClientSpec {
  flow: string;
  address: string;
  port: number;
  /** Source address to bind; the route's choice when absent. */
  source?: string;
  /** The first source port; attempt i uses sourcePort + i, so the tuple is known even when no answer comes. ICMP: the echo id. */
  sourcePort: number;
  /** Every attempt from sourcePort itself (a UDP flow's `source-port:`). */
  fixedSourcePort?: boolean;
  count: number;
  timeoutMs: number;
  /** Payload bytes of each request, DF set; the agent's small default when absent. */
  size?: number;
  /** A timed run: print ready, then wait for SIGUSR1, the run's time 0 (src/run/timed-flows.ts). */
  awaitGo?: boolean;
  /** Start this long after time 0. */
  startMs?: number;
  /** A long-lived flow: one session for this long, a message every intervalMs (ProtocolAgent.session). */
  durationMs?: number;
  intervalMs?: number;
}

/** One attempt as the client saw it; the flow runner adds flow, client and server. */
export type AttemptResult = Omit<ConnectionRecord, 'flow' | 'client' | 'server' | 'protocol'>;

/** The agent's behaviour for the protocol, run inside a node's namespace. */
export interface ProtocolAgent {
  /** Attempt `attempt` (0-based) of a flow: real kernel sockets, never crafted packets. */
  attempt(spec: ClientSpec, attempt: number): Promise<AttemptResult>;
  /** Echo servers on these ports; resolves once every one listens, rejects if one cannot. */
  serve(ports: number[]): Promise<void>;
  /**
   * A long-lived flow: one connection (TCP) or one 5-tuple (UDP, ICMP) that sends a message every
   * spec.intervalMs for spec.durationMs from `startAtMs` (epoch ms), each expecting its echo; the
   * record's `session` holds every message's outcome.
   */
  session?(spec: ClientSpec, startAtMs: number): Promise<AttemptResult>;
}

/** What an ICMP error's quote says of the packet it is about (IcmpSighting carries it). */
export interface QuotedIdentity {
  /** The quoted sequence number (TCP seq; ICMP echo's). */
  quotedSeq?: number;
  /** The quoted payload's digest (UDP, ICMP echo), where the quote reaches that far. */
  quotedDigest?: number;
  /** The quoted packet's payload length, where its header is whole in the quote (tells a TCP data segment from the ACK before it). */
  quotedLength?: number;
}

/** What a trace records of the packet it follows, besides where it went. */
export interface TraceIdentity {
  /** SYN, SYN-ACK, RST, DATA, REQUEST, ECHO-REPLY…: what the verdict calls the packet. */
  label: string;
  /** Fields of PacketTrace that hold the identity (TCP: flags, seq, ack, payloadLength; UDP: payloadLength, payloadDigest). */
  fields: Partial<Pick<PacketTrace, 'flags' | 'seq' | 'ack' | 'payloadLength' | 'payloadDigest'>>;
}

/**
 * How one packet is followed across hops and through NAT. NAT rewrites the tuple; the key is made
 * of what it leaves alone, so equal keys under different tuples are the same packet translated.
 */
export interface PacketIdentity {
  /** Whether the packet is this protocol's. ICMP errors are nobody's: they are tied to a flow by their quote. */
  claims(p: WirePacket): boolean;
  /** Addresses and ports (or what the protocol keeps there) of a claimed packet. */
  tuple(p: WirePacket): ConntrackTuple | undefined;
  /** Equal on every hop the packet crosses, NAT or not. */
  key(p: WirePacket): string;
  /** The key of a traced packet, to find it again elsewhere (an NFLOG record). */
  traceKey(t: PacketTrace): string;
  /** Label and fields; `direction` is the way the packet goes in its connection (a UDP request and its echo look alike). */
  identity(p: WirePacket, direction: 'forward' | 'return'): TraceIdentity;
  /**
   * Whether a packet wearing the attempt's tuple is the attempt's own. Absent: all are (TCP, whose
   * attempts never share a tuple). UDP attempts from one fixed port share it: their payloads differ.
   */
  belongs?(record: ConnectionRecord, p: WirePacket): boolean;
  /** The identity in words: "flags S., seq 1, ack 0, 0 bytes". */
  describe(t: PacketTrace): string;
  /** What identifies the packet an ICMP error quotes (a quote may hold only 8 bytes of header): TCP's seq. */
  quoted(quote: WirePacket): QuotedIdentity;
  /** Whether an ICMP error, by what it quotes, is about this traced packet. */
  quotes(quoted: QuotedIdentity, t: PacketTrace): boolean;
}

/** How a long-lived flow's packets map to its messages (src/analysis/session-probes.ts). */
export interface SessionPackets {
  /** Whether a traced packet carries messages towards the server: TCP data, a UDP request, an echo request. */
  probe(t: PacketTrace): boolean;
  /** The messages (SessionRecord indices) a probe carries: TCP by byte range, UDP by digest, ICMP by seq. */
  messages(t: PacketTrace, track: ConnectionTrack): number[];
}

export interface FlowProtocol {
  name: ProtocolName;
  /** What the lab format says of it (names.ts): ports or none, what `source-port:` means. */
  form: ProtocolForm;
  agent: ProtocolAgent;
  packets: PacketIdentity;
  /**
   * How conntrack classes a reply that reaches a stateful firewall with no entry for it: a TCP
   * SYN-ACK or an ICMP echo reply is INVALID; a UDP datagram is NEW, a new connection from outside.
   */
  strayReply: 'INVALID' | 'NEW';
  /**
   * The outcome of one attempt from its tracked packets: delivered, reset, dropped, unreachable or ttl-exceeded,
   * its paths, and for a failure the dying packet with the protocol's findings (finding-kit.ts
   * places and explains the drop).
   */
  decide(ctx: DropContext): ConnectionFinding;
  /** Long-lived flows: which packets carry which messages. */
  session?: SessionPackets;
}
