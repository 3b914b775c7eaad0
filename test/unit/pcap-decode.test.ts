import { describe, expect, it } from 'vitest';
import { decodePcap } from '../../src/pcap/read.js';
import type { DecodedPacket } from '../../src/pcap/types.js';
import {
  ascii,
  bytes,
  concat,
  ethernet,
  ethTcp,
  ext6,
  F,
  fields,
  frag6,
  icmp,
  ipv4,
  ipv6,
  nflog,
  pcap,
  sll,
  sll2,
  tcp,
  udp,
  zeros,
} from '../fixtures/pcap/build.js';

/** Decode one packet of the given link type. */
function one(linkType: number, data: Uint8Array, opts: { bigEndian?: boolean; wireLen?: number } = {}): DecodedPacket {
  const f = decodePcap(pcap({ linkType, bigEndian: opts.bigEndian }, [{ data, wireLen: opts.wireLen }]));
  expect(f.packets).toHaveLength(1);
  return f.packets[0];
}

const v4tcp = (flags = F.SYN | F.ACK, payload = zeros(0)) =>
  ipv4({ src: '192.0.2.1', dst: '198.51.100.7', protocol: 6, id: 4711, ttl: 63 }, tcp({ sport: 443, dport: 51000, seq: 4_000_000_000, ack: 17, flags, window: 65535 }, payload));
const v6udp = () => ipv6({ src: '2001:db8::1', dst: '2001:db8:0:1::2', next: 17 }, udp({ sport: 5353, dport: 53 }, ascii('hello')));

