/**
 * Inputs and outputs of the analysis: plain data gathered by traffic/ and capture/, turned into
 * verdicts by pure functions. Nothing here touches processes, files or the kernel.
 */
import type { DecodedPacket } from '../pcap/types.js';
import type { ProtocolName } from '../protocols/protocol.js';
import type { FlowExpect, FlowResult, NodeKind } from '../topology/types.js';

/** The lab as the analysis needs it: who owns which MAC and address, and what is wired to what. */
export interface LabView {
  nodes: {
    name: string;
    kind: NodeKind;
    interfaces: { name: string; mac: string; addresses: string[]; mtu?: number }[];
    /** Addresses on lo (stub prefixes, router ids). */
    loopbacks: string[];
  }[];
  links: { a: { node: string; iface: string }; b: { node: string; iface: string } }[];
}

/** One tcpdump capture: every packet seen on one interface of one node. */
export interface CapturePoint {
  node: string;
  iface: string;
  file: string;
  packets: DecodedPacket[];
  /** tcpdump's "packets dropped by kernel" (and by interface); a verdict never rests on a lossy capture. */
  droppedByKernel: number;
  /** Set when the capture could not be read in full (tcpdump failed, file truncated). */
  problem?: string;
}

/** NFLOG records of one firewall: one per packet a drop rule matched, with the rule's prefix. */
export interface NflogCapture {
  node: string;
  file: string;
  packets: DecodedPacket[];
  droppedByKernel: number;
}

export interface ConntrackTuple {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  /** conntrack's ICMP echo id: what the flow protocol keeps in the port fields (NAT rewrites it as a port). */
  id?: number;
}

/** One line of `conntrack -E -o timestamp` (or of `conntrack -L`), parsed. */
export interface ConntrackEvent {
  node: string;
  ts?: number;
  type: 'NEW' | 'UPDATE' | 'DESTROY' | 'LIST';
  proto: string;
  /** TCP state (SYN_SENT, ESTABLISHED, …) where shown. */
  state?: string;
  orig: ConntrackTuple;
  reply: ConntrackTuple;
  /** [UNREPLIED], [ASSURED] */
  flags: string[];
}

/** One firewall rule with its packet counter, before and after the flows (iptables: `iptables-save -c`, `ip6tables-save -c`). */
export interface RuleCounter {
  node: string;
  /** The family of the ruleset it is in; absent in evidence that did not say. */
  family?: 4 | 6;
  table: string;
  chain: string;
  /** 1-based position in its chain, as `iptables -L --line-numbers` shows. */
  index: number;
  rule: string;
  /** The NFLOG prefix of the rule, if it logs. */
  nflogPrefix?: string;
  /** Set on a chain's policy counter (ACCEPT, DROP), which parse-counters gives index 0. */
  policy?: string;
  /** Whether the rule (or policy) drops or rejects what it matches; absent in evidence that did not say (read its text). */
  drops?: boolean;
  /** No counter backs it (an nft rule without `counter`, an nft chain policy): its packets are not known. */
  uncounted?: boolean;
  /** nftables: the hook of a base chain (input, forward), on its policy entry. */
  hook?: string;
  packetsBefore: number;
  packetsAfter: number;
}

/** Kernel counters of one node that explain drops without a firewall rule. */
export interface KernelCounters {
  node: string;
  /** /proc/net/snmp Ip: InNoRoutes, OutNoRoutes, InAddrErrors, ForwDatagrams; /proc/net/netstat TcpExt: IPReversePathFilter. */
  before: Record<string, number>;
  after: Record<string, number>;
}

export interface RouteEntry {
  dst: string; // prefix or 'default'
  gateway?: string;
  dev?: string;
  protocol?: string;
  /** unreachable, blackhole, prohibit, local, …; absent for unicast. */
  type?: string;
  metric?: number;
  prefsrc?: string;
  table?: string;
  /** ECMP routes: one entry per next hop. */
  nexthops?: { gateway?: string; dev?: string; weight?: number }[];
}

