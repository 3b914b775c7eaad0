/**
 * The reader against tcpdump's own test captures (~830 files, many of them fuzzed or damaged), with
 * tcpdump itself as the oracle:
 *  1. every file decodes, or is refused with LabError('input') — nothing else may be thrown;
 *  2. for every file tcpdump reads, we return as many packets as it prints (it stops where libpcap
 *     stops on a damaged file, and so do we);
 *  3. for every packet tcpdump prints as plain IP/IP6 TCP, we agree on addresses, ports, flags,
 *     seq (and its end, so the payload length), ack, window; and on every time stamp.
 * tcpdump's reading is made on the fly (`-# -S -nn -tt`: numbered one-line packets, absolute
 * sequence numbers, no name lookups, epoch time stamps), a few processes at a time.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { collectPackets, decodePcap, openPcap } from '../../src/pcap/read.js';
import type { DecodedPacket, PcapFile } from '../../src/pcap/types.js';
import { run, type CommandResult } from '../../src/util/exec.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
// Beside the checkout, or beside the folder of git worktrees (/work/wt/NAME) that share it.
const corpusDir = [resolve(repoRoot, '../shared/corpus/tcpdump-tests'), resolve(repoRoot, '../../shared/corpus/tcpdump-tests')].find(existsSync) ?? resolve(repoRoot, '../shared/corpus/tcpdump-tests');
const haveCorpus = existsSync(corpusDir);
if (!haveCorpus) console.warn(`pcap corpus test skipped: no corpus at ${corpusDir}`);

/** tcpdump processes at once: they are short and mostly wait on process start-up. */
const PARALLEL = 4;

/** "    12  1418145369.924505 IP ...": the first line of packet 12 (time stamp absent if tcpdump cannot convert it). */
const PACKET_LINE = /^\s*(\d+) {2}(?:(\d+)\.(\d+) )?(.*)$/;
/** A plain IPv4/IPv6 TCP segment, as tcpdump prints it without -v. Tunnels print an outer header first and do not match. */
const TCP_LINE =
  /^(IP6?) (?:truncated-ip - \d+ bytes missing! )?(\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\](?:, seq (\d+)(?::(\d+))?)?(?:, ack (\d+))?, win (\d+)/;

/**
 * Packets we decode as complete TCP that tcpdump 4.99 does not print as TCP. Each is a case where
 * we deliberately read more than tcpdump does; the counts are pinned so a change shows up.
 */
const EXCLUSIONS: Record<string, { match: RegExp; expected: number; why: string }> = {
  tso: { match: /^IP bad-len 0/, expected: 2, why: 'IPv4 total length 0 (TSO/GSO capture): tcpdump says bad-len, we take the wire length' },
  bigTcp6: { match: /: \[\|tcp\]$/, expected: 1, why: 'IPv6 payload length 0 (BIG TCP without jumbo option): tcpdump gives up, we take the wire length' },
  hbh: { match: /: HBH /, expected: 1, why: 'IPv6 hop-by-hop header: tcpdump prints "HBH" before the ports, so the line is not a plain TCP line' },
};

interface TcpdumpReading {
  opened: boolean;
  /** First line of each packet, by packet number - 1. */
  packets: Array<{ sec?: string; frac?: string; text: string }>;
  stderr: string;
}

function parseTcpdump(r: CommandResult): TcpdumpReading {
  const packets: TcpdumpReading['packets'] = [];
  for (const line of r.stdout.split('\n')) {
    const m = PACKET_LINE.exec(line);
    if (m && Number(m[1]) === packets.length + 1) packets.push({ sec: m[2], frac: m[3], text: m[4] });
  }
  return { opened: r.stderr.includes('reading from file'), packets, stderr: r.stderr };
}

async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/** What we read of a file: the decoded file, or the LabError('input') that refused it. */
type Ours = { file: PcapFile } | { refused: LabError };

