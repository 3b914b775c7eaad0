import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.js';
import type { RouteEntry } from '../../src/analysis/types.js';
import { back, Conn, EvidenceBuilder, expressRouteLab, flow, VIA_ER, VIA_INET } from './helpers/evidence-builder.js';

const INVALID = 'asymlab:fw-inet:FORWARD:2:invalid';
const WEB = flow('web', '10.9.0.10', 443);
const TUPLE = { srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '10.9.0.10', dstPort: 443 };

function delivered(b: EvidenceBuilder, c: Conn, route = VIA_INET, at = b.clock): void {
  b.send(c.syn(), route, { at });
  b.send(c.synAck(), back(route));
  b.send(c.ack(), route);
  b.send(c.data(12), route);
  b.send(c.echo(12), back(route));
}

/**
 * The ExpressRoute incident: the SYN leaves by fw-er (the new circuit), the SYN-ACK comes back
 * by fw-inet, which has no conntrack state for it and drops it as INVALID, logging to NFLOG.
 */
function expressRouteIncident(): EvidenceBuilder {
  const b = new EvidenceBuilder(expressRouteLab());
  const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
  b.send(c.syn(), VIA_ER, { copies: 3 });
  b.send(c.synAck(), ['srv', 'cloud', 'fw-inet'], { at: b.t0 + 0.001, copies: 3, nflog: INVALID });
  b.conntrack('fw-er', '[1732446000.000100]\t    [NEW] tcp      6 120 SYN_SENT src=10.1.0.10 dst=10.9.0.10 sport=40000 dport=443 [UNREPLIED] src=10.9.0.10 dst=10.1.0.10 sport=443 dport=40000');
  b.conntrack('fw-inet', '[1732445990.000000]\t    [NEW] tcp      6 120 SYN_SENT src=10.1.0.99 dst=10.9.0.10 sport=41000 dport=22 [UNREPLIED] src=10.9.0.10 dst=10.1.0.99 sport=22 dport=41000');
  b.rule('fw-inet', { chain: 'FORWARD', index: 2, rule: `-A FORWARD -m conntrack --ctstate INVALID -j NFLOG --nflog-prefix "${INVALID}" --nflog-group 1`, nflogPrefix: INVALID, packetsBefore: 0, packetsAfter: 3 });
  b.rule('fw-inet', { chain: 'FORWARD', index: 3, rule: '-A FORWARD -m conntrack --ctstate INVALID -j DROP', packetsBefore: 0, packetsAfter: 3 });
  b.connection({ ...TUPLE, outcome: 'timeout', errorCode: 'ETIMEDOUT' });
  return b;
}

const connected: RouteEntry[] = [
  { dst: '10.1.0.0/24', dev: 'eth0', protocol: 'kernel' },
  { dst: '10.2.0.0/30', dev: 'eth1', protocol: 'kernel' },
  { dst: '10.3.0.0/30', dev: 'eth2', protocol: 'kernel' },
];

describe('analyse: delivered flows', () => {
  it('a symmetric flow through one firewall, three connections', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    for (let i = 0; i < 3; i++) {
      const c = Conn.of(`10.1.0.10:${40000 + i}`, '10.9.0.10:443', 1_000_000 * (i + 1), 70_000_000 * (i + 1));
      delivered(b, c, VIA_INET, b.t0 + i);
      b.connection({ ...TUPLE, srcPort: 40000 + i, startedAt: b.t0 + i, outcome: 'connected' });
    }
    const [v] = analyse([{ ...WEB, count: 3, expect: { result: 'delivered', path: VIA_INET, asymmetric: false } }], b.build());
    expect(v).toMatchObject({ result: 'delivered', path: VIA_INET, returnPath: back(VIA_INET), asymmetric: false, pass: true, mismatches: [], warnings: [] });
    expect(v.summary).toBe('delivered 3/3: client → edge → fw-inet → cloud → srv; return via srv → cloud → fw-inet → edge → client');
    expect(v.connections).toHaveLength(3);
    expect(v.packets.filter((p) => p.label === 'SYN').map((p) => p.attempt)).toEqual([0, 1, 2]);
    expect(v.drop).toBeUndefined();
  });

  it('SNAT on the forward path: addresses differ per hop, the paths still come out whole', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    const snat = { 'fw-inet': { src: '192.0.2.1', sport: 30000 } };
    const unsnat = { 'fw-inet': { dst: '10.1.0.10', dport: 40000 } };
    const seen = { dst: '192.0.2.1', dport: 30000 };
    b.send(c.syn(), VIA_INET, { nat: snat });
    b.send(c.synAck(seen), back(VIA_INET), { nat: unsnat });
    b.send(c.ack(), VIA_INET, { nat: snat });
    b.send(c.data(12), VIA_INET, { nat: snat });
    b.send(c.echo(12, seen), back(VIA_INET), { nat: unsnat });
    b.connection({ ...TUPLE, outcome: 'connected' });
    const [v] = analyse([WEB], b.build());
    expect(v).toMatchObject({ result: 'delivered', path: VIA_INET, returnPath: back(VIA_INET), asymmetric: false });
    const syn = v.packets.find((p) => p.label === 'SYN')!;
    expect(syn.sightings.find((s) => s.node === 'cloud')).toMatchObject({ src: '192.0.2.1', srcPort: 30000 });
    expect(syn.sightings.find((s) => s.node === 'edge')).toMatchObject({ src: '10.1.0.10', srcPort: 40000 });
  });
});

