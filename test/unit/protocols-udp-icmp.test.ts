/**
 * UDP and ICMP echo below the analysis: what the decoder reads for them (payload digests, echo id
 * and seq, the MTU of a fragmentation needed, also inside an ICMP error's quote), the agents'
 * payloads and ping's words, and the flow runner's command line for them.
 */
import { describe, expect, it } from 'vitest';
import { decodePcap } from '../../src/pcap/read.js';
import { payloadDigest } from '../../src/pcap/transport.js';
import type { DecodedPacket } from '../../src/pcap/types.js';
import { pingArgv, pingOutcome } from '../../src/protocols/icmp-agent.js';
import { icmp as icmpProtocol } from '../../src/protocols/icmp.js';
import { protocolOfPacket } from '../../src/protocols/registry.js';
import { replyPayload, requestPayload } from '../../src/protocols/udp-agent.js';
import { udp as udpProtocol } from '../../src/protocols/udp.js';
import { parseAgentArgs } from '../../src/traffic/agent-args.js';
import { flowArgv } from '../../src/traffic/flows.js';
import { probeArgs } from '../../src/traffic/trace.js';
import type { Flow } from '../../src/topology/types.js';
import { ascii, icmp, ipv4, ipv6, pcap, udp } from '../fixtures/pcap/build.js';

function one(linkType: number, data: Uint8Array): DecodedPacket {
  const f = decodePcap(pcap({ linkType }, [{ data }]));
  expect(f.packets).toHaveLength(1);
  return f.packets[0];
}

describe('decoding UDP and ICMP for the flow protocols', () => {
  it('gives a UDP datagram the digest of its first payload bytes, the same the agent computes', () => {
    const payload = requestPayload('ike', 0, 100);
    const p = one(101, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17 }, udp({ sport: 500, dport: 500 }, payload)));
    expect(p.udp).toMatchObject({ srcPort: 500, dstPort: 500, payloadLength: 100, payloadDigest: payloadDigest(payload, 0, payload.length) });
    expect(protocolOfPacket(p)).toBe(udpProtocol);
    const reply = replyPayload(payload);
    expect(reply[0]).toBe(0x52);
    expect(payloadDigest(reply, 0, reply.length)).not.toBe(p.udp!.payloadDigest);
    expect(udpProtocol.packets.key(p)).not.toBe(udpProtocol.packets.key({ ...p, udp: { ...p.udp!, payloadDigest: payloadDigest(reply, 0, reply.length) } }));
  });

  it('reads an echo request: id, seq, payload length and digest, beside the ICMP type', () => {
    const payload = ascii('0123456789abcdefghijklmnopqrstuvwxyz');
    const p = one(101, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 1 }, icmp({ type: 8, code: 0, rest: (20001 << 16) | 1 }, payload)));
    expect(p.icmp).toEqual({ type: 8, code: 0 });
    expect(p.echo).toEqual({ id: 20001, seq: 1, payloadLength: 36, payloadDigest: payloadDigest(payload, 0, 32) });
    expect(protocolOfPacket(p)).toBe(icmpProtocol);
    expect(icmpProtocol.packets.tuple(p)).toEqual({ src: '10.0.0.1', dst: '10.0.0.2', sport: 20001, dport: 20001 });
    const v6 = one(229, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: 58 }, icmp({ type: 129, code: 0, rest: (7 << 16) | 3 }, payload)));
    expect(v6.echo).toMatchObject({ id: 7, seq: 3, payloadLength: 36 });
    expect(icmpProtocol.packets.identity(v6, 'return').label).toBe('ECHO-REPLY');
  });

  it('reads the MTU of a fragmentation needed and of a packet too big, and the echo an error quotes', () => {
    const quotedEcho = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 1 }, icmp({ type: 8, code: 0, rest: (42 << 16) | 5 }, ascii('x'.repeat(40))));
    const frag = one(101, ipv4({ src: '10.0.0.254', dst: '10.0.0.1', protocol: 1 }, icmp({ type: 3, code: 4, rest: 1300 }, quotedEcho)));
    expect(frag.icmp).toMatchObject({ type: 3, code: 4, mtu: 1300, inner: { echo: { id: 42, seq: 5 } } });
    expect(frag.echo).toBeUndefined();
    expect(icmpProtocol.packets.quoted(frag.icmp!.inner!)).toMatchObject({ quotedSeq: 5 });
    const ptb = one(229, ipv6({ src: '2001:db8::fe', dst: '2001:db8::1', next: 58 }, icmp({ type: 2, code: 0, rest: 1280 }, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: 17 }, udp({ sport: 1, dport: 2 })))));
    expect(ptb.icmp).toMatchObject({ type: 2, mtu: 1280, inner: { udp: { srcPort: 1, dstPort: 2 } } });
  });
});

