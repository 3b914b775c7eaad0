/**
 * What a firewall's own routing needs to reach it: the sessions and hellos its FRR runs, derived
 * from the lab (its `bgp:` neighbours) or its raw frr-config (`neighbor X remote-as`, the daemons
 * the config starts). The generated policy accepts them on INPUT, so a firewall that protects
 * itself keeps its BGP sessions, BFD and OSPF adjacencies without the user listing them. Pure.
 */
import { frrDaemonsOf } from '../render/frr.js';
import type { LabNode } from '../topology/types.js';
import { familyOf, isAddress } from '../util/ip.js';

export interface RoutingPeers {
  /** Addresses of its BGP neighbours: they may open a session to TCP port 179. */
  bgp: string[];
  /** BFD runs (bfdd): control and echo packets from the BGP neighbours (UDP 3784, 3785, multihop 4784). */
  bfd: boolean;
  /** OSPF runs (ospfd): IP protocol 89 in IPv4. */
  ospf: boolean;
  /** OSPFv3 runs (ospf6d): IP protocol 89 in IPv6. */
  ospf6: boolean;
}

/** `neighbor 100.64.1.1 remote-as 65001` lines of a raw FRR config; peer groups and interface names are skipped. */
function neighborsOf(config: string): string[] {
  const out: string[] = [];
  for (const m of config.matchAll(/^\s*neighbor\s+(\S+)\s+remote-as\s/gm)) if (isAddress(m[1])) out.push(m[1]);
  return out;
}

/** The routing peers of a node; `frrConfigText` is its raw frr-config as read by the plan, if it has one. */
export function routingPeers(node: LabNode, frrConfigText?: string): RoutingPeers {
  const runsFrr = node.bgp !== undefined || node.frrConfig !== undefined;
  if (!runsFrr) return { bgp: [], bfd: false, ospf: false, ospf6: false };
  const daemons = new Set<string>(frrDaemonsOf(node, frrConfigText));
  const bgp = node.frrConfig !== undefined ? neighborsOf(frrConfigText ?? '') : (node.bgp?.neighbors.map((n) => n.address) ?? []);
  return { bgp: [...new Set(bgp)], bfd: daemons.has('bfdd'), ospf: daemons.has('ospfd'), ospf6: daemons.has('ospf6d') };
}

/** The peers of one family. */
export function peersOfFamily(peers: RoutingPeers, family: 4 | 6): string[] {
  return peers.bgp.filter((a) => familyOf(a) === family);
}