export interface NodeRoutes {
  node: string;
  routes: RouteEntry[];
  /** rp_filter per interface ('all' and 'default' included), as the kernel had it. */
  rpFilter: Record<string, number>;
}

export type ConnectionOutcome = 'connected' | 'refused' | 'timeout' | 'unreachable' | 'ttl-exceeded' | 'error';

/** One real connection attempt (a TCP connection, a UDP exchange, an ICMP echo), as the client saw it. */
export interface ConnectionRecord {
  flow: string;
  /** The flow protocol (src/protocols/registry.ts); absent means tcp, as every record was before. */
  protocol?: ProtocolName;
  /** 0-based attempt number within the flow. */
  attempt: number;
  client: string;
  server: string;
  srcAddress: string;
  srcPort: number;
  dstAddress: string;
  dstPort: number;
  outcome: ConnectionOutcome;
  /** errno code, e.g. ECONNREFUSED, EHOSTUNREACH. */
  errorCode?: string;
  /** The payload came back intact. */
  echoed: boolean;
  /** payloadDigest of the request and of the reply it expects (UDP), to tell apart attempts that share a tuple. */
  payloadDigests?: number[];
  /** Payload bytes of the request, when the flow set `size:`. */
  size?: number;
  startedAt: number; // epoch seconds
  connectMs?: number;
  totalMs: number;
  /** A long-lived flow's one session: every message it sent and what came back (src/protocols/*-session.ts). */
  session?: SessionRecord;
}

/** What became of one message of a long-lived flow, as the client saw it. */
export type MessageOutcome = 'echoed' | 'lost' | 'reset' | 'unreachable' | 'unsent';

export interface MessageRecord {
  /** 0-based; message i is due at the session's start + i × intervalMs. */
  index: number;
  /** Epoch seconds it was handed to the kernel; absent when it never was (the session was over). */
  sentAt?: number;
  /** Epoch seconds its echo was back in full. */
  echoedAt?: number;
  outcome: MessageOutcome;
  /** UDP: digests of the request and of its echo, which tell its packets apart. */
  payloadDigests?: number[];
  /** ICMP: the echo request's sequence number. */
  seq?: number;
}

export interface SessionRecord {
  durationMs: number;
  intervalMs: number;
  /** Bytes of each message: TCP, one fixed-length line, so message i is bytes i×n..(i+1)×n-1 of the stream. */
  messageBytes: number;
  messages: MessageRecord[];
}

/** One event of the lab's `events:` as it really happened (src/events/schedule.ts). */
export interface EventRecord {
  /** Its place in `events:`. */
  index: number;
  kind: 'link' | 'node' | 'bgp' | 'flush-conntrack' | 'exec';
  /** In words: "link ce-er:eth2–msee:eth1 down (silent)". */
  label: string;
  /** When it was due, ms after time 0. */
  atMs: number;
  /** Epoch seconds its commands started and ended; absent when it never ran (an earlier one failed). */
  startedAt?: number;
  endedAt?: number;
  ok: boolean;
  /** Why it failed: the command, its exit and its error output. */
  error?: string;
  /** Which way it moved its object: a link, node or neighbour going down, or coming back. */
  effect?: 'down' | 'up' | 'other';
  /** The interfaces whose packets it stops or lets through again: a link's two ends, every link of a node. */
  interfaces?: { node: string; iface: string }[];
  /** The node it acts on (a node, bgp, flush-conntrack or exec event). */
  node?: string;
  /** A link down with silent: true: carrier kept, every packet lost in between. */
  silent?: boolean;
  /** The command lines asymlab ran for it, for the record. */
  commands?: string[];
  /** An exec event's output (trimmed). */
  output?: string;
}

/** The run's clock: time 0 (when the flows started, epoch seconds) and what happened when. */
export interface Timeline {
  t0: number;
  events: EventRecord[];
}