describe('link layers', () => {
  it('Ethernet: MACs, ethertype, IPv4/TCP', () => {
    const p = one(1, ethernet({ src: '02:aa:bb:cc:dd:01', dst: 'ff:ff:ff:ff:ff:ff', type: 0x0800 }, v4tcp()));
    expect(p).toMatchObject({ linkType: 'ethernet', direction: 'unknown', srcMac: '02:aa:bb:cc:dd:01', dstMac: 'ff:ff:ff:ff:ff:ff', etherType: 0x0800 });
    expect(p.ip).toEqual({ version: 4, src: '192.0.2.1', dst: '198.51.100.7', id: 4711, ttl: 63, protocol: 6, totalLength: 40 });
    expect(p.tcp).toEqual({ srcPort: 443, dstPort: 51000, seq: 4_000_000_000, ack: 17, flags: 'S.', flagBits: 0x12, window: 65535, payloadLength: 0 });
    expect(p.partial).toBeUndefined();
  });

  it('Ethernet: 802.1Q and QinQ tags', () => {
    expect(one(1, ethernet({ type: 0x0800, vlans: [100] }, v4tcp()))).toMatchObject({ vlans: [100], etherType: 0x0800, tcp: { srcPort: 443 } });
    expect(one(1, ethernet({ type: 0x86dd, vlans: [200, 2001], tpid: 0x88a8 }, v6udp()))).toMatchObject({ vlans: [200, 2001], udp: { dstPort: 53 } });
  });

  it('Ethernet: non-IP frames and LLC/SNAP', () => {
    const arp = one(1, ethernet({ type: 0x0806 }, zeros(28)));
    expect(arp.etherType).toBe(0x0806);
    expect(arp.ip).toBeUndefined();
    expect(arp.partial).toBeUndefined();
    const snap = concat(bytes(0xaa, 0xaa, 0x03, 0, 0, 0), fields([[0x0800, 2]]), v4tcp());
    const p = one(1, ethernet({ type: snap.length }, snap));
    expect(p.tcp?.srcPort).toBe(443);
  });

  it('SLL: direction from the packet type, source MAC', () => {
    const out = one(113, sll({ pktType: 4, proto: 0x0800, addr: '02:00:00:00:00:09' }, v4tcp()));
    expect(out).toMatchObject({ linkType: 'sll', direction: 'out', srcMac: '02:00:00:00:00:09', ip: { src: '192.0.2.1' } });
    expect(one(113, sll({ pktType: 0, proto: 0x86dd }, v6udp())).direction).toBe('in');
    expect(one(113, sll({ pktType: 3, proto: 0x8100 }, concat(fields([[42, 2], [0x0800, 2]]), v4tcp())))).toMatchObject({ direction: 'in', vlans: [42] });
  });

  it('SLL2: direction and interface index', () => {
    const p = one(276, sll2({ pktType: 4, proto: 0x0800, ifindex: 7, addr: '02:00:00:00:00:09' }, v4tcp()));
    expect(p).toMatchObject({ linkType: 'sll2', direction: 'out', ifIndex: 7, srcMac: '02:00:00:00:00:09', tcp: { flags: 'S.' } });
    expect(one(276, sll2({ pktType: 1, proto: 0x86dd, ifindex: 3 }, v6udp()))).toMatchObject({ direction: 'in', ifIndex: 3 });
  });

  it('raw IP under every code that means it', () => {
    for (const code of [101, 12, 14]) {
      expect(one(code, v4tcp())).toMatchObject({ linkType: 'raw', ip: { version: 4 } });
      expect(one(code, v6udp())).toMatchObject({ linkType: 'raw', ip: { version: 6 } });
    }
    expect(one(228, v4tcp())).toMatchObject({ linkType: 'ipv4', tcp: { dstPort: 51000 } });
    expect(one(229, v6udp())).toMatchObject({ linkType: 'ipv6', udp: { srcPort: 5353, payloadLength: 5 } });
    expect(one(101, bytes(0x50, 1, 2, 3)).partial).toMatch(/IP version 5/);
  });

  it('BSD null (either byte order) and loop', () => {
    const le = fields([[2, 4]], true);
    const be = fields([[2, 4]]);
    expect(one(0, concat(le, v4tcp())).tcp?.srcPort).toBe(443);
    expect(one(0, concat(be, v4tcp()), { bigEndian: true }).tcp?.srcPort).toBe(443);
    expect(one(0, concat(fields([[30, 4]], true), v6udp())).ip?.version).toBe(6);
    expect(one(108, concat(be, v4tcp()))).toMatchObject({ linkType: 'loop', tcp: { srcPort: 443 } });
    expect(one(108, concat(fields([[24, 4]]), v6udp())).ip?.version).toBe(6);
  });

  for (const le of [true, false]) {
    it(`NFLOG with ${le ? 'little' : 'big'}-endian TLVs: prefix, hook, interfaces, payload`, () => {
      const data = nflog({ family: 2, le }, [
        [1, fields([[0x0800, 2], [4, 1], [0, 1]])], // NFULA_PACKET_HDR, hook 4 = postrouting
        [10, ascii('DROP fw1 fwd\0')],
        [4, fields([[3, 4]])],
        [5, fields([[5, 4]])],
        [9, v4tcp(F.RST)],
      ]);
      const p = one(239, data, { bigEndian: !le });
      expect(p).toMatchObject({ linkType: 'nflog', direction: 'out', nflog: { prefix: 'DROP fw1 fwd', hook: 4, inIfindex: 3, outIfindex: 5 } });
      expect(p.tcp?.flags).toBe('R');
      expect(p.partial).toBeUndefined();
    });
  }

  it('NFLOG: IPv6 payload, input hook, TLVs in the other order than the file', () => {
    const data = nflog({ family: 10, le: false }, [
      [1, fields([[0x86dd, 2], [1, 1], [0, 1]])],
      [9, v6udp()],
    ]);
    expect(one(239, data)).toMatchObject({ direction: 'in', nflog: { hook: 1 }, ip: { version: 6 }, udp: { dstPort: 53 } });
  });

  it('cut link headers are partial, not errors', () => {
    expect(one(1, zeros(10)).partial).toMatch(/Ethernet header cut at 10 of 14/);
    expect(one(113, zeros(8)).partial).toMatch(/SLL header cut/);
    expect(one(276, zeros(8)).partial).toMatch(/SLL2 header cut/);
    expect(one(239, zeros(2)).partial).toMatch(/NFLOG header cut/);
    expect(one(239, concat(bytes(2, 0, 0, 0), fields([[2, 2], [9, 2]], true))).partial).toMatch(/NFLOG TLV length 2/);
    expect(one(1, ethernet({ type: 0x8100 }, bytes(0))).partial).toMatch(/VLAN tag cut/);
    expect(one(0, zeros(2)).partial).toMatch(/NULL header cut/);
  });
});

