/** The one lab index: which node owns an address, for topology, traffic and analysis alike. */
import { describe, expect, it } from 'vitest';
import { analysisLab } from '../../src/analysis/lab-index.js';
import { indexLab, nodeAddresses, ownerOf, owns } from '../../src/net/lab-index.js';
import { ownerOf as topologyOwnerOf } from '../../src/topology/addresses.js';
import type { LabNode } from '../../src/topology/types.js';

const node = (name: string, addrs: string[], loopbacks: string[] = []): LabNode => ({
  name,
  kind: 'router',
  interfaces: [{ name: 'eth1', addresses: addrs }],
  loopbacks,
  routes: [],
  sysctls: {},
  exec: [],
  binds: [],
});
const nodes = [node('a', ['10.0.0.1/24', '2001:db8::1/64']), node('b', ['10.0.0.2/24'], ['192.0.2.1/32', '2001:DB8:FF::1/128'])];

describe('lab index', () => {
  it('names the owner and interface of an address, however it is spelled', () => {
    const lab = indexLab(nodes, [[{ node: 'a', iface: 'eth1' }, { node: 'b', iface: 'eth1' }]]);
    expect(lab.ownerOf('2001:DB8:0::1')).toEqual({ node: nodes[0], iface: 'eth1' });
    expect(lab.ownerOf('2001:db8:ff::1')).toEqual({ node: nodes[1], iface: 'lo' });
    expect(lab.ownerOf('10.0.0.9')).toBeUndefined();
    expect(lab.owns('b', '192.0.2.1')).toBe(true);
    expect(lab.owns('a', '192.0.2.1')).toBe(false);
    expect(lab.node('b')).toBe(nodes[1]);
    expect(lab.peer('a', 'eth1')).toEqual({ node: 'b', iface: 'eth1' });
  });

  it('gives the same answers through topology, the helpers and the analysis', () => {
    expect(topologyOwnerOf(nodes, '192.0.2.1')).toBe(nodes[1]);
    expect(ownerOf(nodes, '2001:db8::1')).toBe(nodes[0]);
    expect(owns(nodes[0], '2001:0db8:0:0::1')).toBe(true);
    expect(nodeAddresses(nodes[1])).toEqual(['10.0.0.2', '192.0.2.1', '2001:db8:ff::1']);
    const view = { nodes: nodes.map((n, i) => ({ ...n, interfaces: n.interfaces.map((x) => ({ ...x, mac: `02:00:00:00:00:0${i}` })) })), links: [] };
    const lab = analysisLab({ lab: view, captures: [] });
    expect(lab.addressOwner('2001:DB8::1')).toBe('a');
    expect(lab.macOwner('02:00:00:00:00:01'.toUpperCase())).toEqual({ node: 'b', iface: 'eth1' });
  });
});
