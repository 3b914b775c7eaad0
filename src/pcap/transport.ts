/**
 * TCP and UDP headers. `off`..`end` is what was captured of the segment; `l4len` is its length
 * according to the IP header, which is what payload lengths are computed from (a snaplen-cut
 * packet still reports the payload it carried on the wire).
 */
import { TCP_FLAG_STRINGS } from './tcp-flags.js';
import type { TcpInfo, UdpInfo } from './types.js';

/** Where TCP/UDP decoding writes. */
export interface TransportTarget {
  tcp?: TcpInfo;
  udp?: UdpInfo;
  partial?: string;
}

/** How many payload bytes payloadDigest reads: the flow agents put what tells a datagram apart there. */
export const DIGEST_BYTES = 32;

/**
 * FNV-1a over the first DIGEST_BYTES bytes of a payload (fewer if fewer were captured): what a UDP
 * datagram or an ICMP echo is followed by across NAT, which rewrites addresses, ports and echo ids
 * but never the payload. The flow agents compute the same over what they send. Undefined for an
 * empty payload.
 */
export function payloadDigest(u8: Uint8Array, off: number, end: number): number | undefined {
  const stop = end - off > DIGEST_BYTES ? off + DIGEST_BYTES : end;
  if (stop <= off) return undefined;
  let h = 0x811c9dc5;
  for (let i = off; i < stop; i++) h = Math.imul(h ^ u8[i], 0x01000193);
  return h >>> 0;
}

export function decodeTcp(u8: Uint8Array, off: number, end: number, l4len: number, t: TransportTarget): void {
  const avail = end - off;
  if (avail >= 20) {
    const flagBits = u8[off + 13];
    const dataOffset = (u8[off + 12] >> 4) * 4;
    let payloadLength = l4len - dataOffset;
    if (payloadLength < 0) payloadLength = 0;
    t.tcp = {
      srcPort: (u8[off] << 8) | u8[off + 1],
      dstPort: (u8[off + 2] << 8) | u8[off + 3],
      seq: ((u8[off + 4] << 24) | (u8[off + 5] << 16) | (u8[off + 6] << 8) | u8[off + 7]) >>> 0,
      ack: ((u8[off + 8] << 24) | (u8[off + 9] << 16) | (u8[off + 10] << 8) | u8[off + 11]) >>> 0,
      flags: TCP_FLAG_STRINGS[flagBits],
      flagBits,
      window: (u8[off + 14] << 8) | u8[off + 15],
      payloadLength,
    };
    if (dataOffset < 20) t.partial ??= `TCP data offset ${dataOffset} < 20 bytes`;
    else if (dataOffset > l4len) t.partial ??= `TCP header length ${dataOffset} > segment length ${l4len}`;
    return;
  }
  if (avail < 4) {
    t.partial ??= `TCP header cut at ${avail < 0 ? 0 : avail} of 20 bytes`;
    return;
  }
  // Cut short (snaplen, or the 8 bytes an ICMP error quotes): keep the fields that are there.
  const u32 = (o: number) => (avail >= o + 4 ? ((u8[off + o] << 24) | (u8[off + o + 1] << 16) | (u8[off + o + 2] << 8) | u8[off + o + 3]) >>> 0 : 0);
  const flagBits = avail >= 14 ? u8[off + 13] : 0;
  t.tcp = {
    srcPort: (u8[off] << 8) | u8[off + 1],
    dstPort: (u8[off + 2] << 8) | u8[off + 3],
    seq: u32(4),
    ack: u32(8),
    flags: avail >= 14 ? TCP_FLAG_STRINGS[flagBits] : '',
    flagBits,
    window: avail >= 16 ? (u8[off + 14] << 8) | u8[off + 15] : 0,
    payloadLength: 0,
  };
  t.partial ??= `TCP header cut at ${avail} of 20 bytes`;
}

export function decodeUdp(u8: Uint8Array, off: number, end: number, l4len: number, t: TransportTarget): void {
  const avail = end - off;
  if (avail < 4) {
    t.partial ??= `UDP header cut at ${avail < 0 ? 0 : avail} of 8 bytes`;
    return;
  }
  let payloadLength = 0;
  if (avail >= 8) {
    const udpLen = (u8[off + 4] << 8) | u8[off + 5];
    // The UDP length is 0 for IPv6 jumbograms and GSO; otherwise it bounds the payload.
    payloadLength = (udpLen >= 8 && udpLen <= l4len ? udpLen : l4len) - 8;
    if (payloadLength < 0) payloadLength = 0;
  } else {
    t.partial ??= `UDP header cut at ${avail} of 8 bytes`;
  }
  t.udp = {
    srcPort: (u8[off] << 8) | u8[off + 1],
    dstPort: (u8[off + 2] << 8) | u8[off + 3],
    payloadLength,
  };
  const digest = payloadLength > 0 ? payloadDigest(u8, off + 8, end) : undefined;
  if (digest !== undefined) t.udp.payloadDigest = digest;
}