describe('analyse: the ExpressRoute asymmetric drop', () => {
  it('places the SYN-ACK drop at fw-inet, names the rule, the counter and the missing conntrack entry', () => {
    const [v] = analyse([WEB], expressRouteIncident().build());
    expect(v).toMatchObject({ result: 'dropped', at: 'fw-inet', path: VIA_ER, returnPath: ['srv', 'cloud', 'fw-inet'], asymmetric: true, pass: true, warnings: [] });
    expect(v.drop).toMatchObject({
      reason: 'firewall-rule',
      node: 'fw-inet',
      iface: 'eth2',
      packet: 'SYN-ACK',
      nflogPrefix: INVALID,
      chain: 'FORWARD',
      ruleIndex: 2,
      ruleLabel: 'invalid',
      counter: { before: 0, after: 3 },
      conntrackEntry: false,
    });
    expect(v.summary).toBe(`SYN-ACK entered fw-inet:eth2 and never left; fw-inet had no conntrack entry (ctstate INVALID, rule ${INVALID}, counter 0→3)`);
    const facts = v.drop!.facts.join('\n');
    expect(facts).toContain(`fw-inet's NFLOG capture holds this SYN-ACK (3 copies) with prefix ${INVALID}`);
    expect(facts).toContain('fw-inet had no conntrack entry for the flow');
    expect(facts).toContain("The flow's conntrack entry is on fw-er instead: [NEW] tcp SYN_SENT src=10.1.0.10 dst=10.9.0.10 sport=40000 dport=443 [UNREPLIED]");
  });

  it('cites a non-INVALID rule with its label, e.g. a default drop of the SYN', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    const prefix = 'asymlab:fw-er:FORWARD:5:default-drop';
    b.send(c.syn(), ['client', 'edge', 'fw-er'], { copies: 2, nflog: prefix });
    b.rule('fw-er', { chain: 'FORWARD', index: 5, rule: `-A FORWARD -j NFLOG --nflog-prefix "${prefix}" --nflog-group 1`, nflogPrefix: prefix, packetsBefore: 1, packetsAfter: 3 });
    b.connection({ ...TUPLE, outcome: 'timeout' });
    const [v] = analyse([{ ...WEB, expect: { result: 'dropped', at: 'fw-er' } }], b.build());
    expect(v.summary).toBe(`SYN entered fw-er:eth1 and never left; dropped by rule ${prefix} (counter 1→3); fw-er had no conntrack entry`);
    expect(v).toMatchObject({ pass: true, returnPath: [], asymmetric: false });
    expect(v.drop!.facts.join('\n')).toContain('no conntrack event of fw-er was recorded');
  });

  it('does not claim "never left" on a lossy capture: unknown, with a warning', () => {
    const b = expressRouteIncident().lossy('fw-inet:eth1', 5);
    const [v] = analyse([WEB], b.build());
    expect(v.result).toBe('dropped');
    expect(v.drop).toMatchObject({ reason: 'unknown', node: 'fw-inet', inconclusive: 'capture at fw-inet:eth1 lost 5 packets' });
    expect(v.summary).toBe('SYN-ACK last seen entering fw-inet:eth2; unknown (capture at fw-inet:eth1 lost 5 packets)');
    expect(v.warnings).toContain('capture at fw-inet:eth1 lost 5 packets; the verdict does not rest on it');
    expect(v.drop!.facts.join('\n')).toContain('The evidence points to a firewall rule, but it is not concluded');
  });

  it('warns about a capture that could not be read in full', () => {
    const b = expressRouteIncident().lossy('cloud:eth1', 0, 'file truncated mid-record');
    const [v] = analyse([WEB], b.build());
    expect(v.summary).toContain('unknown (capture at cloud:eth1 is incomplete (file truncated mid-record))');
  });
});

