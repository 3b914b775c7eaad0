import { describe, expect, it } from 'vitest';
import { expectations } from '../../src/lab/converge.js';
import { macFor, parseResourceName, planLab, resourceName } from '../../src/plan/plan.js';
import { loadLab } from '../../src/topology/load.js';
import type { Lab } from '../../src/topology/types.js';

async function lab(text: string): Promise<Lab> {
  return loadLab('/lab/lab.yaml', { fs: { readFile: async () => text, exists: async () => true }, exists: () => true });
}

const CHAIN = `
name: chain
topology:
  nodes:
    client: {kind: host, interfaces: {eth1: 10.0.1.10/24}, routes: [{to: default, via: 10.0.1.1}]}
    r1:
      kind: router
      interfaces: {eth1: 10.0.1.1/24, eth2: 100.64.0.1/30}
      bgp:
        asn: 65001
        networks: [10.0.1.0/24, 192.0.2.0/24]
        neighbors: [{address: 100.64.0.2, remote-as: 65002, advertise: [10.0.1.0/24]}]
    r2:
      kind: router
      interfaces: {eth1: 100.64.0.2/30, eth2: 10.0.2.1/24}
      bgp:
        asn: 65002
        networks: [10.0.2.0/24, 198.51.100.0/24]
        neighbors: [{address: 100.64.0.1, remote-as: 65001, accept: [10.0.0.0/8]}]
    fw: {kind: firewall, interfaces: {eth1: 10.0.2.2/24, eth2: 10.0.3.1/24}, routes: [{to: default, via: 10.0.2.1}]}
    server: {kind: host, interfaces: {eth1: 10.0.3.10/24}, routes: [{to: default, via: 10.0.3.1}]}
  links:
    - endpoints: ["client:eth1", "r1:eth1"]
    - endpoints: ["r1:eth2", "r2:eth1"]
    - endpoints: ["r2:eth2", "fw:eth1"]
    - endpoints: ["fw:eth2", "server:eth1"]
`;

describe('macFor', () => {
  it('is locally administered unicast, naming node and interface', () => {
    expect(macFor(0, 0)).toBe('02:a5:00:00:00:01');
    expect(macFor(3, 2)).toBe('02:a5:00:03:02:01');
    expect(macFor(0x1234, 7)).toBe('02:a5:12:34:07:01');
    const first = parseInt(macFor(5, 5).slice(0, 2), 16);
    expect(first & 1).toBe(0); // unicast
    expect(first & 2).toBe(2); // locally administered
  });

  it('gives every node and interface its own MAC', () => {
    const macs = new Set<string>();
    for (let n = 0; n < 300; n++) for (let i = 0; i < 8; i++) macs.add(macFor(n, i));
    expect(macs.size).toBe(300 * 8);
  });
});

describe('planLab', () => {
  it('names namespaces after lab and node, and parses them back', async () => {
    const plan = planLab(await lab(CHAIN));
    expect(plan.nodes.map((n) => n.ns)).toEqual(['asymlab_chain_client', 'asymlab_chain_r1', 'asymlab_chain_r2', 'asymlab_chain_fw', 'asymlab_chain_server']);
    expect(resourceName('my-lab', 'fw-1')).toBe('asymlab_my-lab_fw-1');
    expect(parseResourceName('asymlab_my-lab_fw-1')).toEqual({ lab: 'my-lab', node: 'fw-1' });
    expect(parseResourceName('asymlab_my_lab_fw')).toBeUndefined();
    expect(parseResourceName('other_lab_fw')).toBeUndefined();
  });

  it('gives deterministic MACs by node and interface order', async () => {
    const a = planLab(await lab(CHAIN));
    const b = planLab(await lab(CHAIN));
    expect(a.nodes.map((n) => n.macs)).toEqual(b.nodes.map((n) => n.macs));
    expect(a.nodes[1].macs).toEqual({ eth1: '02:a5:00:01:00:01', eth2: '02:a5:00:01:01:01' });
    expect(a.nodes[4].macs).toEqual({ eth1: '02:a5:00:04:00:01' });
    const all = a.nodes.flatMap((n) => Object.values(n.macs));
    expect(new Set(all).size).toBe(all.length);
  });

  it('runs FRR on routers and BGP speakers, a firewall on firewalls', async () => {
    const plan = planLab(await lab(CHAIN));
    expect(plan.nodes.map((n) => `${n.node.name}:${n.frr ? 'frr' : '-'}:${n.firewall ? 'fw' : '-'}`)).toEqual([
      'client:-:-',
      'r1:frr:-',
      'r2:frr:-',
      'fw:-:fw',
      'server:-:-',
    ]);
  });
});

describe('expectations (what up waits for)', () => {
  it('expects every session, and each network in the peer that its filters let through', async () => {
    const { sessions, routes } = expectations(planLab(await lab(CHAIN)));
    expect(sessions).toEqual([
      { node: 'r1', peer: '100.64.0.2', peerNode: 'r2' },
      { node: 'r2', peer: '100.64.0.1', peerNode: 'r1' },
    ]);
    // r1 advertises only 10.0.1.0/24 (192.0.2.0/24 stays home), which r2's accept (10.0.0.0/8 and
    // longer) lets in; r2 advertises all its networks and r1 accepts everything
    expect(routes).toEqual([
      { node: 'r2', prefix: '10.0.1.0/24', from: 'r1' },
      { node: 'r1', prefix: '10.0.2.0/24', from: 'r2' },
      { node: 'r1', prefix: '198.51.100.0/24', from: 'r2' },
    ]);
  });
});
