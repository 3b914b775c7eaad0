/**
 * IPv4 and IPv6 decoding, down to the transport header (see transport.ts). Reads bytes straight from
 * the capture buffer between `off` and `end` (the captured end); never reads past `end`.
 */
import type { EchoInfo, IcmpInfo, IpInfo, TcpInfo, UdpInfo } from './types.js';
import { ipv4At, ipv6At } from './addr.js';
import { decodeTcp, decodeUdp, payloadDigest } from './transport.js';

/** What IP decoding fills in: a DecodedPacket, or the quoted packet inside an ICMP error. */
export interface IpTarget {
  ip?: IpInfo;
  tcp?: TcpInfo;
  udp?: UdpInfo;
  icmp?: IcmpInfo;
  echo?: EchoInfo;
  partial?: string;
}

/** Most extension headers we follow before giving up (a hostile chain could be long). */
const MAX_EXT_HEADERS = 16;

/**
 * Decode an IP packet whose version is given by its first nibble.
 * `wireLeft` is how many bytes the packet had on the wire from `off` (for TSO/GSO captures whose
 * length field is 0). `quoted` is true inside an ICMP error, where the packet is cut by design.
 */
export function decodeIp(u8: Uint8Array, off: number, end: number, wireLeft: number, t: IpTarget, quoted: boolean): void {
  if (off >= end) {
    t.partial ??= 'IP header missing (cut by snaplen)';
    return;
  }
  const version = u8[off] >> 4;
  if (version === 4) decodeIpv4(u8, off, end, wireLeft, t, quoted);
  else if (version === 6) decodeIpv6(u8, off, end, wireLeft, t, quoted);
  else t.partial ??= `IP version ${version} is neither 4 nor 6`;
}

export function decodeIpv4(u8: Uint8Array, off: number, end: number, wireLeft: number, t: IpTarget, quoted: boolean): void {
  const avail = end - off;
  if (avail < 20) {
    t.partial ??= `IPv4 header cut at ${avail < 0 ? 0 : avail} of 20 bytes`;
    return;
  }
  if (u8[off] >> 4 !== 4) {
    t.partial ??= `IP version ${u8[off] >> 4} where IPv4 was expected`;
    return;
  }
  const hlen = (u8[off] & 0x0f) * 4;
  let totalLength = (u8[off + 2] << 8) | u8[off + 3];
  const protocol = u8[off + 9];
  t.ip = {
    version: 4,
    src: ipv4At(u8, off + 12),
    dst: ipv4At(u8, off + 16),
    id: (u8[off + 4] << 8) | u8[off + 5],
    ttl: u8[off + 8],
    protocol,
    totalLength,
  };
  if (hlen < 20) {
    t.partial ??= `IPv4 header length ${hlen} < 20`;
    return;
  }
  if (totalLength === 0 && !quoted) {
    // TSO/GSO: the kernel hands tcpdump the unsegmented packet with a zero length field.
    totalLength = t.ip.totalLength = wireLeft;
  }
  if (totalLength < hlen) {
    t.partial ??= `IPv4 total length ${totalLength} < header length ${hlen}`;
    return;
  }
  if (avail < hlen) {
    t.partial ??= `IPv4 options cut at ${avail} of ${hlen} bytes`;
    return;
  }
  // Fragments after the first carry no transport header.
  if ((((u8[off + 6] << 8) | u8[off + 7]) & 0x1fff) !== 0) return;
  let l4end = off + totalLength;
  if (l4end > end) l4end = end;
  decodeL4(u8, off + hlen, l4end, totalLength - hlen, protocol, 4, t, quoted);
}

