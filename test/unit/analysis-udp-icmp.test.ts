/**
 * UDP and ICMP echo flows on hand-built evidence: tracking across hops and through SNAT and DNAT
 * (UDP by payload, ICMP echo by seq and payload while NAT rewrites the id), asymmetric returns
 * (a stray UDP reply is ctstate NEW, not INVALID), ICMP errors tied to their flows through the
 * quote and followed to where they died, and packets too big for a link.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.js';
import { indexCaptures, trackConnection } from '../../src/analysis/track.js';
import type { RouteEntry } from '../../src/analysis/types.js';
import { back, Conn, EvidenceBuilder, expressRouteLab, flow, VIA_ER, VIA_INET, type EchoSpec, type UdpSpec } from './helpers/evidence-builder.js';

const DEFAULT_DROP = 'asymlab:fw-inet:FORWARD:5:default-drop';
const DROP_ICMP = 'asymlab:fw-inet:FORWARD:1:drop-icmp';
const INVALID = 'asymlab:fw-inet:FORWARD:2:invalid';

/** A UDP exchange: the request from the client, the reply (first byte changed, so another digest) from the server. */
function udpExchange(sport: number, digest: number, len = 40): { req: UdpSpec; rep: (seenAs?: Partial<UdpSpec>) => UdpSpec } {
  const req: UdpSpec = { proto: 'udp', src: '10.1.0.10', sport, dst: '10.9.0.10', dport: 4500, len, digest, ipId: 300 };
  return { req, rep: (seenAs = {}) => ({ proto: 'udp', src: '10.9.0.10', sport: 4500, dst: '10.1.0.10', dport: sport, len, digest: digest + 1, ipId: 0, ...seenAs }) };
}

const IKE = flow('ike', '10.9.0.10', 4500, undefined, { protocol: 'udp' });
const UDP_TUPLE = { flow: 'ike', srcAddress: '10.1.0.10', srcPort: 4500, dstAddress: '10.9.0.10', dstPort: 4500 };

function echo(id: number, request: boolean, digest: number, len = 56): EchoSpec {
  return request
    ? { proto: 'icmp', src: '10.1.0.10', sport: id, dst: '10.9.0.10', request, seq: 1, len, digest, ipId: 500 }
    : { proto: 'icmp', src: '10.9.0.10', sport: id, dst: '10.1.0.10', request, seq: 1, len, digest, ipId: 0 };
}
const PING = flow('ping', '10.9.0.10', 0, undefined, { protocol: 'icmp' });

