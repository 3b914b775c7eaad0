/**
 * Link layers: Ethernet (with 802.1Q/802.1ad tags and LLC/SNAP), Linux cooked SLL and SLL2, raw IP,
 * NFLOG and BSD null/loop. Each decoder reads the link header between `off` and `end` (the captured
 * end of the packet) and hands the network layer to ip.ts.
 */
import type { CaptureDirection, DecodedPacket, LinkType, NflogInfo } from './types.js';
import { macAt } from './addr.js';
import { decodeIp, decodeIpv4, decodeIpv6, type IpTarget } from './ip.js';

/** What link decoding fills in: the decoded fields of a DecodedPacket. */
export interface LinkTarget extends IpTarget, Pick<DecodedPacket, 'srcMac' | 'dstMac' | 'etherType' | 'vlans' | 'ifIndex' | 'nflog'> {
  direction: CaptureDirection;
}

/** LINKTYPE_ values (as stored in pcap and pcap-ng files) that we decode. */
const LINK_TYPES: ReadonlyMap<number, LinkType> = new Map<number, LinkType>([
  [0, 'null'],
  [1, 'ethernet'],
  [12, 'raw'],
  [14, 'raw'],
  [101, 'raw'],
  [108, 'loop'],
  [113, 'sll'],
  [228, 'ipv4'],
  [229, 'ipv6'],
  [239, 'nflog'],
  [276, 'sll2'],
]);

export function linkTypeName(code: number): LinkType {
  return LINK_TYPES.get(code) ?? 'unknown';
}

/** Decode the link layer named by `linkType` and everything under it into `pkt`. */
export function decodeLink(linkType: LinkType, u8: Uint8Array, off: number, end: number, wireLen: number, pkt: LinkTarget, littleEndian: boolean): void {
  switch (linkType) {
    case 'ethernet':
      return decodeEthernet(u8, off, end, wireLen, pkt);
    case 'sll':
      return decodeSll(u8, off, end, wireLen, pkt);
    case 'sll2':
      return decodeSll2(u8, off, end, wireLen, pkt);
    case 'raw':
      return decodeIp(u8, off, end, wireLen, pkt, false);
    case 'ipv4':
      return decodeIpv4(u8, off, end, wireLen, pkt, false);
    case 'ipv6':
      return decodeIpv6(u8, off, end, wireLen, pkt, false);
    case 'nflog':
      return decodeNflog(u8, off, end, pkt, littleEndian);
    case 'null':
    case 'loop':
      return decodeNull(u8, off, end, wireLen, pkt, linkType === 'loop');
    default:
      return;
  }
}

const u16 = (u8: Uint8Array, o: number): number => (u8[o] << 8) | u8[o + 1];
const u32 = (u8: Uint8Array, o: number): number => ((u8[o] << 24) | (u8[o + 1] << 16) | (u8[o + 2] << 8) | u8[o + 3]) >>> 0;

/** More tags than this is not a real frame; stop rather than loop. */
const MAX_VLAN_TAGS = 8;

function decodeEthernet(u8: Uint8Array, off: number, end: number, wireLen: number, pkt: LinkTarget): void {
  if (end - off < 14) {
    pkt.partial = `Ethernet header cut at ${end - off} of 14 bytes`;
    return;
  }
  pkt.srcMac = macAt(u8, off + 6);
  pkt.dstMac = macAt(u8, off);
  const type = u16(u8, off + 12);
  if (type >= 0x600) {
    decodeEtherType(type, u8, off + 14, end, wireLen - 14, pkt);
    return;
  }
  // 802.3 length field: only LLC/SNAP with an EtherType (OUI 0) carries IP.
  const p = off + 14;
  if (end - p >= 8 && u8[p] === 0xaa && u8[p + 1] === 0xaa && u8[p + 2] === 0x03 && u8[p + 3] === 0 && u8[p + 4] === 0 && u8[p + 5] === 0) {
    decodeEtherType(u16(u8, p + 6), u8, p + 8, end, wireLen - 22, pkt);
  }
}

/** Payload of type `type` at `off`: skip VLAN tags, then IPv4 or IPv6. */
function decodeEtherType(type: number, u8: Uint8Array, off: number, end: number, wireLeft: number, pkt: LinkTarget): void {
  for (let n = 0; type === 0x8100 || type === 0x88a8 || type === 0x9100; n++) {
    if (end - off < 4 || n === MAX_VLAN_TAGS) {
      pkt.etherType = type;
      pkt.partial = n === MAX_VLAN_TAGS ? `more than ${MAX_VLAN_TAGS} VLAN tags` : 'VLAN tag cut by snaplen';
      return;
    }
    (pkt.vlans ??= []).push(u16(u8, off) & 0x0fff);
    type = u16(u8, off + 2);
    off += 4;
    wireLeft -= 4;
  }
  pkt.etherType = type;
  if (type === 0x0800) decodeIpv4(u8, off, end, wireLeft, pkt, false);
  else if (type === 0x86dd) decodeIpv6(u8, off, end, wireLeft, pkt, false);
}

/** Linux packet types (if_packet.h): host, broadcast, multicast, otherhost arrive; outgoing leaves. */
function sllDirection(pktType: number): CaptureDirection {
  return pktType === 4 ? 'out' : pktType <= 3 ? 'in' : 'unknown';
}