describe.skipIf(!haveCorpus)('tcpdump test corpus', () => {
  const files = haveCorpus ? readdirSync(corpusDir).filter((f) => /\.pcap(ng)?$/.test(f)).sort() : [];
  const ours = new Map<string, Ours>();
  const theirs = new Map<string, TcpdumpReading>();
  let tcpdumpMs = 0;
  let haveTcpdump = false;

  beforeAll(async () => {
    const probe = await run(['tcpdump', '--version'], { reject: false });
    haveTcpdump = probe.exitCode === 0;
    if (!haveTcpdump) {
      console.warn('pcap corpus test: tcpdump not found, comparing with it is skipped');
      return;
    }
    const t0 = performance.now();
    const results = await pool(files, PARALLEL, (f) =>
      run(['tcpdump', '-#', '-S', '-nn', '-tt', '-r', join(corpusDir, f)], { reject: false, env: { ...process.env, TZ: 'UTC' }, timeoutMs: 30_000 }),
    );
    tcpdumpMs = performance.now() - t0;
    files.forEach((f, i) => theirs.set(f, parseTcpdump(results[i])));
  });

  it('reads every file or refuses it with LabError("input")', () => {
    const t0 = performance.now();
    const thrown: string[] = [];
    for (const f of files) {
      try {
        ours.set(f, { file: decodePcap(readFileSync(join(corpusDir, f)), f) });
      } catch (err) {
        if (err instanceof LabError && err.kind === 'input') ours.set(f, { refused: err });
        else thrown.push(`${f}: ${String(err)}`);
      }
    }
    expect(thrown).toEqual([]);
    const packets = [...ours.values()].reduce((n, o) => n + ('file' in o ? o.file.packets.length : 0), 0);
    console.log(`pcap corpus: ${files.length} files, ${packets} packets decoded in ${(performance.now() - t0).toFixed(0)} ms`);
  });

  it('agrees with tcpdump on which files open and on packet counts', (ctx) => {
    if (!haveTcpdump) ctx.skip();
    const problems: string[] = [];
    for (const f of files) {
      const t = theirs.get(f)!;
      const o = ours.get(f)!;
      if ('refused' in o) {
        if (t.opened) problems.push(`${f}: tcpdump reads it, we refuse: ${o.refused.message}`);
        continue;
      }
      if (!t.opened) {
        problems.push(`${f}: tcpdump refuses it (${t.stderr.trim()}), we read ${o.file.packets.length} packets`);
        continue;
      }
      if (t.packets.length !== o.file.packets.length) {
        problems.push(`${f}: tcpdump prints ${t.packets.length} packets, we read ${o.file.packets.length} (${o.file.truncated ?? 'not truncated'})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the streaming reader gives exactly what decodePcap gives, whatever the chunk size', () => {
    // Odd chunk sizes put record and block boundaries everywhere in the reused buffer.
    const differ: string[] = [];
    for (const chunkBytes of [64, 1000, 1 << 20]) {
      for (const f of files) {
        const path = join(corpusDir, f);
        const o = ours.get(f)!;
        let streamed: PcapFile | LabError;
        try {
          streamed = collectPackets(openPcap(path, { chunkBytes }));
        } catch (err) {
          if (!(err instanceof LabError)) throw err;
          streamed = err;
        }
        const same =
          'refused' in o
            ? streamed instanceof LabError && streamed.message === o.refused.message.replace(f, path)
            : !(streamed instanceof LabError) && JSON.stringify({ ...streamed, truncated: streamed.truncated?.replace(path, f) }) === JSON.stringify(o.file);
        if (!same) differ.push(`${f} (chunks of ${chunkBytes} bytes)`);
      }
    }
    expect(differ).toEqual([]);
  });

  it('agrees with tcpdump on time stamps and on every plain TCP packet', (ctx) => {
    if (!haveTcpdump) ctx.skip();
    const mismatches: string[] = [];
    const excluded: Record<string, string[]> = Object.fromEntries(Object.keys(EXCLUSIONS).map((k) => [k, []]));
    const unexplained: string[] = [];
    let compared = 0;
    for (const f of files) {
      const o = ours.get(f)!;
      const t = theirs.get(f)!;
      if ('refused' in o || t.packets.length !== o.file.packets.length) continue;
      o.file.packets.forEach((p, i) => {
        const line = t.packets[i];
        const where = `${f} #${i + 1}`;
        if (line.sec !== undefined && line.frac?.length === 6 && !sameMicrosecond(p.ts, Number(line.sec), Number(line.frac))) {
          mismatches.push(`${where}: time ${p.ts}, tcpdump ${line.sec}.${line.frac}`);
        }
        if (p.linkType === 'unknown') return;
        const m = TCP_LINE.exec(line.text);
        if (!m) {
          if (p.tcp && !p.partial) {
            const kind = Object.keys(EXCLUSIONS).find((k) => EXCLUSIONS[k].match.test(line.text));
            if (kind) excluded[kind].push(where);
            else unexplained.push(`${where}: we decode TCP, tcpdump prints: ${line.text.slice(0, 120)}`);
          }
          return;
        }
        compared++;
        const want = expectedFrom(m);
        const got = p.tcp && p.ip ? actual(p, want) : undefined;
        if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${where}: tcpdump ${JSON.stringify(want)}, we ${JSON.stringify(got)} ${p.partial ?? ''}`);
      });
    }
    console.log(
      `pcap corpus: ${compared} TCP packets compared with tcpdump (${tcpdumpMs.toFixed(0)} ms of tcpdump, ${PARALLEL} at a time); excluded: ` +
        Object.entries(excluded)
          .map(([k, v]) => `${k} ${v.length}`)
          .join(', '),
    );
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(unexplained).toEqual([]);
    expect(compared).toBeGreaterThan(1000);
    for (const [k, v] of Object.entries(excluded)) expect(v.length, `${k}: ${EXCLUSIONS[k].why}: ${v.join(', ')}`).toBe(EXCLUSIONS[k].expected);
  });
});

/** tcpdump (libpcap 1.10) keeps pcap-ng seconds in 32 bits, so compare seconds modulo 2^32. */
function sameMicrosecond(ts: number, sec: number, usec: number): boolean {
  const ourSec = Math.floor(ts);
  const ours = (ourSec % 2 ** 32) * 1e6 + Math.round((ts - ourSec) * 1e6);
  // Nanosecond files: libpcap truncates to the microsecond, we round.
  return Math.abs(ours - (sec * 1e6 + usec)) <= 1;
}

interface TcpFields {
  version: 4 | 6;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  flags: string;
  seq?: number;
  seqEnd?: number;
  ack?: number;
  window: number;
}

function expectedFrom(m: RegExpExecArray): TcpFields {
  const opt = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  return {
    version: m[1] === 'IP6' ? 6 : 4,
    src: m[2],
    srcPort: Number(m[3]),
    dst: m[4],
    dstPort: Number(m[5]),
    flags: m[6],
    seq: opt(m[7]),
    seqEnd: opt(m[8]),
    ack: opt(m[9]),
    window: Number(m[10]),
  };
}

/** Our fields, limited to what tcpdump printed (it omits seq on a bare ACK, ack without the ACK flag). */
function actual(p: DecodedPacket, want: TcpFields): TcpFields {
  const tcp = p.tcp!;
  const ip = p.ip!;
  return {
    version: ip.version,
    src: ip.src,
    srcPort: tcp.srcPort,
    dst: ip.dst,
    dstPort: tcp.dstPort,
    flags: tcp.flags,
    seq: want.seq === undefined ? undefined : tcp.seq,
    seqEnd: want.seqEnd === undefined ? undefined : (tcp.seq + tcp.payloadLength) >>> 0,
    ack: want.ack === undefined ? undefined : tcp.ack,
    window: tcp.window,
  };
}
