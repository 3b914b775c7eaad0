/** The normalised lab: what the loader returns once inheritance is resolved and every rule passed. */
import type { ProtocolName } from '../protocols/names.js';

import type { RuntimeName } from '../runtime/registry.js';

/** A kind registered in src/kinds/registry.ts; loading refuses any other. */
export type NodeKind = string;
/** The registry's runtimes (src/runtime/registry.ts). */
export type RuntimeKind = RuntimeName;

export interface Route {
  /** A prefix, or `default` (stored as 0.0.0.0/0 or ::/0). */
  to: string;
  via?: string;
  dev?: string;
  /** `bfd: true`: asked for, refused by validation (FRR 8.4's staticd cannot track a route by BFD). */
  bfd?: boolean;
}

export interface BgpNeighbor {
  address: string;
  remoteAs: number;
  /** Outbound prefix filter; undefined = everything. */
  advertise?: string[];
  /** Inbound prefix filter (le 32); undefined = everything. */
  accept?: string[];
  localPref?: number;
  prepend?: number;
  defaultOriginate: boolean;
  /** Extra outbound MED; optional. */
  med?: number;
  /** `bfd: true`: BFD with this neighbour (bfdd, the lab's BFD profile); a dead path drops the session in ~300 ms. */
  bfd?: boolean;
}

export interface Bgp {
  asn: number;
  routerId: string;
  networks: string[];
  neighbors: BgpNeighbor[];
  /** Redistribute connected / static routes into BGP. */
  redistribute: ('connected' | 'static')[];
}

export interface FirewallAllow {
  in?: string;
  out?: string;
  proto?: 'tcp' | 'udp' | 'icmp';
  src?: string;
  dst?: string;
  dport?: number;
  /** `to: self`: connections to the firewall itself (its INPUT), not through it. */
  to?: 'self';
}

export interface SnatRule {
  out?: string;
  src?: string;
  dst?: string;
  /** An address, or `masquerade`. */
  to: string;
}

export interface DnatRule {
  in?: string;
  proto?: 'tcp' | 'udp';
  dst: string;
  dport?: number;
  /** `addr` or `addr:port`. */
  to: string;
}

export interface Firewall {
  /** `backend:`, as written: the plan takes src/firewall/registry.ts's default when absent. */
  backend?: string;
  inside: string[];
  allow: FirewallAllow[];
  snat: SnatRule[];
  dnat: DnatRule[];
  /** Drop every ICMP packet it forwards, errors related to a connection included (the PMTUD black hole). */
  dropIcmp?: boolean;
  /** Rewrite the MSS option of forwarded TCP SYNs down to this (the usual cure for a PMTUD black hole). */
  clampMss?: number;
}

export interface Interface {
  name: string;
  /** Prefixes in CIDR form (address/len), IPv4 or IPv6. */
  addresses: string[];
  /** Set from the link's `mtu:` or the node's `mtu:` map; the kernel's default (1500) otherwise. */
  mtu?: number;
}

export interface LabNode {
  name: string;
  kind: NodeKind;
  group?: string;
  image?: string;
  interfaces: Interface[];
  loopbacks: string[];
  routes: Route[];
  sysctls: Record<string, string>;
  exec: string[];
  binds: string[];
  bgp?: Bgp;
  /** Absolute path of a raw FRR config, used as is. */
  frrConfig?: string;
  firewall?: Firewall;
  /** Absolute path of an iptables-save file, used as is. */
  iptables?: string;
  /** Absolute path of an ip6tables-save file, used as is. */
  ip6tables?: string;
  /** Absolute path of an `nft list ruleset` dump, used as is. */
  nftables?: string;
}

export interface LinkEndpoint {
  node: string;
  iface: string;
}

export interface Link {
  endpoints: [LinkEndpoint, LinkEndpoint];
  /** Both ends' MTU, unless a node's `mtu:` says otherwise for its end. */
  mtu?: number;
}

export type FlowResult = 'delivered' | 'dropped' | 'reset' | 'unreachable' | 'ttl-exceeded';

export interface FlowExpect {
  result?: FlowResult;
  at?: string;
  path?: string[];
  returnPath?: string[];
  asymmetric?: boolean;
  /** A long-lived flow: what each window of its life should settle to (src/analysis/phases.ts). */
  phases?: PhaseExpect[];
}

/**
 * One window of a long-lived flow's life, on the events' clock (ms after the flows start): the
 * phase in effect at the window's last message must show this. A missing from-ms is the flow's
 * start, a missing until-ms its end.
 */
export interface PhaseExpect {
  fromMs?: number;
  untilMs?: number;
  result?: FlowResult;
  at?: string;
  path?: string[];
  returnPath?: string[];
}

export interface Flow {
  name: string;
  /** `proto:`; absent means tcp. */
  protocol?: ProtocolName;
  from: string;
  /** Destination address and port; the port is 0 for a protocol without ports (ICMP). */
  toAddress: string;
  toPort: number;
  /** `source-port:`: the first (TCP) or every (UDP) attempt's source port; the flow runner picks one otherwise. */
  sourcePort?: number;
  /** `size:`: payload bytes of each request (TCP: the one data segment), DF set; the agent's small default otherwise. */
  size?: number;
  /** Source address to bind, if set. */
  source?: string;
  /** The node that listens. */
  server: string;
  count: number;
  timeoutMs: number;
  trace: boolean;
  expect?: FlowExpect;
  /** `start-ms:` when the flow starts, on the events' clock; absent: at 0. */
  startMs?: number;
  /** `duration-ms:` a long-lived flow: one connection (tcp) or one 5-tuple (udp, icmp) sending a message every intervalMs. */
  durationMs?: number;
  /** `interval-ms:` a long-lived flow's message interval. */
  intervalMs?: number;
}

/** What one `events:` entry does (docs/lab-format.md#events); `atMs` is on the flows' clock, `index` its place in the file. */
export type ScheduledEvent =
  | { kind: 'link'; index: number; atMs: number; endpoints: [LinkEndpoint, LinkEndpoint]; state: 'down' | 'up'; silent: boolean }
  | { kind: 'node'; index: number; atMs: number; node: string; action: 'stop' | 'start' }
  | { kind: 'bgp'; index: number; atMs: number; node: string; neighbor: string; action: 'shutdown' | 'enable' }
  | { kind: 'flush-conntrack'; index: number; atMs: number; node: string }
  | { kind: 'exec'; index: number; atMs: number; node: string; command: string };

export interface Lab {
  name: string;
  /** The lab file, absolute. */
  file: string;
  /** The folder relative paths resolve against. */
  dir: string;
  runtime: RuntimeKind;
  description?: string;
  nodes: LabNode[];
  links: Link[];
  flows: Flow[];
  /** `events:` in time order as written; absent or empty: nothing happens during the run. */
  events?: ScheduledEvent[];
}
