/**
 * One address on several nodes' loopbacks (anycast, a NAT pool on two firewalls, a VIP): allowed,
 * answered by the lab index, and a flow to it must name its server. On interfaces (and so on a
 * link) an address stays unique. The analysis takes a packet kept by another owner as a finding.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.js';
import { LabError } from '../../src/errors.js';
import { indexLab } from '../../src/net/lab-index.js';
import { loadLab } from '../../src/topology/load.js';
import { Conn, EvidenceBuilder, expressRouteLab, flow, VIA_INET } from './helpers/evidence-builder.js';
import { memFs, yaml } from './helpers/lab-source.js';

const FILE = '/lab/lab.yaml';
const load = (text: string) => loadLab(FILE, { fs: memFs({ [FILE]: text }), exists: () => true });
const problems = async (text: string) => {
  const err = await load(text).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(LabError);
  return (err as LabError).problems.map((p) => [p.path, p.message, p.hint]);
};

const POOL = yaml(`
  name: pool
  topology:
    nodes:
      client: {kind: host, interfaces: {eth1: 10.1.0.10/24}, routes: [{to: default, via: 10.1.0.1}]}
      fw-a: {kind: firewall, interfaces: {eth1: 10.1.0.1/24, eth2: 10.0.1.1/30}, loopbacks: [203.0.113.100/32]}
      fw-b: {kind: firewall, interfaces: {eth1: 10.0.2.1/30}, loopbacks: [203.0.113.100/32]}
    links:
      - endpoints: ["client:eth1", "fw-a:eth1"]
      - endpoints: ["fw-a:eth2", "fw-b:eth1"]
  flows:
    - {name: to-pool, from: client, to: "203.0.113.100:443", server: fw-b}
`);

describe('shared addresses in the lab file', () => {
  it('may sit on several nodes loopbacks; the lab index answers every owner', async () => {
    const lab = await load(POOL);
    const ix = indexLab(lab.nodes);
    expect(ix.ownersOf('203.0.113.100').map((o) => [o.node.name, o.iface])).toEqual([
      ['fw-a', 'lo'],
      ['fw-b', 'lo'],
    ]);
    expect(ix.owns('fw-b', '203.0.113.100')).toBe(true);
    expect(ix.ownerOf('203.0.113.100')?.node.name).toBe('fw-a');
    expect(lab.flows[0].server).toBe('fw-b');
  });

  it('a flow to a shared address without server: is one clear error listing the owners', async () => {
    expect(await problems(POOL.replace(', server: fw-b}', '}'))).toEqual([
      ['flows[0].to', '203.0.113.100 is on several nodes (fw-a, fw-b), so the flow does not say which one listens', 'add `server: NODE`, one of: fw-a, fw-b'],
    ]);
  });

  it('on an interface, and so on a link, an address stays unique', async () => {
    const dup = POOL.replace('eth1: 10.0.2.1/30}', 'eth1: 10.0.1.1/30}');
    expect(await problems(dup)).toEqual([['topology.nodes.fw-b.interfaces.eth1', 'address 10.0.1.1 is also on fw-a (topology.nodes.fw-a.interfaces.eth2)', 'addresses must be unique in a lab']]);
    const onLoAndLink = POOL.replace('eth1: 10.0.2.1/30}, loopbacks: [203.0.113.100/32]', 'eth1: 10.0.2.1/30}, loopbacks: [10.0.1.1/32]');
    const [p] = await problems(onLoAndLink);
    expect(p).toEqual([
      'topology.nodes.fw-b.loopbacks[0]',
      'address 10.0.1.1 is also on fw-a (topology.nodes.fw-a.interfaces.eth2)',
      'only loopbacks may share an address (anycast, a shared NAT pool, a VIP): put it on lo on each node, or give this one another',
    ]);
  });
});

describe('the analysis with several owners', () => {
  /** fw-inet and fw-er both have the pool 198.51.100.100 on lo; the SYN leaves by fw-inet, NATed to it; the SYN-ACK comes back to fw-er. */
  function strayToPool(nflog?: string): EvidenceBuilder {
    const lab = expressRouteLab();
    for (const n of lab.view.nodes) if (n.name === 'fw-inet' || n.name === 'fw-er') n.loopbacks.push('198.51.100.100/32');
    const b = new EvidenceBuilder(lab);
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), VIA_INET, { nat: { 'fw-inet': { src: '198.51.100.100' } } });
    b.send(c.synAck({ dst: '198.51.100.100' }), ['srv', 'cloud', 'fw-er'], { at: b.t0 + 0.001, copies: 2, ...(nflog ? { nflog } : {}) });
    b.connection({ srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '10.9.0.10', dstPort: 443, outcome: 'timeout' });
    return b;
  }

  it("a reply kept by the pool's other owner is a drop there, not a delivery, and says so", () => {
    const invalid = 'asymlab:fw-er:INPUT:4:invalid';
    const b = strayToPool(invalid);
    b.rule('fw-er', { chain: 'INPUT', index: 4, rule: `-A INPUT -m conntrack --ctstate INVALID -j NFLOG --nflog-prefix "${invalid}"`, nflogPrefix: invalid, family: 4, packetsBefore: 0, packetsAfter: 2 });
    const [v] = analyse([flow('web', '10.9.0.10', 443, { result: 'dropped', at: 'fw-er' })], b.build());
    expect(v).toMatchObject({ result: 'dropped', at: 'fw-er', returnPath: ['srv', 'cloud', 'fw-er'], asymmetric: true, pass: true });
    expect(v.drop).toMatchObject({ reason: 'firewall-rule', chain: 'INPUT', ruleLabel: 'invalid' });
    expect(v.summary).toBe(`SYN-ACK entered fw-er:eth2 and never left; fw-er had no conntrack entry (ctstate INVALID, rule ${invalid}, counter 0→2)`);
    expect(v.drop!.facts).toContain('198.51.100.100 is an address of fw-er (shared by fw-inet, fw-er): the SYN-ACK was delivered to fw-er itself, not to client, the client it was for.');
  });

  it('without a firewall to explain it, the wrong owner is the finding', () => {
    const lab = expressRouteLab('router');
    for (const n of lab.view.nodes) if (n.name === 'fw-inet' || n.name === 'fw-er') n.loopbacks.push('198.51.100.100/32');
    const b = new EvidenceBuilder(lab);
    const c = Conn.of('10.1.0.10:40000', '198.51.100.100:443');
    b.send(c.syn(), ['client', 'edge', 'fw-er'], { copies: 2 });
    b.connection({ flow: 'anycast', server: 'fw-inet', srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '198.51.100.100', dstPort: 443, outcome: 'timeout' });
    const [v] = analyse([flow('anycast', '198.51.100.100', 443, undefined, { server: 'fw-inet' })], b.build());
    expect(v).toMatchObject({ result: 'dropped', at: 'fw-er' });
    expect(v.drop?.reason).toBe('wrong-owner');
    expect(v.summary).toBe("SYN entered fw-er:eth1 and never left; fw-er took it for itself: 198.51.100.100 is also fw-er's, and nothing there answered");
  });
});