describe('IPv4', () => {
  it('skips options', () => {
    const pkt = ipv4({ src: '10.1.1.1', dst: '10.2.2.2', protocol: 17, options: bytes(0x94, 4, 0, 0, 1, 0, 0, 0) }, udp({ sport: 1, dport: 2 }, zeros(3)));
    expect(one(101, pkt)).toMatchObject({ udp: { srcPort: 1, dstPort: 2, payloadLength: 3 }, ip: { totalLength: 39 } });
  });

  it('decodes the first fragment only', () => {
    const first = ipv4({ src: '10.1.1.1', dst: '10.2.2.2', protocol: 6, fragment: 0x2000 }, tcp({ sport: 1, dport: 2, flags: F.ACK }));
    expect(one(101, first).tcp?.srcPort).toBe(1);
    const later = ipv4({ src: '10.1.1.1', dst: '10.2.2.2', protocol: 6, fragment: 185 }, zeros(40));
    const p = one(101, later);
    expect(p.tcp).toBeUndefined();
    expect(p.partial).toBeUndefined();
    expect(p.ip?.protocol).toBe(6);
  });

  it('computes the TCP payload from the IP lengths, even when snaplen cut it', () => {
    const full = v4tcp(F.PSH | F.ACK, zeros(100));
    expect(one(101, full).tcp?.payloadLength).toBe(100);
    const cut = one(101, full.subarray(0, 60), { wireLen: full.length });
    expect(cut).toMatchObject({ capLen: 60, wireLen: 140, tcp: { payloadLength: 100 } });
    expect(cut.partial).toBeUndefined();
  });

  it('takes the wire length when the total length is 0 (TSO)', () => {
    const pkt = v4tcp(F.ACK, zeros(3000));
    pkt[2] = 0;
    pkt[3] = 0;
    expect(one(101, pkt)).toMatchObject({ ip: { totalLength: 3040 }, tcp: { payloadLength: 3000 } });
  });

  it('marks bad header lengths and cut headers as partial', () => {
    const short = v4tcp();
    short[0] = 0x44;
    expect(one(101, short).partial).toMatch(/IPv4 header length 16 < 20/);
    expect(one(101, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 6, totalLength: 10 }, zeros(20))).partial).toMatch(/total length 10 < header length 20/);
    expect(one(101, v4tcp().subarray(0, 12)).partial).toMatch(/IPv4 header cut at 12 of 20/);
    const opts = ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 6, options: zeros(8) }, zeros(0));
    expect(one(101, opts.subarray(0, 24)).partial).toMatch(/options cut at 24 of 28/);
    expect(one(1, ethernet({ type: 0x0800 }, bytes(0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))).partial).toMatch(/IP version 6 where IPv4/);
  });
});

describe('IPv6', () => {
  it('formats addresses as inet_ntop does', () => {
    const cases: Array<[string, string]> = [
      ['2001:db8:0:0:0:0:0:1', '2001:db8::1'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['fe80:0:0:0:1:0:0:1', 'fe80::1:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['0:0:0:0:0:ffff:c000:201', '::ffff:192.0.2.1'],
      ['2001:0:0:1:0:0:0:0', '2001:0:0:1::'],
    ];
    for (const [full, want] of cases) {
      expect(one(229, ipv6({ src: full, dst: '::1', next: 59 }, zeros(0))).ip?.src).toBe(want);
    }
  });

  it('skips hop-by-hop, routing, destination options and AH headers', () => {
    const inner = udp({ sport: 7, dport: 9 }, zeros(4));
    const ah = concat(bytes(17, 4), zeros(22)); // AH: length (4+2)*4 = 24
    const chain = concat(ext6(43, zeros(4)), ext6(60, zeros(12)), ext6(51, zeros(4)), ah, inner);
    const p = one(229, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: 0 }, chain));
    expect(p).toMatchObject({ ip: { protocol: 17 }, udp: { srcPort: 7, dstPort: 9, payloadLength: 4 } });
    expect(p.partial).toBeUndefined();
  });

  it('takes the fragment id, decodes only the first fragment', () => {
    const first = one(229, ipv6({ src: '::1', dst: '::2', next: 44 }, concat(frag6(6, 0, true, 0xdeadbeef), tcp({ sport: 5, dport: 6, flags: F.SYN }))));
    expect(first).toMatchObject({ ip: { id: 0xdeadbeef, protocol: 6 }, tcp: { srcPort: 5 } });
    const later = one(229, ipv6({ src: '::1', dst: '::2', next: 44 }, concat(frag6(6, 100, false, 7), zeros(16))));
    expect(later.ip).toMatchObject({ id: 7, protocol: 6 });
    expect(later.tcp).toBeUndefined();
  });

  it('marks cut or overlong extension headers as partial', () => {
    expect(one(229, ipv6({ src: '::1', dst: '::2', next: 0 }, zeros(4))).partial).toMatch(/extension header 0 cut/);
    const overlong = concat(bytes(17, 200), zeros(6));
    expect(one(229, ipv6({ src: '::1', dst: '::2', next: 60 }, overlong)).partial).toMatch(/past the payload length/);
    expect(one(229, zeros(30)).partial).toMatch(/IPv6 header cut at 30 of 40/);
    const longHbh = ipv6({ src: '::1', dst: '::2', next: 0, payloadLength: 100 }, concat(bytes(17, 7), zeros(6)));
    expect(one(229, longHbh).partial).toBe('IPv6 extension headers cut by snaplen');
  });
});