describe('analyse: drops without a firewall rule', () => {
  it('no route on a router, Ip.OutNoRoutes moved', () => {
    const b = new EvidenceBuilder(expressRouteLab('router'));
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), ['client', 'edge'], { copies: 3 });
    b.routes('edge', connected);
    b.kernel('edge', { 'Ip.OutNoRoutes': 0, 'TcpExt.IPReversePathFilter': 0 }, { 'Ip.OutNoRoutes': 3, 'TcpExt.IPReversePathFilter': 0 });
    b.connection({ ...TUPLE, outcome: 'timeout' });
    const [v] = analyse([WEB], b.build());
    expect(v).toMatchObject({ result: 'dropped', at: 'edge', path: ['client', 'edge'] });
    expect(v.drop).toMatchObject({ reason: 'no-route', iface: 'eth0', kernelCounter: { name: 'Ip.OutNoRoutes', before: 0, after: 3 } });
    expect(v.summary).toBe('SYN entered edge:eth0 and never left; edge had no route to 10.9.0.10 (Ip.OutNoRoutes 0→3)');
    expect(v.drop!.facts).toContain('edge has no route to 10.9.0.10 (no prefix in its routing table covers it).');
  });

  it('an ICMP net unreachable from the router: unreachable at the router', () => {
    const b = new EvidenceBuilder(expressRouteLab('router'));
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), ['client', 'edge']);
    b.icmp(3, 0, '10.1.0.1', '10.1.0.10', c.syn(), ['edge', 'client']);
    b.routes('edge', [...connected, { dst: '10.9.0.0/16', type: 'unreachable', protocol: 'static' }]);
    b.connection({ ...TUPLE, outcome: 'unreachable', errorCode: 'ENETUNREACH' });
    const [v] = analyse([{ ...WEB, expect: { result: 'unreachable', at: 'edge' } }], b.build());
    expect(v).toMatchObject({ result: 'unreachable', at: 'edge', pass: true });
    expect(v.drop).toMatchObject({ reason: 'no-route', node: 'edge', iface: 'eth0', packet: 'SYN' });
    expect(v.summary).toBe('edge answered the SYN (in on eth0) with ICMP net unreachable; edge had no route to 10.9.0.10');
  });

  it('a SYN that never left the client: unreachable at the client', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    b.routes('client', [{ dst: '10.1.0.0/24', dev: 'eth0', protocol: 'kernel' }]);
    b.kernel('client', { 'Ip.OutNoRoutes': 4 }, { 'Ip.OutNoRoutes': 5 });
    b.connection({ ...TUPLE, outcome: 'unreachable', errorCode: 'ENETUNREACH', totalMs: 1 });
    const [v] = analyse([WEB], b.build());
    expect(v).toMatchObject({ result: 'unreachable', at: 'client', path: [], returnPath: [] });
    expect(v.drop).toMatchObject({ reason: 'no-route', node: 'client', packet: 'SYN' });
    expect(v.drop!.iface).toBeUndefined();
    expect(v.summary).toBe('SYN never left client (connect failed: ENETUNREACH); client had no route to 10.9.0.10 (Ip.OutNoRoutes 4→5)');
  });

  it('rp_filter on the way back: the SYN-ACK comes in where the route back does not go out', () => {
    const b = new EvidenceBuilder(expressRouteLab('router'));
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), VIA_ER, { copies: 2 });
    b.send(c.synAck(), ['srv', 'cloud', 'fw-inet', 'edge'], { at: b.t0 + 0.001, copies: 2 });
    b.routes('edge', [...connected, { dst: '10.9.0.0/24', gateway: '10.3.0.2', dev: 'eth2', protocol: 'bgp' }], { all: 1, eth1: 0 });
    b.kernel('edge', { 'TcpExt.IPReversePathFilter': 7 }, { 'TcpExt.IPReversePathFilter': 9 });
    b.connection({ ...TUPLE, outcome: 'timeout' });
    const [v] = analyse([WEB], b.build());
    expect(v).toMatchObject({ result: 'dropped', at: 'edge', asymmetric: true, returnPath: ['srv', 'cloud', 'fw-inet', 'edge'] });
    expect(v.drop).toMatchObject({ reason: 'rp-filter', iface: 'eth1', packet: 'SYN-ACK' });
    expect(v.summary).toBe("SYN-ACK entered edge:eth1 and never left; reverse-path filter: edge's route back to 10.9.0.10 does not leave by eth1 (TcpExt.IPReversePathFilter 7→9)");
    expect(v.drop!.facts).toContain('rp_filter for eth1 on edge is 1 (strict).');
  });

  it('a drop with nothing to explain it is unknown, and says what was checked', () => {
    const b = new EvidenceBuilder(expressRouteLab('router'));
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), VIA_ER);
    b.send(c.synAck(), ['srv', 'cloud'], { at: b.t0 + 0.001 });
    b.routes('cloud', [{ dst: '10.1.0.0/24', gateway: '192.0.2.5', dev: 'eth2', protocol: 'bgp' }]);
    b.kernel('cloud', { 'Ip.OutNoRoutes': 0 }, { 'Ip.OutNoRoutes': 0 });
    b.connection({ ...TUPLE, outcome: 'timeout' });
    const [v] = analyse([WEB], b.build());
    expect(v).toMatchObject({ result: 'dropped', at: 'cloud' });
    expect(v.drop?.reason).toBe('unknown');
    expect(v.summary).toBe('SYN-ACK entered cloud:eth0 and never left; cause unknown (no NFLOG record, no route or rp_filter counter moved)');
    expect(v.drop!.facts).toContain('cloud has a route to 10.1.0.10: "10.1.0.0/24 via 192.0.2.5 dev eth2 proto bgp".');
  });
});

