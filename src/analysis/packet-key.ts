/**
 * The identity of one TCP packet across hops. NAT rewrites addresses and ports but never TCP
 * flags, seq, ack or payload length, so those four name a packet on every hop it crosses; the
 * IPv4 id (also untouched on forwarded packets) tells copies of it (retransmissions) apart.
 */
import type { DecodedPacket, TcpInfo } from '../pcap/types.js';
import { addressKey } from './lab-index.js';
import type { ConntrackTuple } from './types.js';

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;
const URG = 0x20;

/** FIN..URG; ECE and CWR are left out, as ECN may legitimately differ between copies. */
export function flagBits(tcp: Pick<TcpInfo, 'flags' | 'flagBits'>): number {
  return typeof tcp.flagBits === 'number' ? tcp.flagBits & 0x3f : bitsOfText(tcp.flags);
}

/** 'S.' → SYN|ACK; unknown letters (E, W) are ignored. */
export function bitsOfText(flags: string): number {
  const letters: Record<string, number> = { F: FIN, S: SYN, R: RST, P: PSH, '.': ACK, U: URG };
  let bits = 0;
  for (const ch of flags) bits |= letters[ch] ?? 0;
  return bits;
}

/** tcpdump's spelling: F S R P then '.' for ACK, then U: 'S', 'S.', 'P.', 'F.', 'R.'. */
export function flagText(bits: number): string {
  return [
    [FIN, 'F'],
    [SYN, 'S'],
    [RST, 'R'],
    [PSH, 'P'],
    [ACK, '.'],
    [URG, 'U'],
  ]
    .filter(([b]) => bits & (b as number))
    .map(([, l]) => l)
    .join('');
}

/** SYN, SYN-ACK, RST, FIN, DATA or ACK. */
export function packetLabel(bits: number, payloadLength: number): string {
  if (bits & SYN) return bits & ACK ? 'SYN-ACK' : 'SYN';
  if (bits & RST) return 'RST';
  if (bits & FIN) return 'FIN';
  if (payloadLength > 0) return 'DATA';
  return 'ACK';
}

/** flags|seq|ack|payloadLength: equal on every hop the packet crosses. */
export function packetKey(tcp: TcpInfo): string {
  return `${flagBits(tcp)}|${tcp.seq >>> 0}|${tcp.ack >>> 0}|${tcp.payloadLength}`;
}

export function tupleKey(t: ConntrackTuple): string {
  return `${addressKey(t.src)}|${t.sport ?? ''}|${addressKey(t.dst)}|${t.dport ?? ''}`;
}

export function reverse(t: ConntrackTuple): ConntrackTuple {
  return { src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
}

export function tupleOf(p: DecodedPacket): ConntrackTuple | undefined {
  if (!p.ip || !p.tcp) return undefined;
  return { src: p.ip.src, dst: p.ip.dst, sport: p.tcp.srcPort, dport: p.tcp.dstPort };
}

export function formatTuple(t: ConntrackTuple): string {
  const ep = (a: string, port?: number) => (port === undefined ? a : a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);
  return `${ep(t.src, t.sport)} → ${ep(t.dst, t.dport)}`;
}

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