describe('UDP flows', () => {
  it('a delivered exchange through SNAT: followed by its payload, the paths whole', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const x = udpExchange(4500, 1000);
    b.send(x.req, VIA_INET, { nat: { 'fw-inet': { src: '192.0.2.1', sport: 31000 } } });
    b.send(x.rep({ dst: '192.0.2.1', dport: 31000 }), back(VIA_INET), { nat: { 'fw-inet': { dst: '10.1.0.10', dport: 4500 } } });
    b.connection({ ...UDP_TUPLE, protocol: 'udp', outcome: 'connected', payloadDigests: [1000, 1001] });
    const [v] = analyse([IKE], b.build());
    expect(v).toMatchObject({ result: 'delivered', path: VIA_INET, returnPath: back(VIA_INET), asymmetric: false });
    expect(v.packets.map((p) => `${p.direction}:${p.label}`)).toEqual(['forward:REQUEST', 'return:REPLY']);
    const req = v.packets[0];
    expect(req.sightings.find((s) => s.node === 'cloud')).toMatchObject({ src: '192.0.2.1', srcPort: 31000 });
    expect(req).toMatchObject({ payloadLength: 40, payloadDigest: 1000, ipLength: 68 });
  });

  it('a delivered exchange through DNAT: the server side is learned from the payload', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const req: UdpSpec = { proto: 'udp', src: '10.1.0.10', sport: 20000, dst: '192.0.2.1', dport: 500, len: 40, digest: 7000 };
    b.send(req, VIA_INET, { nat: { 'fw-inet': { dst: '10.9.0.10' } } });
    const rep: UdpSpec = { proto: 'udp', src: '10.9.0.10', sport: 500, dst: '10.1.0.10', dport: 20000, len: 40, digest: 7001 };
    b.send(rep, back(VIA_INET), { nat: { 'fw-inet': { src: '192.0.2.1' } } });
    b.connection({ flow: 'ike-vip', srcAddress: '10.1.0.10', srcPort: 20000, dstAddress: '192.0.2.1', dstPort: 500, protocol: 'udp', outcome: 'connected', payloadDigests: [7000, 7001] });
    const [track] = [trackConnection(b.build().connections[0], indexCaptures(b.build()))];
    expect(track.tuples).toContainEqual({ src: '10.1.0.10', sport: 20000, dst: '10.9.0.10', dport: 500 });
    const [v] = analyse([flow('ike-vip', '192.0.2.1', 500, { result: 'delivered', path: VIA_INET }, { protocol: 'udp' })], b.build());
    expect(v).toMatchObject({ result: 'delivered', pass: true, returnPath: back(VIA_INET) });
  });

  it('the reply returning through the other firewall: dropped there as a new connection from outside (ctstate NEW)', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const x = udpExchange(4500, 1000);
    b.send(x.req, VIA_ER);
    b.send(x.rep(), ['srv', 'cloud', 'fw-inet'], { nflog: DEFAULT_DROP });
    b.conntrack('fw-er', '[1732446000.000100]\t    [NEW] udp      17 30 src=10.1.0.10 dst=10.9.0.10 sport=4500 dport=4500 [UNREPLIED] src=10.9.0.10 dst=10.1.0.10 sport=4500 dport=4500');
    b.rule('fw-inet', { chain: 'FORWARD', index: 5, rule: `-A FORWARD -j NFLOG --nflog-prefix "${DEFAULT_DROP}" --nflog-group 1`, nflogPrefix: DEFAULT_DROP, packetsBefore: 0, packetsAfter: 1 });
    b.connection({ ...UDP_TUPLE, protocol: 'udp', outcome: 'timeout', errorCode: 'ETIMEDOUT', payloadDigests: [1000, 1001] });
    const [v] = analyse([{ ...IKE, expect: { result: 'dropped', at: 'fw-inet', asymmetric: true } }], b.build());
    expect(v).toMatchObject({ result: 'dropped', at: 'fw-inet', path: VIA_ER, returnPath: ['srv', 'cloud', 'fw-inet'], asymmetric: true, pass: true });
    expect(v.drop).toMatchObject({ reason: 'firewall-rule', packet: 'REPLY', ruleLabel: 'default-drop', ruleIndex: 5, conntrackEntry: false, ctstate: 'NEW' });
    expect(v.summary).toBe(
      'REPLY entered fw-inet:eth2 and never left; fw-inet had no conntrack entry, so the reply looked like a new connection from outside (ctstate NEW): default-drop rule 5 (asymlab:fw-inet:FORWARD:5:default-drop, counter 0→1)',
    );
    expect(v.drop?.facts.join('\n')).toMatch(/the reply looked like a new connection from outside, which no rule allows, so default-drop rule 5 dropped it/);
    expect(v.drop?.facts.join('\n')).toMatch(/The flow's conntrack entry is on fw-er instead: \[NEW\] udp/);
  });

  it('attempts from one fixed source port share a tuple: each keeps its own datagrams', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const first = udpExchange(4500, 1000);
    const second = udpExchange(4500, 2000);
    b.send(first.req, VIA_INET, { at: b.t0 });
    b.send(first.rep(), back(VIA_INET));
    b.send(second.req, VIA_INET, { at: b.t0 + 1 });
    b.send(second.rep(), ['srv', 'cloud', 'fw-inet'], { nflog: INVALID });
    b.connection({ ...UDP_TUPLE, protocol: 'udp', outcome: 'connected', payloadDigests: [1000, 1001] });
    b.connection({ ...UDP_TUPLE, protocol: 'udp', outcome: 'timeout', startedAt: b.t0 + 1, payloadDigests: [2000, 2001] });
    const [v] = analyse([{ ...IKE, count: 2 }], b.build());
    expect(v.result).toBe('dropped');
    expect(v.packets.filter((p) => p.attempt === 0).map((p) => p.payloadDigest)).toEqual([1000, 1001]);
    expect(v.packets.filter((p) => p.attempt === 1).map((p) => p.payloadDigest)).toEqual([2000, 2001]);
    expect(v.summary).toMatch(/^dropped 1\/2, outcomes differ: 1 connected, 1 timed out: REPLY entered fw-inet:eth2 and never left/);
  });

  it('an ICMP port unreachable from the server: unreachable, tied to the request by its quote, and followed home', () => {
    const b = new EvidenceBuilder(expressRouteLab('router'));
    const x = udpExchange(4500, 1000);
    const seen = b.send(x.req, VIA_INET);
    b.icmp(3, 3, '10.9.0.10', '10.1.0.10', seen, back(VIA_INET));
    b.connection({ ...UDP_TUPLE, protocol: 'udp', outcome: 'unreachable', errorCode: 'ECONNREFUSED', payloadDigests: [1000, 1001] });
    const [v] = analyse([{ ...IKE, expect: { result: 'unreachable', at: 'srv' } }], b.build());
    expect(v).toMatchObject({ result: 'unreachable', at: 'srv', pass: true });
    expect(v.summary).toMatch(/^srv answered the REQUEST \(in on eth0\) with ICMP port unreachable/);
    expect(v.icmpErrors).toEqual([
      expect.objectContaining({ name: 'ICMP port unreachable', sender: 'srv', about: 'REQUEST', path: back(VIA_INET), delivered: true, copies: 1 }),
    ]);
    expect(v.drop?.facts.join('\n')).toMatch(/srv sent ICMP port unreachable about the REQUEST \(10\.9\.0\.10 → 10\.1\.0\.10\); it went srv → cloud → fw-inet → edge → client and reached client\./);
  });

  it('an ICMP error through SNAT: the quote wears the translated tuple, the error still finds its flow', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const x = udpExchange(4500, 1000);
    const seen = b.send(x.req, VIA_INET, { nat: { 'fw-inet': { src: '192.0.2.1', sport: 31000 } } });
    b.icmp(3, 3, '10.9.0.10', '192.0.2.1', seen, back(VIA_INET), { 'fw-inet': { dst: '10.1.0.10', quoted: { src: '10.1.0.10', sport: 4500 } } });
    b.connection({ ...UDP_TUPLE, protocol: 'udp', outcome: 'unreachable', errorCode: 'ECONNREFUSED', payloadDigests: [1000, 1001] });
    const [v] = analyse([IKE], b.build());
    expect(v).toMatchObject({ result: 'unreachable', at: 'srv' });
    expect(v.icmpErrors?.[0]).toMatchObject({ sender: 'srv', path: back(VIA_INET), delivered: true });
  });

  it('a datagram of another flow on the same ports is not taken for this one', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    b.send(udpExchange(4500, 9000).req, VIA_INET);
    b.connection({ ...UDP_TUPLE, protocol: 'udp', outcome: 'timeout', payloadDigests: [1000, 1001] });
    const track = trackConnection(b.build().connections[0], indexCaptures(b.build()));
    expect(track.traces).toEqual([]);
  });
});