describe('analyse: resets, mixed outcomes, expectations', () => {
  it('a RST from the server: reset, with the RST path as return path', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), VIA_INET);
    b.send(c.rst(), back(VIA_INET));
    b.connection({ ...TUPLE, outcome: 'refused', errorCode: 'ECONNREFUSED' });
    const [v] = analyse([{ ...WEB, expect: { result: 'reset' } }], b.build());
    expect(v).toMatchObject({ result: 'reset', at: 'srv', path: VIA_INET, returnPath: back(VIA_INET), pass: true });
    expect(v.summary).toBe('srv answered the SYN with RST (nothing listening on the port?); RST path srv → cloud → fw-inet → edge → client');
  });

  it('connections with different outcomes: the failure wins and the summary says they differ', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    for (let i = 0; i < 2; i++) {
      delivered(b, Conn.of(`10.1.0.10:${40000 + i}`, '10.9.0.10:443', 10_000 * (i + 1), 90_000 * (i + 1)), VIA_INET, b.t0 + i);
      b.connection({ ...TUPLE, srcPort: 40000 + i, startedAt: b.t0 + i, outcome: 'connected' });
    }
    const c = Conn.of('10.1.0.10:40002', '10.9.0.10:443', 555_000, 777_000);
    b.send(c.syn(), VIA_ER, { at: b.t0 + 2 });
    b.send(c.synAck(), ['srv', 'cloud', 'fw-inet'], { nflog: INVALID });
    b.connection({ ...TUPLE, srcPort: 40002, startedAt: b.t0 + 2, outcome: 'timeout' });
    const [v] = analyse([{ ...WEB, count: 3 }], b.build());
    expect(v.result).toBe('dropped');
    expect(v.summary).toMatch(/^dropped 1\/3, outcomes differ: 2 connected, 1 timed out: SYN-ACK entered fw-inet:eth2 and never left; fw-inet had no conntrack entry/);
    expect(v.path).toEqual(VIA_ER);
    expect(v.warnings).toContain('attempts took different paths: #0, #1 [client, edge, fw-inet, cloud, srv]; #2 [client, edge, fw-er, cloud, srv]');
  });

  it('says each way the flow missed its expectation', () => {
    const expectDelivered = { result: 'delivered' as const, path: VIA_INET, returnPath: back(VIA_INET), asymmetric: false };
    const [v] = analyse([{ ...WEB, expect: expectDelivered }], expressRouteIncident().build());
    expect(v.pass).toBe(false);
    expect(v.expected).toEqual(expectDelivered);
    expect(v.mismatches).toEqual([
      'expected delivered, got dropped at fw-inet',
      'expected path [client, edge, fw-inet, cloud, srv], got [client, edge, fw-er, cloud, srv]',
      'expected return path [srv, cloud, fw-inet, edge, client], got [srv, cloud, fw-inet]',
      'expected symmetric routing, got asymmetric (path [client, edge, fw-er, cloud, srv], return path [srv, cloud, fw-inet])',
    ]);
    const [w] = analyse([{ ...WEB, expect: { result: 'dropped', at: 'fw-er' } }], expressRouteIncident().build());
    expect(w.mismatches).toEqual(['expected dropped at fw-er, got dropped at fw-inet']);
  });

  it('a flow without connection records fails and says so', () => {
    const [v] = analyse([WEB], new EvidenceBuilder(expressRouteLab()).build());
    expect(v).toMatchObject({ result: 'dropped', pass: false, summary: 'no connection attempt was recorded for this flow' });
  });
});