function decodeSll(u8: Uint8Array, off: number, end: number, wireLen: number, pkt: LinkTarget): void {
  if (end - off < 16) {
    pkt.partial = `SLL header cut at ${end - off} of 16 bytes`;
    return;
  }
  pkt.direction = sllDirection(u16(u8, off));
  if (u16(u8, off + 4) === 6) pkt.srcMac = macAt(u8, off + 6);
  const proto = u16(u8, off + 14);
  // Below 0x600 the field names a Linux pseudo-protocol (802.2, CAN...), never IP.
  if (proto >= 0x600) decodeEtherType(proto, u8, off + 16, end, wireLen - 16, pkt);
}

function decodeSll2(u8: Uint8Array, off: number, end: number, wireLen: number, pkt: LinkTarget): void {
  if (end - off < 20) {
    pkt.partial = `SLL2 header cut at ${end - off} of 20 bytes`;
    return;
  }
  pkt.direction = sllDirection(u8[off + 10]);
  pkt.ifIndex = u32(u8, off + 4);
  if (u8[off + 11] === 6) pkt.srcMac = macAt(u8, off + 12);
  const proto = u16(u8, off + 0);
  if (proto >= 0x600) decodeEtherType(proto, u8, off + 20, end, wireLen - 20, pkt);
}

/** BSD address families for IPv6 (tcpdump af.h: BSD, FreeBSD, Darwin). */
const isAfInet6 = (af: number) => af === 24 || af === 28 || af === 30;

function decodeNull(u8: Uint8Array, off: number, end: number, wireLen: number, pkt: LinkTarget, loop: boolean): void {
  if (end - off < 4) {
    pkt.partial = `${loop ? 'LOOP' : 'NULL'} header cut at ${end - off} of 4 bytes`;
    return;
  }
  // DLT_NULL holds the family in the writer's byte order; a value with high bits set was swapped.
  let af = u32(u8, off);
  if (!loop && (af & 0xffff0000) !== 0) af = ((u8[off + 3] << 24) | (u8[off + 2] << 16) | (u8[off + 1] << 8) | u8[off]) >>> 0;
  if (af === 2) decodeIpv4(u8, off + 4, end, wireLen - 4, pkt, false);
  else if (isAfInet6(af)) decodeIpv6(u8, off + 4, end, wireLen - 4, pkt, false);
}

const NFULA_PACKET_HDR = 1;
const NFULA_IFINDEX_INDEV = 4;
const NFULA_IFINDEX_OUTDEV = 5;
const NFULA_PAYLOAD = 9;
const NFULA_PREFIX = 10;
const MAX_NFLOG_TLVS = 256;
const utf8 = new TextDecoder('utf-8');

/**
 * NFLOG: a 4-byte header (family, version, resource id) and TLVs whose length and type are in the
 * capturing host's byte order, which is the byte order of the file; padded to 4 bytes.
 */
function decodeNflog(u8: Uint8Array, off: number, end: number, pkt: LinkTarget, littleEndian: boolean): void {
  if (end - off < 4) {
    pkt.partial = `NFLOG header cut at ${end - off} of 4 bytes`;
    return;
  }
  const family = u8[off];
  const nflog: NflogInfo = {};
  pkt.nflog = nflog;
  let p = off + 4;
  const len16 = (o: number, le: boolean) => (le ? u8[o] | (u8[o + 1] << 8) : (u8[o] << 8) | u8[o + 1]);
  // A file moved between hosts without rewriting keeps the old order: trust the first TLV.
  if (end - p >= 4) {
    const l = len16(p, littleEndian);
    const swapped = len16(p, !littleEndian);
    if ((l < 4 || l > end - p) && swapped >= 4 && swapped <= end - p) littleEndian = !littleEndian;
  }
  let payloadOff = -1;
  let payloadEnd = -1;
  for (let n = 0; end - p >= 4 && n < MAX_NFLOG_TLVS; n++) {
    const len = len16(p, littleEndian);
    const type = len16(p + 2, littleEndian) & 0x3fff; // strip NLA_F_NESTED / NLA_F_NET_BYTEORDER
    if (len < 4) {
      pkt.partial = `NFLOG TLV length ${len} < 4`;
      break;
    }
    const v = p + 4;
    const vEnd = p + len < end ? p + len : end;
    if (type === NFULA_PACKET_HDR && vEnd - v >= 3) nflog.hook = u8[v + 2];
    else if (type === NFULA_IFINDEX_INDEV && vEnd - v >= 4) nflog.inIfindex = u32(u8, v);
    else if (type === NFULA_IFINDEX_OUTDEV && vEnd - v >= 4) nflog.outIfindex = u32(u8, v);
    else if (type === NFULA_PAYLOAD) {
      payloadOff = v;
      payloadEnd = vEnd;
    } else if (type === NFULA_PREFIX) {
      let z = v;
      while (z < vEnd && u8[z] !== 0) z++;
      nflog.prefix = utf8.decode(u8.subarray(v, z));
    }
    p += (len + 3) & ~3;
  }
  const hook = nflog.hook;
  // Hooks: 0 prerouting, 1 input, 2 forward, 3 output, 4 postrouting.
  if (hook !== undefined) pkt.direction = hook <= 1 ? 'in' : hook >= 3 && hook <= 4 ? 'out' : 'unknown';
  if (payloadOff < 0) return;
  const wire = payloadEnd - payloadOff;
  if (family === 2) decodeIpv4(u8, payloadOff, payloadEnd, wire, pkt, false);
  else if (family === 10) decodeIpv6(u8, payloadOff, payloadEnd, wire, pkt, false);
  else decodeIp(u8, payloadOff, payloadEnd, wire, pkt, false);
}
