/**
 * ICMP errors: the packets a router or firewall sends about another packet, which they quote.
 * Whatever the flow's protocol, an error is tied to the flow through its quote. Pure.
 */
import type { DecodedPacket } from '../pcap/types.js';

/** ICMP errors that quote a packet: v4 unreachable, time exceeded, parameter problem; v6 likewise. */
export function isIcmpError(p: DecodedPacket): boolean {
  if (!p.icmp || !p.ip) return false;
  return p.ip.version === 4 ? [3, 11, 12].includes(p.icmp.type) : [1, 2, 3, 4].includes(p.icmp.type);
}

/** Human name of an ICMP error, e.g. 'ICMP net unreachable'. */
export function icmpName(version: 4 | 6, type: number, code: number): string {
  if (version === 4 && type === 3) {
    const codes: Record<number, string> = {
      0: 'net unreachable',
      1: 'host unreachable',
      2: 'protocol unreachable',
      3: 'port unreachable',
      4: 'fragmentation needed',
      9: 'net prohibited',
      10: 'host prohibited',
      13: 'administratively prohibited',
    };
    return `ICMP ${codes[code] ?? `destination unreachable (code ${code})`}`;
  }
  if (version === 4 && type === 11) return 'ICMP time exceeded';
  if (version === 6 && type === 2) return 'ICMPv6 packet too big';
  if (version === 6 && type === 1) {
    const codes: Record<number, string> = { 0: 'no route', 1: 'administratively prohibited', 3: 'address unreachable', 4: 'port unreachable', 5: 'source address failed policy', 6: 'reject route' };
    return `ICMPv6 ${codes[code] ?? `destination unreachable (code ${code})`}`;
  }
  if (version === 6 && type === 3) return 'ICMPv6 time exceeded';
  return `ICMP${version === 6 ? 'v6' : ''} type ${type} code ${code}`;
}

/** The ICMP codes a firewall REJECT sends (rather than a router without a route). */
export function icmpIsReject(version: 4 | 6, type: number, code: number): boolean {
  if (version === 4) return type === 3 && [3, 9, 10, 13].includes(code);
  return type === 1 && [1, 4, 5, 6].includes(code);
}

/** Time exceeded (v4 11, v6 3): a TTL or hop limit ran out, or a routing loop ate it. */
export function isTimeExceeded(i: { version: 4 | 6; type: number }): boolean {
  return i.version === 4 ? i.type === 11 : i.type === 3;
}

/** Fragmentation needed (v4 3/4) or packet too big (v6 2): what path MTU discovery lives on. */
export function isPathMtu(i: { version: 4 | 6; type: number; code: number }): boolean {
  return i.version === 4 ? i.type === 3 && i.code === 4 : i.type === 2;
}