export interface RunEvidence {
  lab: LabView;
  captures: CapturePoint[];
  nflog: NflogCapture[];
  conntrack: ConntrackEvent[];
  counters: RuleCounter[];
  kernel: KernelCounters[];
  routes: NodeRoutes[];
  connections: ConnectionRecord[];
  /** A timed run (events, start-ms, long-lived flows): time 0 and the events as they happened. */
  timeline?: Timeline;
}

/** Where one packet was seen: the hops in time order. */
export interface Sighting {
  node: string;
  iface: string;
  direction: 'in' | 'out';
  ts: number;
  src: string;
  dst: string;
  srcPort?: number;
  dstPort?: number;
  /** IPv4 identification: the tie-breaker between copies of one packet (retransmissions). */
  ipId?: number;
}

export interface PacketTrace {
  /** SYN, SYN-ACK, ACK, DATA, FIN, RST; REQUEST, REPLY (UDP); ECHO-REQUEST, ECHO-REPLY (ICMP). */
  label: string;
  direction: 'forward' | 'return';
  sightings: Sighting[];
  /** Node where it was last seen, and whether it was delivered to its destination socket's node. */
  lastNode?: string;
  lastIface?: string;
  delivered: boolean;
  /** The identity the trace was matched on across hops (NAT never changes it); TCP's, set by its protocol. */
  flags?: string;
  seq?: number;
  ack?: number;
  payloadLength?: number;
  /** UDP and ICMP echo: the payload's digest (see pcap/transport.ts payloadDigest). */
  payloadDigest?: number;
  /** IP length of the packet (header included) as first captured: what a link's MTU is compared with. */
  ipLength?: number;
  /** How many copies were sent (1 + retransmissions), counted at the node that sent it. */
  copies?: number;
  /** ConnectionRecord.attempt this packet belongs to. */
  attempt?: number;
  /** Node that sent it (the client, the server, or a firewall answering for them). */
  origin?: string;
}

export type DropReason = 'wrong-owner' | 'firewall-rule' | 'mtu' | 'no-route' | 'rp-filter' | 'link-down' | 'drop-rule' | 'chain-policy' | 'unknown';

/** An ICMP error about one of the flow's packets (icmp-fate.ts): who sent it, where it went, where it ended. */
export interface IcmpErrorTrace {
  /** "ICMP fragmentation needed", "ICMPv6 packet too big", "ICMP port unreachable"… */
  name: string;
  /** The node that sent it. */
  sender: string;
  /** The label of the packet it quotes (DATA, REQUEST, ECHO-REQUEST…). */
  about: string;
  /** Fragmentation needed / packet too big: the MTU it names. */
  mtu?: number;
  /** Its addresses as sent. */
  src: string;
  dst: string;
  /** Nodes it crossed, the sender first. */
  path: string[];
  /** It reached the node owning its destination. */
  delivered: boolean;
  /** Where it was last seen, when it never arrived, and the interface it entered there by. */
  diedAt?: string;
  iface?: string;
  /** The drop rule that logged it there, and that rule's counter. */
  nflogPrefix?: string;
  counter?: { before: number; after: number };
  /** Errors that took this same way (one per retransmission of the packet they quote). */
  copies: number;
}

