/**
 * Reading capture files from disk: only regular files are read (a FIFO would hang, a device never
 * ends), the magic is checked before the rest of the file is read, a big file streams through a
 * small buffer, and the file is closed however the reading ends.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { collectPackets, decodePcap, openPcap, PacketReader, readPcap } from '../../src/pcap/read.js';
import { ByteWindow } from '../../src/pcap/source.js';
import { concat, epb, ethTcp, F, idb, pcap, shb } from '../fixtures/pcap/build.js';

const dir = mkdtempSync(join(tmpdir(), 'asymlab-pcap-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openFds = () => readdirSync('/proc/self/fd').length;

async function refusal(path: string): Promise<LabError> {
  const err = await readPcap(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LabError);
  expect((err as LabError).kind).toBe('input');
  return err as LabError;
}

describe('capture files on disk', () => {
  it('refuses a FIFO at once, without waiting for a writer', async () => {
    const fifo = join(dir, 'fifo.pcap');
    const mk = spawnSync('mkfifo', [fifo]);
    expect(mk.status).toBe(0);
    expect((await refusal(fifo)).message).toBe(`${fifo}: cannot read capture file: it is a FIFO (named pipe), not a capture file`);
  });

  it('refuses a character device and a directory, naming them', async () => {
    expect((await refusal('/dev/zero')).message).toBe('/dev/zero: cannot read capture file: it is a character device, not a capture file');
    const sub = join(dir, 'captures');
    mkdirSync(sub);
    expect((await refusal(sub)).message).toBe(`${sub}: cannot read capture file: it is a directory, not a capture file`);
  });

  it('a missing file is an input error naming it', async () => {
    expect((await refusal(join(dir, 'nope.pcap'))).message).toBe(`${join(dir, 'nope.pcap')}: cannot read capture file: no such file`);
  });

  it('checks the magic before reading the rest of the file', () => {
    const size = 50 * 1024 * 1024;
    let read = 0;
    const window = new ByteWindow({
      size,
      chunkBytes: 4096,
      readAt: (into, at, length) => {
        into.fill(0x41, at, at + length);
        read += length;
        return length;
      },
    });
    expect(() => new PacketReader(window, 'big.txt')).toThrow(/big\.txt: not a readable capture file: it starts with 0x41414141/);
    expect(read).toBeLessThanOrEqual(4096);
  });

  it('streams a file bigger than its buffer, records split across refills, and gives what decodePcap gives', async () => {
    const records = Array.from({ length: 300 }, (_, i) => ({ sec: 1_700_000_000 + i, frac: i, data: ethTcp(i % 2 ? F.ACK : F.SYN, new Uint8Array(i % 50)) }));
    const bytes = pcap({ linkType: 1 }, records);
    const file = join(dir, 'many.pcap');
    writeFileSync(file, bytes);
    const expected = decodePcap(bytes, file);
    for (const chunkBytes of [64, 100, 4096]) expect(collectPackets(openPcap(file, { chunkBytes }))).toEqual(expected);
    expect(await readPcap(file)).toEqual(expected);
    expect(expected.packets).toHaveLength(300);
  });

  it('grows its buffer for a block bigger than a chunk (pcap-ng)', () => {
    const big = ethTcp(F.ACK, new Uint8Array(9000).fill(7));
    const bytes = concat(shb(true), idb({ linkType: 1 }, true), epb({ ts: 1n, data: ethTcp() }, true), epb({ ts: 2n, data: big }, true), epb({ ts: 3n, data: ethTcp() }, true));
    const file = join(dir, 'jumbo.pcapng');
    writeFileSync(file, bytes);
    const f = collectPackets(openPcap(file, { chunkBytes: 256 }));
    expect(f.truncated).toBeUndefined();
    expect(f.packets.map((p) => p.capLen)).toEqual([54, big.length, 54]);
    expect(f).toEqual(decodePcap(bytes, file));
  });

  it('a file that shrinks while it is read stops with the packets so far', () => {
    const bytes = pcap({ linkType: 1 }, Array.from({ length: 10 }, () => ({ data: ethTcp() })));
    // The size says 10 records, the reads deliver 5 and a half.
    const delivered = 24 + 5 * (16 + 54) + 30;
    const window = new ByteWindow({
      size: bytes.length,
      chunkBytes: 128,
      readAt: (into, at, length, position) => {
        const n = Math.max(0, Math.min(length, delivered - position));
        into.set(bytes.subarray(position, position + n), at);
        return n;
      },
    });
    const f = collectPackets(new PacketReader(window, 'live.pcap'));
    expect(f.packets).toHaveLength(5);
    expect(f.truncated).toBe('live.pcap: the file shrank while being read (at byte 374)');
  });

  it('closes the file at the end, on a refusal, and when a loop stops early', async () => {
    const file = join(dir, 'three.pcap');
    writeFileSync(file, pcap({ linkType: 1 }, [{ data: ethTcp() }, { data: ethTcp() }, { data: ethTcp() }]));
    const junk = join(dir, 'junk.pcap');
    writeFileSync(junk, 'this is not a capture at all');
    const before = openFds();
    await readPcap(file);
    expect(openFds()).toBe(before);
    await refusal(junk);
    expect(openFds()).toBe(before);
    for (const p of openPcap(file)) if (p.index === 0) break;
    expect(openFds()).toBe(before);
    const reader = openPcap(file);
    expect(openFds()).toBe(before + 1);
    reader.close();
    expect(openFds()).toBe(before);
  });
});
