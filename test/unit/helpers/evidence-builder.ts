/**
 * Hand-built evidence for the analysis tests. A small lab (nodes, interfaces with deterministic
 * MACs, links) and a sender that walks a packet along a list of nodes, emitting it as the two
 * captures of every link would: out at the sender's interface, in at the receiver's, with the
 * same timestamp on both ends (as veth pairs often stamp them). NAT rewrites the packet as it
 * leaves a node. A route that ends before the destination is a drop at its last node.
 */
import { parseConntrack } from '../../../src/analysis/parse-conntrack.js';
import type {
  CapturePoint,
  ConnectionRecord,
  KernelCounters,
  LabView,
  NflogCapture,
  RouteEntry,
  RuleCounter,
  RunEvidence,
} from '../../../src/analysis/types.js';
import type { DecodedPacket } from '../../../src/pcap/types.js';
import type { Flow, FlowExpect, NodeKind } from '../../../src/topology/types.js';

export interface TcpSpec {
  src: string;
  sport: number;
  dst: string;
  dport: number;
  flags: string;
  seq: number;
  ack?: number;
  len?: number;
  ipId?: number;
}

/** A UDP datagram: its payload is named by its length and digest (what NAT leaves alone). */
export interface UdpSpec {
  proto: 'udp';
  src: string;
  sport: number;
  dst: string;
  dport: number;
  len: number;
  digest: number;
  ipId?: number;
}

/** An ICMP echo request or reply; `sport` is the echo id (NAT rewrites it as a port), dport mirrors it. */
export interface EchoSpec {
  proto: 'icmp';
  src: string;
  sport: number;
  dst: string;
  dport?: number;
  request: boolean;
  seq: number;
  len: number;
  digest: number;
  ipId?: number;
}

export type PacketSpec = TcpSpec | UdpSpec | EchoSpec;

export type Rewrite = Partial<Pick<TcpSpec, 'src' | 'sport' | 'dst' | 'dport'>>;

export interface SendOptions {
  /** Start time; default: the builder's clock. */
  at?: number;
  /** NAT applied as the packet leaves the named node. */
  nat?: Record<string, Rewrite>;
  /** Copies (the first plus retransmissions), one second apart unless said otherwise. */
  copies?: number;
  copyIntervalS?: number;
  /** The last node logs the packet to NFLOG with this prefix (a drop rule matched it). */
  nflog?: string;
}

const BITS: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, '.': 16, U: 32 };
const HOP_S = 0.00005;

export class TestLab {
  readonly view: LabView = { nodes: [], links: [] };

  node(name: string, kind: NodeKind, ifaces: Record<string, string | string[]>, loopbacks: string[] = []): this {
    const n = this.view.nodes.length + 1;
    const interfaces = Object.entries(ifaces).map(([iface, addrs], i) => ({
      name: iface,
      mac: `02:00:00:00:${n.toString(16).padStart(2, '0')}:${(i + 1).toString(16).padStart(2, '0')}`,
      addresses: Array.isArray(addrs) ? addrs : [addrs],
    }));
    this.view.nodes.push({ name, kind, interfaces, loopbacks });
    return this;
  }

  host(name: string, ifaces: Record<string, string | string[]>): this {
    return this.node(name, 'host', ifaces);
  }
  router(name: string, ifaces: Record<string, string | string[]>): this {
    return this.node(name, 'router', ifaces);
  }
  firewall(name: string, ifaces: Record<string, string | string[]>): this {
    return this.node(name, 'firewall', ifaces);
  }

  /** link('client:eth0', 'edge:eth0') */
  link(a: string, b: string): this {
    const [an, ai] = a.split(':');
    const [bn, bi] = b.split(':');
    this.view.links.push({ a: { node: an, iface: ai }, b: { node: bn, iface: bi } });
    return this;
  }

  mac(node: string, iface: string): string {
    const m = this.view.nodes.find((n) => n.name === node)?.interfaces.find((i) => i.name === iface)?.mac;
    if (!m) throw new Error(`test lab: no interface ${node}:${iface}`);
    return m;
  }

  /** The interfaces joining two adjacent nodes. */
  /** Sets an interface's MTU, as a link's `mtu:` does. */
  mtu(node: string, iface: string, mtu: number): this {
    const i = this.view.nodes.find((n) => n.name === node)?.interfaces.find((x) => x.name === iface);
    if (!i) throw new Error(`test lab: no interface ${node}:${iface}`);
    i.mtu = mtu;
    return this;
  }

  hop(from: string, to: string): { out: string; in: string } {
    for (const l of this.view.links) {
      if (l.a.node === from && l.b.node === to) return { out: l.a.iface, in: l.b.iface };
      if (l.b.node === from && l.a.node === to) return { out: l.b.iface, in: l.a.iface };
    }
    throw new Error(`test lab: ${from} and ${to} are not linked`);
  }
}

