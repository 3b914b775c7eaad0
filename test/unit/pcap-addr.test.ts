/**
 * The address caches are direct-mapped tables: a slot holds the last address that hashed to it, so
 * many addresses evict each other. Whatever the order, each lookup must give that address's text.
 */
import { describe, expect, it } from 'vitest';
import { formatIpv6, ipv4At, ipv6At, macAt } from '../../src/pcap/addr.js';

function rng(seed: number): () => number {
  return () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
}

describe('address caches', () => {
  it('give the right text for 50,000 addresses, far more than the table holds, looked up twice', () => {
    const next = rng(7);
    const bytes = new Uint8Array(16 * 50_000);
    // Few distinct high bytes, so many addresses share most of their bits (as a lab's do).
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 16 < 12 && next() % 4 ? i % 3 : next() & 0xff;
    for (let round = 0; round < 2; round++) {
      for (let off = 0; off < bytes.length; off += 16) {
        const b = bytes.subarray(off, off + 16);
        expect(ipv4At(bytes, off)).toBe(`${b[0]}.${b[1]}.${b[2]}.${b[3]}`);
        expect(macAt(bytes, off)).toBe(Array.from(b.subarray(0, 6), (x) => x.toString(16).padStart(2, '0')).join(':'));
        expect(ipv6At(bytes, off)).toBe(formatIpv6(bytes, off));
      }
    }
  });

  it('formats IPv6 as inet_ntop does', () => {
    const v6 = (...words: number[]) => Uint8Array.from(words.flatMap((w) => [w >> 8, w & 0xff]));
    expect(ipv6At(v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 0)).toBe('2001:db8::1');
    expect(ipv6At(v6(0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001), 0)).toBe('::ffff:10.0.0.1');
    expect(ipv6At(v6(0x2001, 0xdb8, 0, 1, 0, 0, 0, 1), 0)).toBe('2001:db8:0:1::1');
  });
});
