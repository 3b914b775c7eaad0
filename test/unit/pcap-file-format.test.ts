import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { decodePcap, iteratePackets } from '../../src/pcap/read.js';
import { concat, epb, ethTcp, F, fields, idb, pcap, shb, spb } from '../fixtures/pcap/build.js';

function inputError(fn: () => unknown): LabError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).kind).toBe('input');
    return err as LabError;
  }
  throw new Error('expected a LabError');
}

describe('pcap framing', () => {
  for (const bigEndian of [false, true]) {
    const order = bigEndian ? 'big-endian' : 'little-endian';

    it(`reads a ${order} microsecond file`, () => {
      const f = decodePcap(pcap({ linkType: 1, bigEndian, snapLen: 1500 }, [{ sec: 1_700_000_000, frac: 123456, data: ethTcp() }]), 'us.pcap');
      expect(f).toMatchObject({ format: 'pcap', linkType: 'ethernet', linkTypeCode: 1, snapLen: 1500, nanosecond: false });
      expect(f.truncated).toBeUndefined();
      expect(f.packets).toHaveLength(1);
      expect(f.packets[0].ts).toBeCloseTo(1_700_000_000.123456, 6);
      expect(f.packets[0].tcp?.flags).toBe('S');
    });

    it(`reads a ${order} nanosecond file`, () => {
      const f = decodePcap(pcap({ linkType: 1, bigEndian, nanosecond: true }, [{ sec: 1_700_000_000, frac: 123456789, data: ethTcp() }]));
      expect(f.nanosecond).toBe(true);
      expect(f.packets[0].ts).toBeCloseTo(1_700_000_000.123456789, 6);
    });
  }

  it('keeps the packets before a record cut mid-data, and says so', () => {
    const whole = pcap({ linkType: 1 }, [{ data: ethTcp() }, { data: ethTcp() }, { data: ethTcp() }]);
    const cut = whole.subarray(0, whole.length - 10);
    const f = decodePcap(cut, 'cut.pcap');
    expect(f.packets).toHaveLength(2);
    expect(f.truncated).toMatch(/^cut\.pcap: file ends inside packet 3/);
  });

  it('keeps the packets before a record header cut short', () => {
    const whole = pcap({ linkType: 1 }, [{ data: ethTcp() }, { data: ethTcp() }]);
    const f = decodePcap(whole.subarray(0, whole.length - ethTcp().length - 6), 'h.pcap');
    expect(f.packets).toHaveLength(1);
    expect(f.truncated).toMatch(/inside the header of packet 2/);
  });

  it('stops at a capture length over 256 KiB without allocating it', () => {
    const f = decodePcap(pcap({ linkType: 1 }, [{ data: ethTcp() }, { data: ethTcp(), capLen: 0x7fffffff }]), 'huge.pcap');
    expect(f.packets).toHaveLength(1);
    expect(f.truncated).toMatch(/claims 2147483647 captured bytes, more than the 262144 maximum/);
  });

  it('stops at a capture length larger than the bytes left', () => {
    const f = decodePcap(pcap({ linkType: 1 }, [{ data: ethTcp(), capLen: 5000 }]), 'short.pcap');
    expect(f.packets).toHaveLength(0);
    expect(f.truncated).toMatch(/needs 5000 bytes/);
  });

  it('cuts a record longer than the snapshot length to it, as libpcap does', () => {
    const data = ethTcp();
    const f = decodePcap(pcap({ linkType: 1, snapLen: 40 }, [{ data }, { data }]));
    expect(f.packets).toHaveLength(2);
    expect(f.packets[0].capLen).toBe(40);
    expect(f.packets[0].partial).toBe('TCP header cut at 6 of 20 bytes');
    expect(f.packets[1].capLen).toBe(40);
  });

  it('reads pre-2.3 files with caplen and len the other way round', () => {
    const data = ethTcp();
    const f = decodePcap(pcap({ linkType: 1, version: [2, 2] }, [{ data, capLen: 1514, wireLen: data.length }]));
    expect(f.packets[0]).toMatchObject({ capLen: data.length, wireLen: 1514 });
  });

  it('reads the patched-libpcap variant with 24-byte record headers', () => {
    const data = ethTcp();
    const header = fields([[0xa1b2cd34, 4], [2, 2], [4, 2], [0, 4], [0, 4], [65535, 4], [1, 4]], true);
    const record = fields([[1_700_000_000, 4], [0, 4], [data.length, 4], [data.length, 4], [2, 4], [0x0800, 2], [0, 1], [0, 1]], true);
    const f = decodePcap(concat(header, record, data, record, data));
    expect(f.packets.map((p) => p.tcp?.flags)).toEqual(['S', 'S']);
    expect(f.truncated).toBeUndefined();
  });

  it('takes the link type from the low 16 bits (FCS flags above)', () => {
    expect(decodePcap(pcap({ linkType: 0x30000001 }, [{ data: ethTcp() }])).linkType).toBe('ethernet');
  });

  it('refuses a truncated header with a LabError naming the file', () => {
    const e = inputError(() => decodePcap(pcap({ linkType: 1 }, []).subarray(0, 10), 'caps/r1-eth0.pcap'));
    expect(e.message).toMatch(/^caps\/r1-eth0\.pcap: truncated pcap file/);
  });

  it('refuses an empty file, a text file and an unknown version', () => {
    expect(inputError(() => decodePcap(new Uint8Array(0), 'empty.pcap')).message).toMatch(/empty\.pcap: not a readable capture file/);
    expect(inputError(() => decodePcap(new TextEncoder().encode('hello world, not a capture'), 'a.txt')).message).toMatch(/neither a pcap nor a pcap-ng/);
    expect(inputError(() => decodePcap(pcap({ linkType: 1, version: [3, 0] }, []), 'v3.pcap')).message).toMatch(/unsupported pcap version 3\.0/);
  });

  it('reads a header-only file as zero packets', () => {
    expect(decodePcap(pcap({ linkType: 113 }, []))).toMatchObject({ linkType: 'sll', packets: [] });
  });

  it('iterates one packet at a time and reports truncation at the end', () => {
    const whole = pcap({ linkType: 1 }, [{ data: ethTcp(F.SYN) }, { data: ethTcp(F.SYN | F.ACK) }, { data: ethTcp(F.ACK) }]);
    const reader = iteratePackets(whole.subarray(0, whole.length - 1), 'it.pcap');
    expect(reader.linkType).toBe('ethernet');
    expect([...reader].map((p) => p.tcp?.flags)).toEqual(['S', 'S.']);
    expect(reader.count).toBe(2);
    expect(reader.truncated).toMatch(/it\.pcap: file ends inside packet 3/);
  });
});

