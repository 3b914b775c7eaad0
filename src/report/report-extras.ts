/**
 * The parts of report.json (revision 2) that come from the lab and the run folder rather than the
 * verdicts: the topology as drawn, what each node's kernel showed, and the capture files. Pure.
 */
import { parseConntrack } from '../analysis/parse-conntrack.js';
import { kernelCounters, nodeRoutes } from '../analysis/parse-counters.js';
import { describeConntrack, describeRoute } from '../analysis/node-state.js';
import { firewallCounters, type StoredFirewall } from '../firewall/counters.js';
import type { Capabilities } from '../kinds/kind.js';
import { profileOf } from '../kinds/profile.js';
import type { Lab, NodeKind } from '../topology/types.js';

export interface ReportTopology {
  nodes: {
    name: string;
    kind: NodeKind;
    /** What the node does, from its kind and services; absent in older reports (the kind's own then). */
    capabilities?: Capabilities;
    group?: string;
    interfaces: { name: string; addresses: string[] }[];
    loopbacks: string[];
    /** Configuration worth a glance, one line each: static routes, BGP, firewall NAT. */
    config: string[];
  }[];
  links: { a: { node: string; iface: string }; b: { node: string; iface: string } }[];
}

export interface NodeEvidence {
  /** Conntrack events seen during the flows, then the entries listed after them (firewalls). */
  conntrack: string[];
  /** Firewall rules whose packet counter moved during the run; `family` 6 on a rule of the IPv6 ruleset. */
  counters: { family?: 6; table: string; chain: string; index: number; rule: string; before: number; after: number }[];
  /** Kernel SNMP counters that moved (Ip.OutNoRoutes, TcpExt.IPReversePathFilter, …). */
  kernel: { name: string; before: number; after: number }[];
  /** The routing table after the flows, one route per line as `ip route` would say it. */
  routes: string[];
}

export interface ReportCapture {
  node: string;
  /** The interface, or `nflog` for a firewall's drop log. */
  iface: string;
  /** Relative to the run folder, e.g. `captures/fw-b-eth2.pcap`. */
  file: string;
  bytes: number;
}

/** The lab's nodes and links as report.json carries them (the drawing needs nothing else). */
export function reportTopology(lab: Lab): ReportTopology {
  return {
    nodes: lab.nodes.map((n) => ({
      name: n.name,
      kind: n.kind,
      capabilities: profileOf(n).capabilities,
      ...(n.group ? { group: n.group } : {}),
      interfaces: n.interfaces.map((i) => ({ name: i.name, addresses: i.addresses })),
      loopbacks: n.loopbacks,
      config: [
        ...n.routes.map((r) => `route ${r.to}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`),
        ...(n.bgp ? [`bgp as ${n.bgp.asn} router-id ${n.bgp.routerId}`, ...n.bgp.neighbors.map((b) => `bgp neighbor ${b.address} as ${b.remoteAs}`)] : []),
        ...(n.firewall ? [`firewall inside: ${n.firewall.inside.join(', ') || '-'}`] : []),
        ...(n.firewall?.snat ?? []).map((r) => `snat${r.out ? ` out ${r.out}` : ''}${r.src ? ` src ${r.src}` : ''} to ${r.to}`),
        ...(n.firewall?.dnat ?? []).map((r) => `dnat ${r.dst}${r.dport ? `:${r.dport}` : ''} to ${r.to}`),
      ],
    })),
    links: lab.links.map((l) => ({ a: { ...l.endpoints[0] }, b: { ...l.endpoints[1] } })),
  };
}

/** One node's snapshot before and after the flows, and its conntrack events (evidence/ in a run folder). */
export interface NodeSnapshots {
  node: string;
  before?: { proc?: string } & StoredFirewall;
  after?: { proc?: string; conntrack?: string; routesV4?: string; routesV6?: string } & StoredFirewall;
  conntrackEvents?: string;
}

/** What a node's kernel showed, as the report's node panel lists it. */
export function nodeEvidence(s: NodeSnapshots): NodeEvidence {
  const conntrack = [...parseConntrack(s.node, s.conntrackEvents ?? ''), ...parseConntrack(s.node, s.after?.conntrack ?? '')].map(describeConntrack);
  const counters = firewallCounters(s.node, s.before, s.after)
    .filter((c) => c.packetsAfter > c.packetsBefore)
    .map((c) => ({ ...(c.family === 6 ? { family: 6 as const } : {}), table: c.table, chain: c.chain, index: c.index, rule: c.rule, before: c.packetsBefore, after: c.packetsAfter }));
  const k = kernelCounters(s.node, s.before?.proc ?? '', s.after?.proc ?? '');
  const kernel = Object.entries(k.after)
    .filter(([name, after]) => after > (k.before[name] ?? 0) && s.before?.proc !== undefined)
    .map(([name, after]) => ({ name, before: k.before[name] ?? 0, after }));
  const routes = nodeRoutes(s.node, [s.after?.routesV4 ?? '[]', s.after?.routesV6 ?? '[]']).routes.map(describeRoute);
  return { conntrack, counters, kernel, routes };
}