export interface DropEvidence {
  reason: DropReason;
  node: string;
  /** Interface the packet entered the node by. */
  iface?: string;
  /** The packet that died: SYN, SYN-ACK, … */
  packet: string;
  /** Human sentences, each one a fact from the captures, counters or tables. */
  facts: string[];
  nflogPrefix?: string;
  ruleIndex?: number;
  chain?: string;
  /** The table of the cited rule or policy: `filter` (iptables), `inet filter` (nftables). */
  table?: string;
  conntrackEntry?: boolean;
  /** How conntrack classed the packet, where that explains the rule: NEW for a stray UDP reply, which default-drop then drops. */
  ctstate?: 'NEW';
  /** The rule's label from its NFLOG prefix: invalid, not-allowed, default-drop or a user label. */
  ruleLabel?: string;
  /** Packet counter of the cited rule, before and after the flows. */
  counter?: { before: number; after: number };
  /** The kernel counter that moved, e.g. Ip.OutNoRoutes, with its values. */
  kernelCounter?: { name: string; before: number; after: number };
  /** Set when lossy captures kept the analysis from placing or explaining the drop. */
  inconclusive?: string;
  /** reason mtu: the interface that could not take the packet, its MTU, and the packet's IP length. */
  mtu?: { node: string; iface?: string; mtu: number; size?: number };
  /** reason mtu: what became of the fragmentation needed / packet too big, in a phrase; or that none was sent. */
  icmpFate?: string;
  /** reason link-down: the event that had taken the node's link down when the packet came. */
  linkDown?: { iface: string; event: number; label: string; sinceMs: number };
}

/**
 * One phase of a long-lived flow (src/analysis/phases.ts): a run of its transmissions that met the
 * same fate. Boundaries come from the packets: a phase starts with the first packet sent that
 * fared otherwise than the one before it.
 */
export interface PhaseVerdict {
  /** "delivered", "dropped at fw-inet": the fate, short. */
  name: string;
  /** ms after time 0: its first transmission, and the next phase's first (the last: the flow's last transmission). */
  fromMs: number;
  toMs: number;
  result: FlowResult;
  at?: string;
  path: string[];
  returnPath: string[];
  /** Transmissions in it (first sends and retransmissions alike). */
  transmissions: number;
  /** Messages whose first transmission fell in it: first and last index, and how many. */
  messages: { first: number; last: number; count: number };
  /** Why its packets died (failure phases), with the facts, as for a flow. */
  drop?: DropEvidence;
  /** One line: "delivered via …", "DATA entered fw-inet:eth1 and never left; fw-inet had no conntrack entry (…)". */
  summary: string;
  /** The event it followed: the last one that ran before its first transmission. */
  after?: { event: number; label: string; atMs: number };
  /** A delivered phase after a failure: ms from the event the failure followed to the first message through again. */
  failoverMs?: number;
  /** That event. */
  failoverFrom?: { event: number; label: string; atMs: number };
}

/** One message of a long-lived flow as the verdict sees it: the client's outcome and the phase of its first transmission. */
export interface MessageVerdict {
  index: number;
  /** ms after time 0. */
  sentMs?: number;
  echoedMs?: number;
  outcome: MessageOutcome;
  phase?: number;
  result?: FlowResult;
  at?: string;
}

export interface FlowVerdict {
  name: string;
  from: string;
  to: string; // address:port
  result: FlowResult;
  /** Where it died, for dropped / unreachable. */
  at?: string;
  path: string[];
  returnPath: string[];
  asymmetric: boolean;
  drop?: DropEvidence;
  connections: ConnectionRecord[];
  packets: PacketTrace[];
  expected?: FlowExpect;
  pass: boolean;
  /** Plain sentences on each way the flow missed `expect`, e.g. "expected delivered, got dropped at fw-er". */
  mismatches: string[];
  /** Warnings: lossy capture, missing evidence. */
  warnings: string[];
  /** One-line human summary: "SYN-ACK entered fw-inet:eth2 and never left; ...". */
  summary: string;
  /** The ICMP errors about the flow's packets (those of the attempt the verdict rests on), when any was captured. */
  icmpErrors?: IcmpErrorTrace[];
  /** A long-lived flow: its phases in time order (its result, at and paths are its last phase's). */
  phases?: PhaseVerdict[];
  /** A long-lived flow: every message's outcome. */
  messages?: MessageVerdict[];
  /** Sentences about the flow across phases and flows: failover times, a session that survived or died and why, new connections that worked. */
  findings?: string[];
}