describe('transport', () => {
  it('prints every flag combination in tcpdump order', () => {
    const flags = (bits: number) => one(101, v4tcp(bits)).tcp?.flags;
    expect(flags(0xff)).toBe('FSRP.UEW');
    expect(flags(0)).toBe('none');
    expect(flags(F.FIN | F.ACK)).toBe('F.');
    expect(flags(F.PSH | F.ACK)).toBe('P.');
    expect(flags(F.SYN | F.ECE | F.CWR)).toBe('SEW');
  });

  it('keeps what a cut TCP header holds', () => {
    const p = one(101, v4tcp().subarray(0, 20 + 10));
    expect(p.tcp).toMatchObject({ srcPort: 443, dstPort: 51000, seq: 4_000_000_000, flags: '' });
    expect(p.partial).toMatch(/TCP header cut at 10 of 20/);
    expect(one(101, v4tcp().subarray(0, 22)).partial).toMatch(/TCP header cut at 2 of 20/);
  });

  it('flags a bad data offset', () => {
    const p = one(101, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 6 }, tcp({ sport: 1, dport: 2, flags: F.ACK, dataOffset: 3 })));
    expect(p.partial).toMatch(/TCP data offset 12 < 20/);
  });

  it('UDP payload from the UDP length, bounded by IP', () => {
    expect(one(101, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 17 }, udp({ sport: 1, dport: 2, length: 9000 }, zeros(10)))).udp?.payloadLength).toBe(10);
    expect(one(101, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 17 }, bytes(0, 1, 0))).partial).toMatch(/UDP header cut at 3 of 8/);
  });

  it('ICMP errors: type, code and the quoted TCP/UDP header', () => {
    const quoted = v4tcp(F.SYN).subarray(0, 28); // IP header + the first 8 TCP bytes
    const p = one(101, ipv4({ src: '203.0.113.1', dst: '192.0.2.1', protocol: 1 }, icmp({ type: 3, code: 13 }, quoted)));
    expect(p.icmp).toMatchObject({ type: 3, code: 13, inner: { ip: { src: '192.0.2.1', dst: '198.51.100.7', protocol: 6 }, tcp: { srcPort: 443, dstPort: 51000, seq: 4_000_000_000 } } });
    expect(p.icmp?.inner?.partial).toMatch(/TCP header cut at 8 of 20/);
    expect(p.partial).toBeUndefined();
    const echo = one(101, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 1 }, icmp({ type: 8, code: 0 }, zeros(8))));
    expect(echo.icmp).toEqual({ type: 8, code: 0 });
  });

  it('ICMPv6 errors quote the IPv6 packet', () => {
    const quoted = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: 17 }, udp({ sport: 33434, dport: 33435 }));
    const p = one(229, ipv6({ src: '2001:db8::ff', dst: '2001:db8::1', next: 58 }, icmp({ type: 3, code: 0 }, quoted)));
    expect(p.icmp).toMatchObject({ type: 3, code: 0, inner: { ip: { version: 6, dst: '2001:db8::2' }, udp: { srcPort: 33434, dstPort: 33435 } } });
  });
});
