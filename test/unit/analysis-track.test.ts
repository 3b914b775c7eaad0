import { describe, expect, it } from 'vitest';
import { indexCaptures, trackConnection } from '../../src/analysis/track.js';
import { back, Conn, EvidenceBuilder, expressRouteLab, VIA_ER, VIA_INET } from './helpers/evidence-builder.js';

function track(b: EvidenceBuilder, attempt = 0) {
  const ev = b.build();
  return trackConnection(ev.connections[attempt], indexCaptures(ev));
}

describe('trackConnection', () => {
  it('follows every packet of a symmetric connection across all hops, in hop order', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), VIA_INET);
    b.send(c.synAck(), back(VIA_INET));
    b.send(c.ack(), VIA_INET);
    b.send(c.data(12), VIA_INET);
    b.send(c.echo(12), back(VIA_INET));
    b.connection({ srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '10.9.0.10', dstPort: 443, outcome: 'connected' });

    const t = track(b);
    expect(t.traces.map((p) => `${p.direction}:${p.label}`)).toEqual(['forward:SYN', 'return:SYN-ACK', 'forward:ACK', 'forward:DATA', 'return:DATA']);
    expect(t.traces.every((p) => p.delivered)).toBe(true);
    const syn = t.traces[0];
    // Both ends of each veth stamp the same time: the walk along the links still orders them.
    expect(syn.sightings.map((s) => `${s.node}:${s.iface}:${s.direction}`)).toEqual([
      'client:eth0:out',
      'edge:eth0:in',
      'edge:eth1:out',
      'fw-inet:eth1:in',
      'fw-inet:eth2:out',
      'cloud:eth1:in',
      'cloud:eth0:out',
      'srv:eth0:in',
    ]);
    expect(t.paths[0].nodes).toEqual(VIA_INET);
    expect(t.paths[1].nodes).toEqual(back(VIA_INET));
    expect(syn).toMatchObject({ lastNode: 'srv', lastIface: 'eth0', flags: 'S', seq: 1_000_000, copies: 1, origin: 'client' });
    expect(t.traces[1]).toMatchObject({ flags: 'S.', ack: 1_000_001, origin: 'srv' });
  });

  it('collapses retransmissions into one trace, counting the copies and keeping their IP ids', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), VIA_ER, { copies: 3 });
    b.send(c.synAck(), ['srv', 'cloud', 'fw-inet'], { at: b.t0 + 0.001, copies: 3 });
    b.connection({ srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '10.9.0.10', dstPort: 443, outcome: 'timeout' });

    const t = track(b);
    expect(t.traces).toHaveLength(2);
    const [syn, synAck] = t.traces;
    expect(syn.copies).toBe(3);
    expect(syn.sightings.filter((s) => s.node === 'client').map((s) => s.ipId)).toEqual([100, 101, 102]);
    expect(syn.delivered).toBe(true);
    expect(synAck).toMatchObject({ delivered: false, lastNode: 'fw-inet', lastIface: 'eth2', copies: 3 });
    expect(t.paths[1].nodes).toEqual(['srv', 'cloud', 'fw-inet']);
  });

  it('follows a connection through SNAT: the server side is learned from the packet identity', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    const snat = { 'fw-inet': { src: '192.0.2.1', sport: 30000 } };
    const unsnat = { 'fw-inet': { dst: '10.1.0.10', dport: 40000 } };
    const asSeen = { dst: '192.0.2.1', dport: 30000 };
    b.send(c.syn(), VIA_INET, { nat: snat });
    b.send(c.synAck(asSeen), back(VIA_INET), { nat: unsnat });
    b.send(c.ack(), VIA_INET, { nat: snat });
    b.connection({ srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '10.9.0.10', dstPort: 443, outcome: 'connected' });

    const t = track(b);
    expect(t.traces.map((p) => p.label)).toEqual(['SYN', 'SYN-ACK', 'ACK']);
    expect(t.traces.every((p) => p.delivered)).toBe(true);
    expect(t.tuples).toEqual([
      { src: '10.1.0.10', sport: 40000, dst: '10.9.0.10', dport: 443 },
      { src: '192.0.2.1', sport: 30000, dst: '10.9.0.10', dport: 443 },
    ]);
    const atSrv = t.traces[0].sightings.find((s) => s.node === 'srv')!;
    expect(atSrv).toMatchObject({ src: '192.0.2.1', srcPort: 30000, dst: '10.9.0.10' });
    const atClient = t.traces[1].sightings.find((s) => s.node === 'client')!;
    expect(atClient).toMatchObject({ src: '10.9.0.10', dst: '10.1.0.10', dstPort: 40000 });
  });

  it('follows a connection through DNAT on a firewall address, delivering at the real server', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const c = Conn.of('10.1.0.10:40000', '192.0.2.1:8443');
    b.send(c.syn(), VIA_INET, { nat: { 'fw-inet': { dst: '10.9.0.10', dport: 443 } } });
    b.send(c.synAck({ src: '10.9.0.10', sport: 443 }), back(VIA_INET), { nat: { 'fw-inet': { src: '192.0.2.1', sport: 8443 } } });
    b.connection({ srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '192.0.2.1', dstPort: 8443, outcome: 'connected' });

    const t = track(b);
    expect(t.traces[0]).toMatchObject({ label: 'SYN', delivered: true, lastNode: 'srv' });
    expect(t.paths[0].deliveredAt).toBe('srv');
    expect(t.traces[1]).toMatchObject({ label: 'SYN-ACK', delivered: true, lastNode: 'client' });
  });

  it('keeps other connections and packets outside the time window out', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    const other = Conn.of('10.1.0.10:40001', '10.9.0.10:443', 5_000_000, 9_000_000);
    b.send(c.syn(), VIA_INET);
    b.send(other.syn(), VIA_INET);
    b.send(other.synAck(), back(VIA_INET));
    b.send(c.syn(), VIA_INET, { at: b.t0 + 600 }); // a reused tuple, ten minutes later
    b.connection({ srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '10.9.0.10', dstPort: 443, outcome: 'timeout' });

    const t = track(b);
    expect(t.traces).toHaveLength(1);
    expect(t.traces[0].sightings).toHaveLength(8);
  });

  it('reads direction from the capture when a frame has no source MAC', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), ['client', 'edge']);
    for (const cap of b.evidence.captures) for (const p of cap.packets) Object.assign(p, { srcMac: undefined, direction: cap.node === 'client' ? 'out' : 'in' });
    b.connection({ srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '10.9.0.10', dstPort: 443, outcome: 'timeout' });
    expect(track(b).traces[0].sightings.map((s) => s.direction)).toEqual(['out', 'in']);
  });

  it('finds ICMP errors quoting the connection', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), ['client', 'edge']);
    b.icmp(3, 0, '10.1.0.1', '10.1.0.10', c.syn(), ['edge', 'client']);
    b.connection({ srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '10.9.0.10', dstPort: 443, outcome: 'unreachable', errorCode: 'ENETUNREACH' });
    const t = track(b);
    expect(t.icmp.map((i) => `${i.node}:${i.direction}`)).toEqual(['edge:out', 'client:in']);
    expect(t.icmp[0]).toMatchObject({ type: 3, code: 0, quotedDirection: 'forward', quotedSeq: 1_000_000 });
  });
});
