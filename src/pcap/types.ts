/** Decoded packets: what the pcap reader returns and the analysis consumes. Plain data. */

export type LinkType = 'ethernet' | 'sll' | 'sll2' | 'raw' | 'ipv4' | 'ipv6' | 'nflog' | 'null' | 'loop' | 'unknown';

/** Direction as the capture saw it, where the link type says (SLL/SLL2 packet type, NFLOG hook). */
export type CaptureDirection = 'in' | 'out' | 'unknown';

export interface TcpInfo {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /**
   * Flag letters as tcpdump prints them (F, S, R, P, '.' for ACK, U, E, W, in that order), e.g. 'S',
   * 'S.', 'P.', 'F.', 'R'; 'none' when no flag is set. '' when the header was cut before the flags.
   */
  flags: string;
  /** Raw flags byte (low 8 bits) */
  flagBits: number;
  window: number;
  payloadLength: number;
}

export interface UdpInfo {
  srcPort: number;
  dstPort: number;
  payloadLength: number;
  /** payloadDigest() of the payload's first bytes, where captured: NAT never touches them, so they name a datagram on every hop. */
  payloadDigest?: number;
}

/** An ICMP or ICMPv6 echo request or reply. NAT may rewrite the id (it stands for a port); never seq or payload. */
export interface EchoInfo {
  id: number;
  seq: number;
  payloadLength: number;
  payloadDigest?: number;
}

export interface IcmpInfo {
  type: number;
  code: number;
  /** Fragmentation needed (v4 type 3 code 4) and packet too big (v6 type 2): the MTU of the next hop. */
  mtu?: number;
  /** For ICMP errors: the quoted (inner) packet's IP/TCP/UDP header, decoded as far as it goes. */
  inner?: Pick<DecodedPacket, 'ip' | 'tcp' | 'udp' | 'icmp' | 'echo' | 'partial'>;
}

export interface IpInfo {
  version: 4 | 6;
  src: string;
  dst: string;
  /** IPv4 identification; IPv6: fragment id when present, else undefined. */
  id?: number;
  ttl: number;
  /** IP protocol number (IPv6: the upper-layer protocol after extension headers). */
  protocol: number;
  totalLength: number;
}

export interface NflogInfo {
  /** NFULA_PREFIX: our drop rules name node and rule here. */
  prefix?: string;
  /** netfilter hook number (0 prerouting .. 4 postrouting) */
  hook?: number;
  inIfindex?: number;
  outIfindex?: number;
}

export interface DecodedPacket {
  /** Index in the file, from 0. */
  index: number;
  /** Seconds since the epoch, with sub-second precision (ns files keep ns as far as a double does). */
  ts: number;
  /** Capture length and wire length. */
  capLen: number;
  wireLen: number;
  linkType: LinkType;
  direction: CaptureDirection;
  srcMac?: string;
  dstMac?: string;
  /** Ethernet/SLL protocol type of the payload after any VLAN tags (0x0800, 0x86dd, 0x0806...). */
  etherType?: number;
  /** 802.1Q/802.1ad VLAN ids, outermost first. */
  vlans?: number[];
  /** SLL2 (tcpdump -i any): the kernel ifindex of the interface the packet was seen on. */
  ifIndex?: number;
  /** pcap-ng only: index of the Interface Description Block the packet was captured on. */
  interfaceId?: number;
  ip?: IpInfo;
  tcp?: TcpInfo;
  udp?: UdpInfo;
  icmp?: IcmpInfo;
  /** Set beside `icmp` for an echo request or reply. */
  echo?: EchoInfo;
  nflog?: NflogInfo;
  /** Set when the packet could only be decoded in part (truncated by snaplen, bad header); says why. */
  partial?: string;
}

export interface PcapFile {
  /** Container format: classic pcap or pcap-ng. */
  format?: 'pcap' | 'pcapng';
  linkType: LinkType;
  /** The numeric DLT/LINKTYPE from the header. */
  linkTypeCode: number;
  snapLen: number;
  nanosecond: boolean;
  packets: DecodedPacket[];
  /** Set when the file ended mid-record or was otherwise cut short; packets read until then are kept. */
  truncated?: string;
}