describe('ICMP echo flows', () => {
  it('through SNAT, which rewrites the echo id: followed by seq and payload, delivered', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    b.send(echo(20000, true, 42), VIA_INET, { nat: { 'fw-inet': { src: '192.0.2.1', sport: 1 } } });
    b.send({ ...echo(1, false, 42), dst: '192.0.2.1' }, back(VIA_INET), { nat: { 'fw-inet': { dst: '10.1.0.10', sport: 20000 } } });
    b.connection({ srcAddress: '10.1.0.10', srcPort: 20000, dstAddress: '10.9.0.10', dstPort: 20000, protocol: 'icmp', flow: 'ping', outcome: 'connected' });
    const [v] = analyse([{ ...PING, expect: { result: 'delivered', path: VIA_INET } }], b.build());
    expect(v).toMatchObject({ result: 'delivered', path: VIA_INET, returnPath: back(VIA_INET), pass: true, to: '10.9.0.10' });
    expect(v.packets.map((p) => p.label)).toEqual(['ECHO-REQUEST', 'ECHO-REPLY']);
    expect(v.packets[0].sightings.find((s) => s.node === 'cloud')).toMatchObject({ src: '192.0.2.1', srcPort: 1 });
  });

  it('a routing loop: time exceeded from the router, ttl-exceeded there', () => {
    const b = new EvidenceBuilder(expressRouteLab('router'));
    const seen = b.send(echo(20000, true, 42), ['client', 'edge', 'fw-inet']);
    b.icmp(11, 0, '10.2.0.2', '10.1.0.10', seen, ['fw-inet', 'edge', 'client']);
    b.connection({ srcAddress: '10.1.0.10', srcPort: 20000, dstAddress: '10.9.0.10', dstPort: 20000, protocol: 'icmp', flow: 'ping', outcome: 'ttl-exceeded', errorCode: 'ETIMEEXCEEDED' });
    const [v] = analyse([{ ...PING, expect: { result: 'ttl-exceeded', at: 'fw-inet' } }], b.build());
    expect(v).toMatchObject({ result: 'ttl-exceeded', at: 'fw-inet', pass: true });
    expect(v.summary).toMatch(/^fw-inet answered the ECHO-REQUEST \(in on eth1\) with ICMP time exceeded/);
  });

  it('the reply returning through the other firewall: INVALID there, as a stray SYN-ACK is', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    b.send(echo(20000, true, 42), VIA_ER);
    b.send(echo(20000, false, 42), ['srv', 'cloud', 'fw-inet'], { nflog: INVALID });
    b.conntrack('fw-er', '[1732446000.000100]\t    [NEW] icmp     1 30 src=10.1.0.10 dst=10.9.0.10 type=8 code=0 id=20000 [UNREPLIED] src=10.9.0.10 dst=10.1.0.10 type=0 code=0 id=20000');
    b.connection({ srcAddress: '10.1.0.10', srcPort: 20000, dstAddress: '10.9.0.10', dstPort: 20000, protocol: 'icmp', flow: 'ping', outcome: 'timeout' });
    const [v] = analyse([PING], b.build());
    expect(v).toMatchObject({ result: 'dropped', at: 'fw-inet', asymmetric: true });
    expect(v.drop).toMatchObject({ packet: 'ECHO-REPLY', ruleLabel: 'invalid', conntrackEntry: false });
    expect(v.drop?.ctstate).toBeUndefined();
    expect(v.drop?.facts.join('\n')).toMatch(/The flow's conntrack entry is on fw-er instead: \[NEW\] icmp src=10\.1\.0\.10 dst=10\.9\.0\.10 id=20000/);
  });
});