export function tcpPacket(spec: TcpSpec, ts: number, extra: Partial<DecodedPacket> = {}): DecodedPacket {
  const flagBits = [...spec.flags].reduce((b, ch) => b | (BITS[ch] ?? 0), 0);
  const len = spec.len ?? 0;
  return {
    index: 0,
    ts,
    capLen: 54 + len,
    wireLen: 54 + len,
    linkType: 'ethernet',
    direction: 'unknown',
    ip: { version: spec.src.includes(':') ? 6 : 4, src: spec.src, dst: spec.dst, ...(spec.ipId !== undefined ? { id: spec.ipId } : {}), ttl: 64, protocol: 6, totalLength: 40 + len },
    tcp: { srcPort: spec.sport, dstPort: spec.dport, seq: spec.seq, ack: spec.ack ?? 0, flags: spec.flags, flagBits, window: 64240, payloadLength: len },
    ...extra,
  };
}

export function udpPacket(spec: UdpSpec, ts: number, extra: Partial<DecodedPacket> = {}): DecodedPacket {
  return {
    index: 0,
    ts,
    capLen: 42 + spec.len,
    wireLen: 42 + spec.len,
    linkType: 'ethernet',
    direction: 'unknown',
    ip: { version: spec.src.includes(':') ? 6 : 4, src: spec.src, dst: spec.dst, ...(spec.ipId !== undefined ? { id: spec.ipId } : {}), ttl: 64, protocol: 17, totalLength: 28 + spec.len },
    udp: { srcPort: spec.sport, dstPort: spec.dport, payloadLength: spec.len, payloadDigest: spec.digest },
    ...extra,
  };
}

export function echoPacket(spec: EchoSpec, ts: number, extra: Partial<DecodedPacket> = {}): DecodedPacket {
  const v6 = spec.src.includes(':');
  const type = v6 ? (spec.request ? 128 : 129) : spec.request ? 8 : 0;
  return {
    index: 0,
    ts,
    capLen: 42 + spec.len,
    wireLen: 42 + spec.len,
    linkType: 'ethernet',
    direction: 'unknown',
    ip: { version: v6 ? 6 : 4, src: spec.src, dst: spec.dst, ...(spec.ipId !== undefined ? { id: spec.ipId } : {}), ttl: 64, protocol: v6 ? 58 : 1, totalLength: 28 + spec.len },
    icmp: { type, code: 0 },
    echo: { id: spec.sport, seq: spec.seq, payloadLength: spec.len, payloadDigest: spec.digest },
    ...extra,
  };
}

/** Any spec as a decoded packet. */
export function packetOf(spec: PacketSpec, ts: number, extra: Partial<DecodedPacket> = {}): DecodedPacket {
  if ('proto' in spec && spec.proto === 'udp') return udpPacket(spec, ts, extra);
  if ('proto' in spec && spec.proto === 'icmp') return echoPacket(spec, ts, extra);
  return tcpPacket(spec as TcpSpec, ts, extra);
}

export class EvidenceBuilder {
  readonly captures = new Map<string, CapturePoint>();
  readonly nflogs = new Map<string, NflogCapture>();
  readonly evidence: RunEvidence;
  clock: number;

  constructor(
    readonly lab: TestLab,
    readonly t0 = 1_732_446_000,
  ) {
    this.clock = t0;
    for (const n of lab.view.nodes) {
      for (const i of n.interfaces) this.captures.set(`${n.name}:${i.name}`, { node: n.name, iface: i.name, file: `${n.name}-${i.name}.pcap`, packets: [], droppedByKernel: 0 });
      if (n.kind === 'firewall') this.nflogs.set(n.name, { node: n.name, file: `${n.name}-nflog.pcap`, packets: [], droppedByKernel: 0 });
    }
    this.evidence = { lab: lab.view, captures: [...this.captures.values()], nflog: [...this.nflogs.values()], conntrack: [], counters: [], kernel: [], routes: [], connections: [] };
  }

  /**
   * An NFLOG capture for a node that is not of kind firewall, as asymlab records one for any node
   * with a `firewall:` section (a router that filters, say).
   */
  firewallSection(node: string): this {
    const cap: NflogCapture = { node, file: `${node}-nflog.pcap`, packets: [], droppedByKernel: 0 };
    this.nflogs.set(node, cap);
    this.evidence.nflog.push(cap);
    return this;
  }

  private frame(node: string, iface: string, p: DecodedPacket): void {
    const cap = this.captures.get(`${node}:${iface}`)!;
    cap.packets.push({ ...p, index: cap.packets.length });
  }

