/**
 * Hostile input: every prefix of a few valid captures, and thousands of seeded random corruptions.
 * The reader may refuse a file (LabError 'input') or stop early (`truncated`), never throw anything
 * else, loop, or return packets that point outside the file.
 */
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { collectPackets, decodePcap, PacketReader } from '../../src/pcap/read.js';
import { ByteWindow } from '../../src/pcap/source.js';
import type { PcapFile } from '../../src/pcap/types.js';
import { ascii, concat, epb, ethernet, ethTcp, ext6, F, fields, icmp, idb, ipv4, ipv6, nflog, pcap, shb, sll2, spb, tcp, udp } from '../fixtures/pcap/build.js';

/** mulberry32: small, seeded, good enough to pick bytes. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function decodeOrRefuse(buf: Uint8Array): PcapFile | undefined {
  try {
    return decodePcap(buf, 'fuzz.pcap');
  } catch (err) {
    if (err instanceof LabError && err.kind === 'input') return undefined;
    throw err;
  }
}

/**
 * The same bytes read the way a file is: through a small reused buffer, in reads that come up short
 * at random. Returns the file, or the refusal's message.
 */
function decodeChunked(buf: Uint8Array, next: () => number): PcapFile | string {
  const readAt = (into: Uint8Array, at: number, length: number, position: number) => {
    const n = Math.min(length, 1 + Math.floor(next() * length), buf.length - position);
    into.set(buf.subarray(position, position + n), at);
    return n;
  };
  try {
    return collectPackets(new PacketReader(new ByteWindow({ size: buf.length, readAt, chunkBytes: 64 }), 'fuzz.pcap'));
  } catch (err) {
    if (err instanceof LabError && err.kind === 'input') return err.message;
    throw err;
  }
}

function checkSane(f: PcapFile | undefined, buf: Uint8Array): void {
  if (!f) return;
  f.packets.forEach((p, i) => {
    expect(p.index).toBe(i);
    expect(p.capLen).toBeLessThanOrEqual(buf.length);
    expect(Number.isFinite(p.ts)).toBe(true);
    expect(p.partial ?? '').not.toMatch(/decoder error/);
  });
}

const quoted = ipv4({ src: '10.0.0.2', dst: '10.0.0.1', protocol: 17 }, udp({ sport: 1, dport: 2 })).subarray(0, 28);
const frames = [
  ethTcp(F.SYN),
  ethernet({ type: 0x0800, vlans: [5, 6] }, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 1 }, icmp({ type: 11, code: 0 }, quoted))),
  ethernet({ type: 0x86dd }, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: 0 }, concat(ext6(44, new Uint8Array(4)), fields([[6, 1], [0, 1], [1, 2], [9, 4]]), tcp({ sport: 1, dport: 2, flags: F.ACK })))),
];
const samples: Array<[string, Uint8Array]> = [
  ['pcap ethernet', pcap({ linkType: 1 }, frames.map((data) => ({ data })))],
  ['pcap ns big-endian', pcap({ linkType: 1, nanosecond: true, bigEndian: true }, frames.map((data) => ({ data })))],
  ['pcap sll2', pcap({ linkType: 276 }, [{ data: sll2({ pktType: 4, proto: 0x0800, ifindex: 2 }, frames[0].subarray(14)) }])],
  ['pcap nflog', pcap({ linkType: 239 }, [{ data: nflog({ family: 2, le: true }, [[1, fields([[0x800, 2], [1, 1], [0, 1]])], [10, ascii('x\0')], [9, frames[0].subarray(14)]]) }])],
  ['pcapng', concat(shb(true), idb({ linkType: 1, tsresol: 9 }, true), ...frames.map((data, i) => epb({ ts: BigInt(i), data, flags: 1 }, true)), spb({ data: frames[0] }, true))],
];

describe('hostile input', () => {
  for (const [name, buf] of samples) {
    it(`${name}: every prefix decodes or is refused`, () => {
      let stoppedEarly = 0;
      for (let n = 0; n < buf.length; n++) {
        const cut = buf.subarray(0, n);
        const f = decodeOrRefuse(cut);
        checkSane(f, cut);
        if (f?.truncated) stoppedEarly++;
      }
      expect(stoppedEarly).toBeGreaterThan(0);
    });

    it(`${name}: seeded random corruption never throws`, () => {
      const next = rng(name.length * 7919);
      for (let round = 0; round < 1500; round++) {
        const copy = Uint8Array.from(buf);
        const flips = 1 + Math.floor(next() * 6);
        for (let k = 0; k < flips; k++) {
          const at = Math.floor(next() * copy.length);
          // Mostly extreme values: they are what breaks length arithmetic.
          copy[at] = next() < 0.5 ? (next() < 0.5 ? 0 : 0xff) : Math.floor(next() * 256);
        }
        checkSane(decodeOrRefuse(copy), copy);
      }
    });

    it(`${name}: read in small chunks, every corruption gives what the whole buffer gives`, () => {
      const next = rng(name.length * 104729);
      for (let round = 0; round < 500; round++) {
        const copy = Uint8Array.from(buf);
        const flips = round === 0 ? 0 : 1 + Math.floor(next() * 6);
        for (let k = 0; k < flips; k++) copy[Math.floor(next() * copy.length)] = next() < 0.5 ? 0xff : Math.floor(next() * 256);
        const cut = copy.subarray(0, Math.floor(copy.length * (0.5 + next() / 2)) + 1);
        let whole: PcapFile | string;
        try {
          whole = decodePcap(cut, 'fuzz.pcap');
        } catch (err) {
          whole = (err as Error).message;
        }
        expect(decodeChunked(cut, next)).toEqual(whole);
      }
    });
  }
});