describe('packets too big for a link', () => {
  const cloudRoutes: RouteEntry[] = [{ dst: '10.9.0.0/24', dev: 'eth0', protocol: 'kernel' }];

  /** The handshake passes; the 1400-byte segment dies at cloud, whose eth0 has MTU 1300; its fragmentation needed dies at fw-inet. */
  function blackHole(): EvidenceBuilder {
    const lab = expressRouteLab().mtu('cloud', 'eth0', 1300).mtu('srv', 'eth0', 1300);
    const b = new EvidenceBuilder(lab);
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), VIA_INET);
    b.send(c.synAck(), back(VIA_INET));
    b.send(c.ack(), VIA_INET);
    const seen = b.send(c.data(1400), ['client', 'edge', 'fw-inet', 'cloud'], { copies: 3 });
    for (let k = 0; k < 3; k++) b.icmp(3, 4, '192.0.2.2', '10.1.0.10', seen, ['cloud', 'fw-inet'], {}, { mtu: 1300, ipId: 900 + k, nflog: DROP_ICMP });
    b.routes('cloud', cloudRoutes);
    b.kernel('cloud', { 'Ip.FragFails': 0 }, { 'Ip.FragFails': 3 });
    b.rule('fw-inet', { chain: 'FORWARD', index: 1, rule: `-A FORWARD -p icmp -j NFLOG --nflog-prefix "${DROP_ICMP}" --nflog-group 1`, nflogPrefix: DROP_ICMP, packetsBefore: 0, packetsAfter: 3 });
    b.connection({ flow: 'big', srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '10.9.0.10', dstPort: 443, outcome: 'timeout', connectMs: 1, size: 1400 });
    return b;
  }

  it('TCP: the data segment after the handshake dies at the router before the small link; its ICMP dies at the firewall', () => {
    const [v] = analyse([flow('big', '10.9.0.10', 443, { result: 'dropped', at: 'cloud' }, { size: 1400 })], blackHole().build());
    expect(v).toMatchObject({ result: 'dropped', at: 'cloud', pass: true });
    expect(v.drop).toMatchObject({ reason: 'mtu', node: 'cloud', packet: 'DATA', mtu: { node: 'cloud', iface: 'eth0', mtu: 1300, size: 1440 }, kernelCounter: { name: 'Ip.FragFails', before: 0, after: 3 } });
    expect(v.summary).toBe(
      'DATA entered cloud:eth1 and never left; cloud:eth0 has MTU 1300, too small for the 1440-byte DATA (DF set); ICMP fragmentation needed (mtu 1300) from cloud died at fw-inet:eth2 (rule asymlab:fw-inet:FORWARD:1:drop-icmp)',
    );
    const facts = v.drop!.facts.join('\n');
    expect(facts).toMatch(/cloud's eth0 has MTU 1300; the DATA is 1440 bytes \(IP\) with DF set, so cloud could not forward it\./);
    expect(facts).toMatch(/cloud sent ICMP fragmentation needed \(mtu 1300\) about the DATA \(3 of them\) \(192\.0\.2\.2 → 10\.1\.0\.10\); it went cloud → fw-inet and died at fw-inet:eth2, logged by NFLOG rule asymlab:fw-inet:FORWARD:1:drop-icmp, counter 0→3\./);
    expect(v.icmpErrors).toEqual([expect.objectContaining({ name: 'ICMP fragmentation needed', mtu: 1300, sender: 'cloud', diedAt: 'fw-inet', nflogPrefix: DROP_ICMP, copies: 3 })]);
  });

  it('no ICMP captured: the MTU on the route still places it, and says nothing came back', () => {
    const lab = expressRouteLab('router').mtu('cloud', 'eth0', 1300);
    const b = new EvidenceBuilder(lab);
    const x = udpExchange(20000, 1000, 1400);
    b.send(x.req, ['client', 'edge', 'fw-inet', 'cloud']);
    b.routes('cloud', cloudRoutes);
    b.connection({ flow: 'ike', srcAddress: '10.1.0.10', srcPort: 20000, dstAddress: '10.9.0.10', dstPort: 4500, protocol: 'udp', outcome: 'timeout', payloadDigests: [1000, 1001] });
    const [v] = analyse([IKE], b.build());
    expect(v).toMatchObject({ result: 'dropped', at: 'cloud', drop: { reason: 'mtu', mtu: { iface: 'eth0', mtu: 1300, size: 1428 }, icmpFate: 'cloud sent no ICMP error' } });
  });

  it('UDP: the fragmentation needed reached the client, which was told: unreachable at the router, by the MTU', () => {
    const lab = expressRouteLab('router').mtu('cloud', 'eth0', 1300);
    const b = new EvidenceBuilder(lab);
    const x = udpExchange(20000, 1000, 1400);
    const seen = b.send(x.req, ['client', 'edge', 'fw-inet', 'cloud']);
    b.icmp(3, 4, '192.0.2.2', '10.1.0.10', seen, ['cloud', 'fw-inet', 'edge', 'client'], {}, { mtu: 1300 });
    b.routes('cloud', cloudRoutes);
    b.connection({ flow: 'ike', srcAddress: '10.1.0.10', srcPort: 20000, dstAddress: '10.9.0.10', dstPort: 4500, protocol: 'udp', outcome: 'unreachable', errorCode: 'EMSGSIZE', payloadDigests: [1000, 1001] });
    const [v] = analyse([IKE], b.build());
    expect(v).toMatchObject({ result: 'unreachable', at: 'cloud', drop: { reason: 'mtu', mtu: { iface: 'eth0', mtu: 1300 } } });
    expect(v.summary).toMatch(/^cloud answered the REQUEST \(in on eth1\) with ICMP fragmentation needed \(mtu 1300\); cloud:eth0 has MTU 1300, too small for the 1428-byte REQUEST \(DF set\); ICMP fragmentation needed \(mtu 1300\) from cloud reached client$/);
  });
});