  /** Walks one packet (and its copies) along `route`; returns the packet as it reached the last node. */
  send<S extends PacketSpec>(spec: S, route: string[], opts: SendOptions = {}): S {
    const start = opts.at ?? this.clock;
    let last = spec;
    for (let c = 0; c < (opts.copies ?? 1); c++) {
      let ts = start + c * (opts.copyIntervalS ?? 1);
      let cur: S = { ...spec, ...(spec.ipId !== undefined ? { ipId: spec.ipId + c } : {}) };
      for (let i = 0; i + 1 < route.length; i++) {
        const [from, to] = [route[i], route[i + 1]];
        cur = { ...cur, ...(opts.nat?.[from] ?? {}) };
        const { out, in: inIf } = this.lab.hop(from, to);
        const p = packetOf(cur, ts, { srcMac: this.lab.mac(from, out), dstMac: this.lab.mac(to, inIf) });
        this.frame(from, out, p);
        this.frame(to, inIf, p);
        ts += HOP_S;
      }
      last = cur;
      if (opts.nflog) this.nflogPacket(route[route.length - 1], opts.nflog, cur, ts);
      this.clock = Math.max(this.clock, ts + HOP_S);
    }
    return last;
  }

  nflogPacket(node: string, prefix: string, spec: PacketSpec, ts = this.clock): this {
    const cap = this.nflogs.get(node)!;
    cap.packets.push(packetOf(spec, ts, { index: cap.packets.length, linkType: 'nflog', srcMac: undefined, nflog: { prefix, hook: 1 } }));
    return this;
  }

  /**
   * An ICMP error from `route[0]` quoting `quoted` (as that node saw it), walked along `route`.
   * `opts.nflog` logs it at the route's last node (a drop rule matched it there).
   */
  icmp(
    type: number,
    code: number,
    from: string,
    to: string,
    quoted: PacketSpec,
    route: string[],
    nat: Record<string, { dst?: string; quoted?: Rewrite }> = {},
    opts: { mtu?: number; ipId?: number; nflog?: string } = {},
  ): this {
    let ts = this.clock;
    let outer = { src: from, dst: to };
    let inner = quoted;
    for (let i = 0; i + 1 < route.length; i++) {
      const [a, b] = [route[i], route[i + 1]];
      if (nat[a]?.dst) outer = { ...outer, dst: nat[a].dst! };
      if (nat[a]?.quoted) inner = { ...inner, ...nat[a].quoted };
      const { out, in: inIf } = this.lab.hop(a, b);
      const innerPacket = packetOf(inner, ts);
      const p: DecodedPacket = {
        index: 0,
        ts,
        capLen: 70,
        wireLen: 70,
        linkType: 'ethernet',
        direction: 'unknown',
        srcMac: this.lab.mac(a, out),
        dstMac: this.lab.mac(b, inIf),
        ip: { version: 4, src: outer.src, dst: outer.dst, id: opts.ipId ?? 7, ttl: 64, protocol: 1, totalLength: 56 },
        icmp: { type, code, ...(opts.mtu !== undefined ? { mtu: opts.mtu } : {}), inner: { ip: innerPacket.ip, tcp: innerPacket.tcp, udp: innerPacket.udp, echo: innerPacket.echo } },
      };
      this.frame(a, out, p);
      this.frame(b, inIf, p);
      if (opts.nflog && i + 2 === route.length) {
        const cap = this.nflogs.get(b)!;
        cap.packets.push({ ...p, index: cap.packets.length, linkType: 'nflog', srcMac: undefined, dstMac: undefined, nflog: { prefix: opts.nflog, hook: 2 } });
      }
      ts += HOP_S;
    }
    this.clock = ts + HOP_S;
    return this;
  }

  lossy(nodeIface: string, dropped: number, problem?: string): this {
    const cap = this.captures.get(nodeIface)!;
    cap.droppedByKernel = dropped;
    if (problem) cap.problem = problem;
    return this;
  }

  conntrack(node: string, text: string): this {
    this.evidence.conntrack.push(...parseConntrack(node, text));
    return this;
  }

  rule(node: string, r: Omit<RuleCounter, 'node' | 'table'> & { table?: string }): this {
    this.evidence.counters.push({ node, table: 'filter', ...r });
    return this;
  }

  kernel(node: string, before: KernelCounters['before'], after: KernelCounters['after']): this {
    this.evidence.kernel.push({ node, before, after });
    return this;
  }

  routes(node: string, routes: RouteEntry[], rpFilter: Record<string, number> = {}): this {
    this.evidence.routes.push({ node, routes, rpFilter });
    return this;
  }

