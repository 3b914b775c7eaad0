/**
 * One-line text forms of decoded packets, for `asymlab pcap` and for reports. Pure.
 *
 *   2023-11-14T22:13:20.000123Z ethernet out 10.0.1.1:40001 > 10.0.2.1:443 TCP [P.] seq 100:164 ack 7 win 502 id 4711 len 118
 */
import { formatTimestamp } from '../util/time.js';
import { TCP_ACK } from './tcp-flags.js';
import type { DecodedPacket, IcmpInfo, IpInfo, LinkType, PcapFile, TcpInfo, UdpInfo } from './types.js';

export { formatTimestamp };

function endpoint(ip: IpInfo, addr: string, port: number | undefined): string {
  if (port === undefined) return addr;
  return ip.version === 6 ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function addresses(ip: IpInfo, l4: { srcPort: number; dstPort: number } | undefined): string {
  return `${endpoint(ip, ip.src, l4?.srcPort)} > ${endpoint(ip, ip.dst, l4?.dstPort)}`;
}

function tcpText(tcp: TcpInfo): string {
  // Like tcpdump: seq start:end when the segment carries data, ack only with the ACK flag.
  const seq = tcp.payloadLength > 0 ? `${tcp.seq}:${(tcp.seq + tcp.payloadLength) >>> 0}` : `${tcp.seq}`;
  const ack = tcp.flagBits & TCP_ACK ? ` ack ${tcp.ack}` : '';
  return `TCP [${tcp.flags}] seq ${seq}${ack} win ${tcp.window}`;
}

function udpText(udp: UdpInfo): string {
  return `UDP payload ${udp.payloadLength}`;
}

function icmpText(icmp: IcmpInfo, version: 4 | 6): string {
  let s = `${version === 6 ? 'ICMP6' : 'ICMP'} type ${icmp.type} code ${icmp.code}`;
  const inner = icmp.inner;
  if (inner?.ip) {
    const l4 = inner.tcp ?? inner.udp;
    const proto = inner.tcp ? 'TCP' : inner.udp ? 'UDP' : `proto ${inner.ip.protocol}`;
    s += ` quoting ${addresses(inner.ip, l4)} ${proto}`;
  }
  return s;
}

/** The network and transport part: addresses, ports and protocol details. */
function ipText(p: DecodedPacket, ip: IpInfo): string {
  const l4 = p.tcp ?? p.udp;
  let s = addresses(ip, l4);
  if (p.tcp) s += ` ${tcpText(p.tcp)}`;
  else if (p.udp) s += ` ${udpText(p.udp)}`;
  else if (p.icmp) s += ` ${icmpText(p.icmp, ip.version)}`;
  else s += ` proto ${ip.protocol}`;
  if (ip.id !== undefined) s += ` id ${ip.id}`;
  return s;
}

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

export function formatPacketLine(p: DecodedPacket): string {
  // Built by concatenation, not an array joined: this runs once per packet of `asymlab pcap`.
  let s = `${formatTimestamp(p.ts)} ${p.linkType} ${p.direction === 'unknown' ? '-' : p.direction}`;
  if (p.ifIndex !== undefined) s += ` if ${p.ifIndex}`;
  if (p.vlans) s += ` vlan ${p.vlans.join('.')}`;
  if (p.ip) s += ` ${ipText(p, p.ip)}`;
  else if (p.etherType !== undefined) s += ` ethertype ${hex4(p.etherType)}`;
  else s += ' not IP';
  s += p.capLen < p.wireLen ? ` len ${p.wireLen} (captured ${p.capLen})` : ` len ${p.wireLen}`;
  if (p.nflog) {
    const n = p.nflog;
    if (n.prefix) s += ` nflog ${JSON.stringify(n.prefix)}`;
    if (n.hook !== undefined) s += ` hook ${n.hook}`;
  }
  if (p.partial) s += ` [partial: ${p.partial}]`;
  return s;
}

export interface CaptureSummary {
  format?: PcapFile['format'];
  linkType: LinkType;
  linkTypeCode: number;
  packets: number;
  truncated?: string;
}

export function formatSummary(s: CaptureSummary): string {
  const head = `${s.packets} packet${s.packets === 1 ? '' : 's'}, ${s.format ?? 'pcap'}, link type ${s.linkType} (${s.linkTypeCode})`;
  return s.truncated ? `${head}; truncated: ${s.truncated}` : head;
}
