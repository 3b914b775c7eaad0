/**
 * A firewall's `firewall:` intent as an ordered list of filter rules per chain and family, which
 * every backend prints in its own syntax (iptables-render.ts, nftables-render.ts), so the backends
 * enforce the same policy rule for rule. Pure.
 *
 * FORWARD: established and related pass; invalid drops; new connections pass from `inside`
 * interfaces and `allow` rules; everything else drops.
 * INPUT (the firewall itself): loopback, IPv6 neighbour discovery, established and related pass;
 * invalid drops; new connections pass from `inside` interfaces, from `allow` rules that say
 * `to: self`, and from its own routing peers (routing-peers.ts); everything else drops.
 * OUTPUT stays open: what the firewall sends itself is not the policy's business.
 * Every drop is logged to NFLOG first (the backend writes the prefix).
 */
import type { Firewall, FirewallAllow, LabNode } from '../topology/types.js';
import { familyOf } from '../util/ip.js';
import { peersOfFamily, routingPeers, type RoutingPeers } from './routing-peers.js';

export type Family = 4 | 6;
export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID';
export type FilterChainName = 'INPUT' | 'FORWARD';

/** IPv6 neighbour discovery: conntrack tracks none of it (ctstate INVALID), yet nothing works without it. */
export const ND_TYPES = ['router-solicitation', 'router-advertisement', 'neighbour-solicitation', 'neighbour-advertisement'] as const;

export interface PolicyMatch {
  iif?: string;
  oif?: string;
  src?: string;
  /** `icmp` means the family's own (ICMPv6 in IPv6). */
  proto?: 'tcp' | 'udp' | 'icmp';
  /** An IP protocol by number (89: OSPF). */
  ipProto?: number;
  dports?: number[];
  /** ICMPv6 types by iptables name (IPv6 only). */
  icmp6?: readonly string[];
  ct?: CtState[];
  /** The connection's original addresses: after DNAT the packet's own are the inside ones. */
  orig?: { src?: string; dst?: string; dport?: number };
  comment?: string;
}

export interface PolicyRule {
  /** The families it applies to: both, or the one its addresses (or protocol) belong to. */
  families: Family[];
  match: PolicyMatch;
  verdict: 'accept' | 'drop';
  /** Why a drop rule drops (invalid, default-drop, drop-icmp): the NFLOG prefix's last field. */
  label?: string;
}

export interface FilterChain {
  name: FilterChainName;
  rules: PolicyRule[];
}

const fam = (v: string | undefined): Family | undefined => (v === undefined ? undefined : familyOf(v));

/** Whether a rule with these addresses belongs in this family's ruleset. */
export function inFamily(family: Family, ...addrs: (string | undefined)[]): boolean {
  return addrs.every((a) => fam(a) === undefined || fam(a) === family);
}

/** Whether an allow rule opens connections to the firewall itself rather than through it. */
export const toSelf = (a: FirewallAllow): boolean => a.to === 'self';

const BOTH: Family[] = [4, 6];

function allowRule(a: FirewallAllow, k: number, families: Family[]): PolicyRule {
  const orig = { ...(a.src ? { src: a.src } : {}), ...(a.dst ? { dst: a.dst } : {}), ...(a.dport !== undefined ? { dport: a.dport } : {}) };
  return {
    families,
    match: { ...(a.in ? { iif: a.in } : {}), ...(a.out ? { oif: a.out } : {}), ...(a.proto ? { proto: a.proto } : {}), ct: ['NEW'], ...(Object.keys(orig).length ? { orig } : {}), comment: `allow[${k}]` },
    verdict: 'accept',
  };
}

/** `proto: icmp` is ICMPv4: an allow rule for it stays out of IPv6. */
function allows(fw: Firewall, self: boolean): PolicyRule[] {
  return fw.allow.flatMap((a, k) => {
    const families = BOTH.filter((f) => inFamily(f, a.src, a.dst) && !(a.proto === 'icmp' && f === 6));
    return toSelf(a) === self && families.length ? [allowRule(a, k, families)] : [];
  });
}

const stateful = (fw: Firewall): PolicyRule[] => [
  { families: BOTH, match: { ct: ['ESTABLISHED', 'RELATED'] }, verdict: 'accept' },
  { families: BOTH, match: { ct: ['INVALID'] }, verdict: 'drop', label: 'invalid' },
  ...fw.inside.map((i): PolicyRule => ({ families: BOTH, match: { iif: i, ct: ['NEW'] }, verdict: 'accept' })),
];

const defaultDrop: PolicyRule = { families: BOTH, match: {}, verdict: 'drop', label: 'default-drop' };

function forwardChain(fw: Firewall): FilterChain {
  return {
    name: 'FORWARD',
    rules: [
      // Before the stateful rules, so ICMP errors related to a connection die too: the PMTUD black hole.
      ...(fw.dropIcmp ? [{ families: BOTH, match: { proto: 'icmp' }, verdict: 'drop', label: 'drop-icmp' } satisfies PolicyRule] : []),
      ...stateful(fw),
      ...allows(fw, false),
      defaultDrop,
    ],
  };
}

/** New connections of the firewall's own routing: BGP from its neighbours, BFD from them, OSPF hellos. */
function routingRules(peers: RoutingPeers): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const family of BOTH) {
    for (const src of peersOfFamily(peers, family)) {
      out.push({ families: [family], match: { src, proto: 'tcp', dports: [179], ct: ['NEW'], comment: 'bgp peer' }, verdict: 'accept' });
      if (peers.bfd) out.push({ families: [family], match: { src, proto: 'udp', dports: [3784, 3785, 4784], ct: ['NEW'], comment: 'bfd peer' }, verdict: 'accept' });
    }
  }
  if (peers.ospf) out.push({ families: [4], match: { ipProto: 89, comment: 'ospf' }, verdict: 'accept' });
  if (peers.ospf6) out.push({ families: [6], match: { ipProto: 89, comment: 'ospf6' }, verdict: 'accept' });
  return out;
}

function inputChain(fw: Firewall, peers: RoutingPeers): FilterChain {
  return {
    name: 'INPUT',
    rules: [
      { families: BOTH, match: { iif: 'lo' }, verdict: 'accept' },
      { families: [6], match: { proto: 'icmp', icmp6: ND_TYPES }, verdict: 'accept' },
      ...stateful(fw),
      ...routingRules(peers),
      ...allows(fw, true),
      defaultDrop,
    ],
  };
}

/** What renders need besides the node: its raw frr-config's text, for the routing peers. */
export interface RenderContext {
  frrConfigText?: string;
}

/** The filter chains of a node's firewall, both families, each rule saying which it applies to. */
export function filterChains(node: LabNode, ctx: RenderContext = {}): FilterChain[] {
  const fw = node.firewall!;
  return [inputChain(fw, routingPeers(node, ctx.frrConfigText)), forwardChain(fw)];
}

/** The filter chains of one family, in the order the kernel walks them. */
export function filterPolicy(node: LabNode, family: Family, ctx: RenderContext = {}): FilterChain[] {
  return filterChains(node, ctx).map((c) => ({ ...c, rules: c.rules.filter((r) => r.families.includes(family)) }));
}