export function decodeIpv6(u8: Uint8Array, off: number, end: number, wireLeft: number, t: IpTarget, quoted: boolean): void {
  const avail = end - off;
  if (avail < 40) {
    t.partial ??= `IPv6 header cut at ${avail < 0 ? 0 : avail} of 40 bytes`;
    return;
  }
  if (u8[off] >> 4 !== 6) {
    t.partial ??= `IP version ${u8[off] >> 4} where IPv6 was expected`;
    return;
  }
  let payloadLength = (u8[off + 4] << 8) | u8[off + 5];
  // Jumbograms and GSO captures leave the payload length 0: take what was on the wire.
  if (payloadLength === 0 && !quoted && wireLeft > 40) payloadLength = wireLeft - 40;
  const ip: IpInfo = {
    version: 6,
    src: ipv6At(u8, off + 8),
    dst: ipv6At(u8, off + 24),
    id: undefined,
    ttl: u8[off + 7],
    protocol: u8[off + 6],
    totalLength: 40 + payloadLength,
  };
  t.ip = ip;

  let next = u8[off + 6];
  let p = off + 40;
  const l3end = off + 40 + payloadLength;
  let firstFragment = true;
  for (let n = 0; n < MAX_EXT_HEADERS; n++) {
    if (next !== 0 && next !== 43 && next !== 44 && next !== 60 && next !== 51) break;
    if (p + 8 > end) {
      ip.protocol = next;
      t.partial ??= `IPv6 extension header ${next} cut by snaplen`;
      return;
    }
    const hdrNext = u8[p];
    let len: number;
    if (next === 44) {
      len = 8;
      ip.id = ((u8[p + 4] << 24) | (u8[p + 5] << 16) | (u8[p + 6] << 8) | u8[p + 7]) >>> 0;
      if ((((u8[p + 2] << 8) | u8[p + 3]) & 0xfff8) !== 0) firstFragment = false;
    } else if (next === 51) {
      len = (u8[p + 1] + 2) * 4;
    } else {
      len = (u8[p + 1] + 1) * 8;
    }
    next = hdrNext;
    p += len;
    if (p > l3end) {
      ip.protocol = next;
      t.partial ??= 'IPv6 extension headers run past the payload length';
      return;
    }
  }
  ip.protocol = next;
  if (!firstFragment) return;
  if (p > end) {
    t.partial ??= 'IPv6 extension headers cut by snaplen';
    return;
  }
  decodeL4(u8, p, l3end < end ? l3end : end, l3end - p, next, 6, t, quoted);
}

/** ICMP types whose body quotes the offending packet (RFC 792 / RFC 4443 errors). */
const ICMP4_ERRORS = new Set([3, 4, 5, 11, 12]);
const ICMP6_ERRORS = new Set([1, 2, 3, 4]);

function decodeL4(u8: Uint8Array, off: number, end: number, l4len: number, protocol: number, version: 4 | 6, t: IpTarget, quoted: boolean): void {
  if (protocol === 6) decodeTcp(u8, off, end, l4len, t);
  else if (protocol === 17) decodeUdp(u8, off, end, l4len, t);
  else if ((protocol === 1 && version === 4) || (protocol === 58 && version === 6)) decodeIcmp(u8, off, end, l4len, version, t, quoted);
}

/** Echo request and reply types: v4 8 and 0, v6 128 and 129. */
const isEcho = (version: 4 | 6, type: number) => (version === 4 ? type === 8 || type === 0 : type === 128 || type === 129);

function decodeIcmp(u8: Uint8Array, off: number, end: number, l4len: number, version: 4 | 6, t: IpTarget, quoted: boolean): void {
  const avail = end - off;
  if (avail < 2) {
    t.partial ??= `ICMP header cut at ${avail < 0 ? 0 : avail} bytes`;
    return;
  }
  const icmp: IcmpInfo = { type: u8[off], code: u8[off + 1] };
  t.icmp = icmp;
  if (avail >= 8) {
    // Echo: id and seq follow the checksum. Path MTU errors carry the next hop's MTU there.
    if (isEcho(version, icmp.type)) {
      const echo: EchoInfo = { id: (u8[off + 4] << 8) | u8[off + 5], seq: (u8[off + 6] << 8) | u8[off + 7], payloadLength: l4len > 8 ? l4len - 8 : 0 };
      const digest = payloadDigest(u8, off + 8, end);
      if (digest !== undefined) echo.payloadDigest = digest;
      t.echo = echo;
    } else if (version === 4 && icmp.type === 3 && icmp.code === 4) icmp.mtu = (u8[off + 6] << 8) | u8[off + 7];
    else if (version === 6 && icmp.type === 2) icmp.mtu = ((u8[off + 4] << 24) | (u8[off + 5] << 16) | (u8[off + 6] << 8) | u8[off + 7]) >>> 0;
  }
  // One level only: an error quoting an error is not unpacked further.
  if (quoted || !(version === 4 ? ICMP4_ERRORS : ICMP6_ERRORS).has(icmp.type) || avail <= 8) return;
  const inner: IpTarget = {};
  decodeIp(u8, off + 8, end, end - off - 8, inner, true);
  icmp.inner = inner;
}