describe('pcap-ng framing', () => {
  for (const le of [true, false]) {
    const order = le ? 'little-endian' : 'big-endian';

    it(`reads ${order} enhanced and simple packet blocks`, () => {
      const buf = concat(
        shb(le),
        idb({ linkType: 1, snapLen: 65535 }, le),
        epb({ ts: 1_700_000_000_123_456n, data: ethTcp(F.SYN), flags: 1 }, le),
        pcapngBlockOfUnknownType(le),
        epb({ ts: 1_700_000_000_223_456n, data: ethTcp(F.SYN | F.ACK), flags: 2 }, le),
        spb({ data: ethTcp(F.ACK) }, le),
      );
      const f = decodePcap(buf, 'ng.pcapng');
      expect(f).toMatchObject({ format: 'pcapng', linkType: 'ethernet', linkTypeCode: 1, snapLen: 65535, nanosecond: false });
      expect(f.truncated).toBeUndefined();
      expect(f.packets.map((p) => [p.tcp?.flags, p.direction, p.interfaceId])).toEqual([
        ['S', 'in', 0],
        ['S.', 'out', 0],
        ['.', 'unknown', 0],
      ]);
      expect(f.packets[0].ts).toBeCloseTo(1_700_000_000.123456, 6);
    });
  }

  it('honours if_tsresol (nanoseconds, binary) and if_tsoffset per interface', () => {
    const le = true;
    const buf = concat(
      shb(le),
      idb({ linkType: 1, tsresol: 9 }, le),
      idb({ linkType: 101, tsresol: 0x80 | 10, tsoffset: 100n }, le),
      epb({ iface: 0, ts: 1_700_000_000_123_456_789n, data: ethTcp() }, le),
      epb({ iface: 1, ts: 3n * 1024n + 512n, data: ethTcp().subarray(14) }, le),
    );
    const f = decodePcap(buf);
    expect(f.nanosecond).toBe(true);
    expect(f.packets[0].ts).toBeCloseTo(1_700_000_000.123456789, 6);
    // Interfaces may differ in link type: each packet carries its own.
    expect(f.packets[1]).toMatchObject({ ts: 103.5, linkType: 'raw', interfaceId: 1 });
    expect(f.packets[1].tcp?.dstPort).toBe(80);
  });

  it('starts over with a new section in the other byte order', () => {
    const buf = concat(shb(true), idb({ linkType: 1 }, true), epb({ ts: 1n, data: ethTcp() }, true), shb(false), idb({ linkType: 113 }, false), epb({ ts: 2n, data: sllFrame() }, false));
    const f = decodePcap(buf);
    expect(f.packets.map((p) => p.linkType)).toEqual(['ethernet', 'sll']);
    expect(f.packets[1].tcp?.srcPort).toBe(40000);
  });

  it('keeps the packets before a block cut short', () => {
    const buf = concat(shb(true), idb({ linkType: 1 }, true), epb({ ts: 1n, data: ethTcp() }, true), epb({ ts: 2n, data: ethTcp() }, true));
    const f = decodePcap(buf.subarray(0, buf.length - 8), 'cut.pcapng');
    expect(f.packets).toHaveLength(1);
    expect(f.truncated).toMatch(/^cut\.pcapng: file ends inside a block/);
  });

  it('stops at impossible block lengths and unknown interfaces', () => {
    const head = concat(shb(true), idb({ linkType: 1 }, true), epb({ ts: 1n, data: ethTcp() }, true));
    const badLen = decodePcap(concat(head, fields([[6, 4], [13, 4]], true), new Uint8Array(20)));
    expect(badLen.packets).toHaveLength(1);
    expect(badLen.truncated).toMatch(/impossible length 13/);
    const hugeLen = decodePcap(concat(head, fields([[6, 4], [0xfffffff0, 4]], true), new Uint8Array(20)));
    expect(hugeLen.truncated).toMatch(/impossible length/);
    const noIface = decodePcap(concat(head, epb({ iface: 7, ts: 1n, data: ethTcp() }, true)));
    expect(noIface.packets).toHaveLength(1);
    expect(noIface.truncated).toMatch(/interface 7/);
    const capTooBig = decodePcap(concat(head, epb({ ts: 1n, data: ethTcp(), capLen: 100_000 }, true)));
    expect(capTooBig.truncated).toMatch(/more than the block holds/);
  });

  it('refuses a file without an interface, or with a damaged section header', () => {
    expect(inputError(() => decodePcap(concat(shb(true), epb({ ts: 1n, data: ethTcp() }, true)), 'x.pcapng')).message).toMatch(/no Interface Description Block/);
    expect(inputError(() => decodePcap(shb(true).subarray(0, 20), 'y.pcapng')).message).toMatch(/^y\.pcapng: truncated pcap-ng/);
    const badMagic = shb(true);
    badMagic[8] = 0;
    expect(inputError(() => decodePcap(concat(badMagic, idb({ linkType: 1 }, true)))).message).toMatch(/byte-order magic/);
  });
});

function pcapngBlockOfUnknownType(le: boolean): Uint8Array {
  // A Name Resolution Block-like block the reader must skip.
  return concat(fields([[4, 4], [16, 4]], le), new Uint8Array(4), fields([[16, 4]], le));
}

function sllFrame(): Uint8Array {
  const eth = ethTcp();
  return concat(fields([[4, 2], [1, 2], [6, 2]]), new Uint8Array(8), fields([[0x0800, 2]]), eth.subarray(14));
}
