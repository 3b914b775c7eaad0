/** The normalised lab: what the loader returns once inheritance is resolved and every rule passed. */
import type { ProtocolName } from '../protocols/names.js';

import type { RuntimeName } from '../runtime/registry.js';
import type { LabDialect } from '../kinds/registry.js';

/** A kind registered in src/kinds/registry.ts; loading refuses any other. */
export type NodeKind = string;
/** The registry's runtimes (src/runtime/registry.ts). */
export type RuntimeKind = RuntimeName;

export interface Route {
  /** A prefix, or `default` (stored as 0.0.0.0/0 or ::/0). */
  to: string;
  via?: string;
  dev?: string;
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
  /**
   * Addresses the node puts on itself (a containerlab node's exec lines or FRR config): also in
   * `addresses`, so the lab knows their owner, but asymlab does not add them.
   */
  selfAddresses?: string[];
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
  /** The key that named frrConfig, for messages: `frr-config` (the default), `startup-config`, `binds[1]`. */
  frrConfigKey?: string;
  /** Absolute path of an FRR `daemons` file bound at /etc/frr/daemons: the daemons it enables are those that run. */
  frrDaemons?: string;
  /** Its key: `binds[0]`. */
  frrDaemonsKey?: string;
  /** `env:`: the environment of the node's exec lines. */
  env?: Record<string, string>;
  firewall?: Firewall;
  /** Absolute path of an iptables-save file, used as is. */
  iptables?: string;
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
}

export interface Lab {
  name: string;
  /** `containerlab` for a containerlab topology file, or a lab that extends one or uses its keys or kinds. */
  dialect?: LabDialect;
  /** The lab file, absolute. */
  file: string;
  /** The folder relative paths resolve against. */
  dir: string;
  runtime: RuntimeKind;
  description?: string;
  /** `image-map:`: images the lab names, run on others that are here (docker; --image-map wins). */
  imageMap?: Record<string, string>;
  nodes: LabNode[];
  links: Link[];
  flows: Flow[];
}
