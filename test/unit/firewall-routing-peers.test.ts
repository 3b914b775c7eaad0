/** A firewall's own routing peers, which its INPUT lets in: from its bgp: section or its raw frr-config. */
import { describe, expect, it } from 'vitest';
import { filterPolicy } from '../../src/firewall/policy.js';
import { routingPeers } from '../../src/firewall/routing-peers.js';
import type { LabNode } from '../../src/topology/types.js';

const node: LabNode = { name: 'fw', kind: 'firewall', interfaces: [{ name: 'eth1', addresses: ['10.0.0.1/30'] }], loopbacks: [], routes: [], sysctls: {}, exec: [], binds: [], firewall: { inside: [], allow: [], snat: [], dnat: [] } };

const RAW = `frr version 8.4
router bgp 65001
 neighbor 10.0.0.2 remote-as 65002
 neighbor 10.0.0.2 bfd
 neighbor 2001:db8::2 remote-as 65002
 neighbor UPSTREAM peer-group
 neighbor eth2 interface remote-as external
exit
router ospf
 network 10.0.0.0/30 area 0
exit
`;

describe('routing peers', () => {
  it('are none on a node without FRR', () => {
    expect(routingPeers(node)).toEqual({ bgp: [], bfd: false, ospf: false, ospf6: false });
  });

  it("come from a raw frr-config's neighbours and daemons; peer groups and interface names are not addresses", () => {
    expect(routingPeers({ ...node, frrConfig: '/lab/fw.conf' }, RAW)).toEqual({ bgp: ['10.0.0.2', '2001:db8::2'], bfd: true, ospf: true, ospf6: false });
  });

  it('become INPUT rules of their family: BGP and BFD from each neighbour, OSPF by protocol', () => {
    const input = (family: 4 | 6) => filterPolicy({ ...node, frrConfig: '/lab/fw.conf' }, family, { frrConfigText: RAW })[0].rules.filter((r) => r.match.comment);
    expect(input(4).map((r) => [r.match.src, r.match.proto ?? r.match.ipProto, r.match.dports, r.match.comment])).toEqual([
      ['10.0.0.2', 'tcp', [179], 'bgp peer'],
      ['10.0.0.2', 'udp', [3784, 3785, 4784], 'bfd peer'],
      [undefined, 89, undefined, 'ospf'],
    ]);
    expect(input(6).map((r) => [r.match.src, r.match.comment])).toEqual([
      ['2001:db8::2', 'bgp peer'],
      ['2001:db8::2', 'bfd peer'],
    ]);
  });
});
