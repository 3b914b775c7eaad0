import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pcapCommand } from '../../src/cli/commands/pcap.js';
import { LabError } from '../../src/errors.js';
import { formatPacketLine, formatSummary, formatTimestamp } from '../../src/pcap/format.js';
import { decodePcap } from '../../src/pcap/read.js';
import { ascii, ethernet, ethTcp, F, fields, icmp, ipv4, ipv6, nflog, pcap, sll2, tcp, udp, v4 } from '../fixtures/pcap/build.js';

describe('formatTimestamp', () => {
  it('writes UTC ISO time with microseconds', () => {
    expect(formatTimestamp(1_700_000_000.000123)).toBe('2023-11-14T22:13:20.000123Z');
    expect(formatTimestamp(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(formatTimestamp(1_700_000_000.9999996)).toBe('2023-11-14T22:13:21.000000Z');
    expect(formatTimestamp(2 ** 32)).toBe('2106-02-07T06:28:16.000000Z');
  });
});

describe('formatPacketLine', () => {
  const line = (linkType: number, data: Uint8Array, wireLen?: number) => formatPacketLine(decodePcap(pcap({ linkType }, [{ sec: 1_700_000_000, frac: 5, data, wireLen }])).packets[0]);

  it('TCP over Ethernet', () => {
    const data = ethernet({ type: 0x0800 }, ipv4({ src: '10.0.1.1', dst: '10.0.2.1', protocol: 6, id: 4711 }, tcp({ sport: 40001, dport: 443, seq: 100, ack: 7, flags: F.PSH | F.ACK, window: 502 }, ascii('hello'))));
    expect(line(1, data)).toBe('2023-11-14T22:13:20.000005Z ethernet - 10.0.1.1:40001 > 10.0.2.1:443 TCP [P.] seq 100:105 ack 7 win 502 id 4711 len 59');
  });

  it('UDP over SLL2 with direction, interface and a snaplen note', () => {
    const data = sll2({ pktType: 4, proto: 0x86dd, ifindex: 3 }, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: 17 }, udp({ sport: 5353, dport: 53 }, ascii('abcd'))));
    expect(line(276, data, 200)).toBe('2023-11-14T22:13:20.000005Z sll2 out if 3 [2001:db8::1]:5353 > [2001:db8::2]:53 UDP payload 4 len 200 (captured 72)');
  });

  it('ICMP errors name the quoted flow; NFLOG shows the prefix and hook', () => {
    const quoted = ipv4({ src: '10.0.2.1', dst: '10.0.9.9', protocol: 6 }, tcp({ sport: 443, dport: 40001, flags: F.SYN })).subarray(0, 28);
    const data = nflog({ family: 2, le: true }, [
      [1, fields([[0x0800, 2], [2, 1], [0, 1]])],
      [10, ascii('DROP fw1\0')],
      [9, ipv4({ src: '10.0.0.254', dst: '10.0.2.1', protocol: 1, id: 9 }, icmp({ type: 3, code: 13 }, quoted))],
    ]);
    expect(line(239, data)).toBe(
      '2023-11-14T22:13:20.000005Z nflog - 10.0.0.254 > 10.0.2.1 ICMP type 3 code 13 quoting 10.0.2.1:443 > 10.0.9.9:40001 TCP id 9 len 88 nflog "DROP fw1" hook 2',
    );
  });

  it('non-IP frames, VLANs and partial packets', () => {
    expect(line(1, ethernet({ type: 0x0806, vlans: [10] }, v4('1.2.3.4')))).toBe('2023-11-14T22:13:20.000005Z ethernet - vlan 10 ethertype 0x0806 len 22');
    expect(line(1, ethTcp().subarray(0, 10))).toBe('2023-11-14T22:13:20.000005Z ethernet - not IP len 10 [partial: Ethernet header cut at 10 of 14 bytes]');
  });

  it('summary line', () => {
    expect(formatSummary({ format: 'pcapng', linkType: 'ethernet', linkTypeCode: 1, packets: 1 })).toBe('1 packet, pcapng, link type ethernet (1)');
    expect(formatSummary({ linkType: 'sll', linkTypeCode: 113, packets: 2, truncated: 'x.pcap: file ends inside packet 3' })).toBe(
      '2 packets, pcap, link type sll (113); truncated: x.pcap: file ends inside packet 3',
    );
  });
});

describe('pcapCommand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'asymlab-pcap-cmd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'r1-eth0.pcap');
  const whole = pcap({ linkType: 1 }, [{ data: ethTcp(F.SYN) }, { data: ethTcp(F.SYN | F.ACK) }, { data: ethTcp(F.ACK) }]);
  writeFileSync(file, whole.subarray(0, whole.length - 3));

  it('prints a line per packet and a summary naming the truncation', async () => {
    const lines: string[] = [];
    expect(await pcapCommand({ file, json: false }, (l) => lines.push(l))).toBe(0);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/ ethernet - 10\.0\.0\.1:40000 > 10\.0\.0\.2:80 TCP \[S\] seq 3000000000 win 512 id 4660 len 54$/);
    expect(lines[2]).toBe(`2 packets, pcap, link type ethernet (1); truncated: ${file}: file ends inside packet 3 (byte 164): it needs 54 bytes, 51 are left`);
  });

  it('prints JSON lines', async () => {
    const lines: string[] = [];
    await pcapCommand({ file, json: true }, (l) => lines.push(l));
    const objs = lines.map((l) => JSON.parse(l));
    expect(objs[1]).toMatchObject({ index: 1, linkType: 'ethernet', tcp: { flags: 'S.' } });
    expect(objs[2].summary).toMatchObject({ packets: 2, format: 'pcap', linkType: 'ethernet', truncated: expect.stringContaining('file ends inside packet 3') });
  });

  it('a missing or foreign file is an input error naming it', async () => {
    await expect(pcapCommand({ file: join(dir, 'nope.pcap'), json: false }, () => {})).rejects.toMatchObject({ kind: 'input', message: expect.stringContaining('nope.pcap: cannot read capture file: no such file') });
    const txt = join(dir, 'notes.txt');
    writeFileSync(txt, 'not a capture');
    await expect(pcapCommand({ file: txt, json: false }, () => {})).rejects.toBeInstanceOf(LabError);
  });
});
