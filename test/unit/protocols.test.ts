/** The flow protocol registry, TCP's packet identity, and the one TCP flag table behind both. */
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { TCP_FLAG_STRINGS, tcpFlagBits, tcpFlagText } from '../../src/pcap/tcp-flags.js';
import { PROTOCOL_NAMES } from '../../src/protocols/names.js';
import { PROTOCOLS, protocolNamed, protocolOfPacket } from '../../src/protocols/registry.js';
import { tcp } from '../../src/protocols/tcp.js';
import { formatTimestamp, clockTime } from '../../src/util/time.js';
import { tcpPacket } from './helpers/evidence-builder.js';

describe('protocol registry', () => {
  it('lists TCP, the default, UDP and ICMP, and refuses an unknown protocol with the list', () => {
    expect(PROTOCOLS.map((p) => p.name)).toEqual(['tcp', 'udp', 'icmp']);
    expect(PROTOCOLS.map((p) => p.name)).toEqual([...PROTOCOL_NAMES]);
    expect(protocolNamed()).toBe(tcp);
    expect(() => protocolNamed('sctp')).toThrow(LabError);
    try {
      protocolNamed('sctp');
    } catch (e) {
      expect(e).toMatchObject({ kind: 'input', message: "unknown flow protocol 'sctp'", hint: 'supported: tcp, udp, icmp' });
    }
  });

  it('gives a packet to the protocol that claims it', () => {
    const p = tcpPacket({ src: '10.0.0.1', sport: 40000, dst: '10.0.0.2', dport: 443, flags: 'S', seq: 5 }, 1);
    expect(protocolOfPacket(p)).toBe(tcp);
    expect(protocolOfPacket({ ip: p.ip, icmp: { type: 3, code: 1 } })).toBeUndefined();
  });
});

describe('TCP packet identity', () => {
  const spec = { src: '10.0.0.1', sport: 40000, dst: '10.0.0.2', dport: 443, flags: 'S.', seq: 7, ack: 8 };
  it('is the same after NAT rewrote addresses and ports, and differs for another packet', () => {
    const before = tcpPacket(spec, 1);
    const after = tcpPacket({ ...spec, src: '192.0.2.1', sport: 30000 }, 1);
    expect(tcp.packets.key(after)).toBe(tcp.packets.key(before));
    expect(tcp.packets.key(tcpPacket({ ...spec, seq: 9 }, 1))).not.toBe(tcp.packets.key(before));
    expect(tcp.packets.tuple(after)).toEqual({ src: '192.0.2.1', dst: '10.0.0.2', sport: 30000, dport: 443 });
  });

  it('labels the packet and finds it again from its trace', () => {
    const p = tcpPacket(spec, 1);
    const { label, fields } = tcp.packets.identity(p);
    expect(label).toBe('SYN-ACK');
    expect(fields).toEqual({ flags: 'S.', seq: 7, ack: 8, payloadLength: 0 });
    const trace = { label, direction: 'return' as const, sightings: [], delivered: false, ...fields };
    expect(tcp.packets.traceKey(trace)).toBe(tcp.packets.key(p));
    expect(tcp.packets.describe(trace)).toBe('flags S., seq 7, ack 8, 0 bytes');
    expect(tcp.packets.quotes(tcp.packets.quoted(p), trace)).toBe(true);
    expect(tcp.packets.quotes({ quotedSeq: 1 }, trace)).toBe(false);
  });

  it('ignores ECN bits, which may differ between copies', () => {
    const ecn = tcpPacket(spec, 1);
    ecn.tcp = { ...ecn.tcp!, flags: 'S.E', flagBits: 0x52 };
    expect(tcp.packets.key(ecn)).toBe(tcp.packets.key(tcpPacket(spec, 1)));
    expect(tcp.packets.identity(ecn).fields.flags).toBe('S.');
  });
});

describe('shared tables', () => {
  it('one TCP flag table for the decoder and the analysis', () => {
    expect(TCP_FLAG_STRINGS[0x12]).toBe('S.');
    expect(TCP_FLAG_STRINGS[0]).toBe('none');
    expect(TCP_FLAG_STRINGS[0xc2]).toBe('SEW');
    expect(tcpFlagText(0)).toBe('');
    for (let bits = 0; bits < 256; bits++) expect(tcpFlagBits(TCP_FLAG_STRINGS[bits])).toBe(bits);
  });

  it('one timestamp formatter: the time of day is the ISO form cut down', () => {
    expect(formatTimestamp(1_700_000_000.000123)).toBe('2023-11-14T22:13:20.000123Z');
    expect(clockTime(1_700_000_000.000123)).toBe('22:13:20.000123');
    expect(clockTime(1_700_000_000.9999996)).toBe('22:13:21.000000');
  });
});