describe('the agents', () => {
  it('UDP payloads: random per attempt, padded or cut to size', () => {
    const a = requestPayload('ike', 0);
    const b = requestPayload('ike', 0);
    expect(a.toString()).toMatch(/^Q[0-9a-f]{12} asymlab ike 0\n$/);
    expect(a.equals(b)).toBe(false);
    expect(requestPayload('ike', 1, 1400)).toHaveLength(1400);
    expect(requestPayload('ike', 1, 8)).toHaveLength(8);
  });

  it("reads ping's words into outcomes", () => {
    expect(pingOutcome('64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.1 ms', 0)).toMatchObject({ outcome: 'connected', echoed: true });
    expect(pingOutcome('From 10.99.0.2 icmp_seq=1 Time to live exceeded', 1)).toMatchObject({ outcome: 'ttl-exceeded' });
    expect(pingOutcome('From 10.0.0.254 icmp_seq=1 Frag needed and DF set (mtu = 1300)', 1)).toMatchObject({ outcome: 'unreachable', errorCode: 'EMSGSIZE' });
    expect(pingOutcome('ping: local error: message too long, mtu=1300', 1)).toMatchObject({ outcome: 'unreachable', errorCode: 'EMSGSIZE' });
    expect(pingOutcome('From 10.0.0.254 icmp_seq=1 Destination Host Unreachable', 1)).toMatchObject({ outcome: 'unreachable', errorCode: 'EHOSTUNREACH' });
    expect(pingOutcome('1 packets transmitted, 0 received, 100% packet loss', 1)).toMatchObject({ outcome: 'timeout' });
    expect(pingOutcome('ping: unknown iface', 2)).toMatchObject({ outcome: 'error' });
  });

  it('ping gets a known id, the size, DF and the timeout; the address last, after --', () => {
    const argv = pingArgv({ flow: 'p', address: '10.0.0.2', port: 0, sourcePort: 20100, count: 3, timeoutMs: 1500, size: 1400 }, 2);
    expect(argv).toEqual(['-4', '-n', '-c', '1', '-W', '1.500', '-e', '20102', '-M', 'do', '-s', '1400', '--', '10.0.0.2']);
  });
});

describe('the flow runner for UDP and ICMP', () => {
  const flow = (extra: Partial<Flow>): Flow => ({ name: 'f', from: 'client', toAddress: '10.9.0.10', toPort: 500, server: 'srv', count: 3, timeoutMs: 1500, trace: false, ...extra });

  it("a UDP flow's source-port is every attempt's; size travels too", () => {
    expect(parseAgentArgs(flowArgv(flow({ protocol: 'udp', sourcePort: 500, size: 1400 }), 1))).toEqual({
      mode: 'client',
      protocol: 'udp',
      spec: { flow: 'f', address: '10.9.0.10', port: 500, sourcePort: 500, fixedSourcePort: true, count: 3, timeoutMs: 1500, size: 1400 },
    });
  });

  it("a TCP flow's source-port is the first attempt's; an ICMP flow has port 0", () => {
    expect(parseAgentArgs(flowArgv(flow({ sourcePort: 3000 }), 1))).toMatchObject({ protocol: 'tcp', spec: { sourcePort: 3000 } });
    expect(flowArgv(flow({ sourcePort: 3000 }), 1).some((a) => a.startsWith('--fixed-source-port'))).toBe(false);
    expect(parseAgentArgs(flowArgv(flow({ protocol: 'icmp', toPort: 0 }), 2))).toMatchObject({ protocol: 'icmp', spec: { port: 0, sourcePort: 20200 } });
  });
});

describe('traceroute probes', () => {
  it("probe with the flow's protocol; without one, TCP to a port given, else classic UDP", () => {
    expect(probeArgs('icmp')).toEqual(['-I']);
    expect(probeArgs('udp', 4500)).toEqual(['-U', '-p', '4500']);
    expect(probeArgs('tcp', 443)).toEqual(['-T', '-p', '443']);
    expect(probeArgs(undefined, 443)).toEqual(['-T', '-p', '443']);
    expect(probeArgs(undefined)).toEqual([]);
  });
});