  connection(r: Partial<ConnectionRecord> & Pick<ConnectionRecord, 'srcAddress' | 'srcPort' | 'dstAddress' | 'dstPort' | 'outcome'>): this {
    this.evidence.connections.push({
      flow: 'web',
      attempt: this.evidence.connections.filter((c) => c.flow === (r.flow ?? 'web')).length,
      client: 'client',
      server: 'srv',
      echoed: r.outcome === 'connected',
      startedAt: this.t0,
      totalMs: 3000,
      ...r,
    });
    return this;
  }

  build(): RunEvidence {
    return this.evidence;
  }
}

/** One TCP connection's packets, as its two ends send them (the server's side may be NATed). */
export class Conn {
  constructor(
    readonly client: { addr: string; port: number },
    readonly server: { addr: string; port: number },
    readonly cisn = 1_000_000,
    readonly sisn = 7_000_000,
  ) {}

  static of(from: string, to: string, cisn?: number, sisn?: number): Conn {
    const split = (s: string) => {
      const i = s.lastIndexOf(':');
      return { addr: s.slice(0, i), port: Number(s.slice(i + 1)) };
    };
    return new Conn(split(from), split(to), cisn, sisn);
  }

  private fwd(flags: string, seq: number, ack: number, len = 0, ipId = 100): TcpSpec {
    return { src: this.client.addr, sport: this.client.port, dst: this.server.addr, dport: this.server.port, flags, seq, ack, len, ipId };
  }

  /** As the server sends it; `seenAs` is the client as the server sees it (after SNAT / before un-DNAT). */
  private ret(flags: string, seq: number, ack: number, len = 0, seenAs: Rewrite = {}): TcpSpec {
    return {
      src: seenAs.src ?? this.server.addr,
      sport: seenAs.sport ?? this.server.port,
      dst: seenAs.dst ?? this.client.addr,
      dport: seenAs.dport ?? this.client.port,
      flags,
      seq,
      ack,
      len,
      ipId: 0,
    };
  }

  syn(): TcpSpec {
    return this.fwd('S', this.cisn, 0, 0, 100);
  }
  synAck(seenAs?: Rewrite): TcpSpec {
    return this.ret('S.', this.sisn, this.cisn + 1, 0, seenAs);
  }
  ack(): TcpSpec {
    return this.fwd('.', this.cisn + 1, this.sisn + 1, 0, 101);
  }
  data(len: number): TcpSpec {
    return this.fwd('P.', this.cisn + 1, this.sisn + 1, len, 102);
  }
  echo(len: number, seenAs?: Rewrite): TcpSpec {
    return this.ret('P.', this.sisn + 1, this.cisn + 1 + len, len, seenAs);
  }
  rst(seenAs?: Rewrite): TcpSpec {
    return this.ret('R.', 0, this.cisn + 1, 0, seenAs);
  }
}

export function flow(name: string, to: string, port: number, expect?: FlowExpect, extra: Partial<Flow> = {}): Flow {
  return { name, from: 'client', toAddress: to, toPort: port, server: 'srv', count: 1, timeoutMs: 3000, trace: true, ...(expect ? { expect } : {}), ...extra };
}

/**
 * The ExpressRoute lab: client — edge, which reaches the cloud both by fw-inet (internet) and by
 * fw-er (ExpressRoute); the cloud router fronts the server. `kind` turns the two firewalls into
 * plain routers for the tests that need no firewall.
 */
export function expressRouteLab(kind: 'firewall' | 'router' = 'firewall'): TestLab {
  return new TestLab()
    .host('client', { eth0: '10.1.0.10/24' })
    .router('edge', { eth0: '10.1.0.1/24', eth1: '10.2.0.1/30', eth2: '10.3.0.1/30' })
    .node('fw-inet', kind, { eth1: '10.2.0.2/30', eth2: '192.0.2.1/30' })
    .node('fw-er', kind, { eth1: '10.3.0.2/30', eth2: '192.0.2.5/30' })
    .router('cloud', { eth1: '192.0.2.2/30', eth2: '192.0.2.6/30', eth0: '10.9.0.1/24' })
    .host('srv', { eth0: '10.9.0.10/24' })
    .link('client:eth0', 'edge:eth0')
    .link('edge:eth1', 'fw-inet:eth1')
    .link('edge:eth2', 'fw-er:eth1')
    .link('fw-inet:eth2', 'cloud:eth1')
    .link('fw-er:eth2', 'cloud:eth2')
    .link('cloud:eth0', 'srv:eth0');
}

export const VIA_INET = ['client', 'edge', 'fw-inet', 'cloud', 'srv'];
export const VIA_ER = ['client', 'edge', 'fw-er', 'cloud', 'srv'];
export const back = (route: string[]) => [...route].reverse();
