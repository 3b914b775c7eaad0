/**
 * pcap reader benchmark, in one run so the ratios compare like with like: a generated
 * 1,000,000-packet Ethernet/IPv4/TCP capture read end to end (file read included) the ways asymlab
 * reads it, beside `tcpdump -nn -r FILE > /dev/null` on the same file. Best of 3 runs each.
 *
 *   end to end, streamed   openPcap(path): what `asymlab pcap` decodes (no printing)
 *   end to end, kept       readPcap(path): what `asymlab run` does with each capture
 *   decodePcap             the file already in memory, every packet kept (GC-bound)
 *   iteratePackets         the file already in memory, one packet at a time
 *   asymlab pcap > null    the whole command in its own process, printing every packet
 *
 * Also prints the machine (cores, load, node, tcpdump) and the cost of spawning a process, which
 * both tcpdump and `asymlab pcap` pay. Needs `npm run build` first.
 *
 *   npm run build && node bench/pcap-read.mjs [packets]
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTcpCapture } from './lib/pcap-writer.mjs';

const { decodePcap, iteratePackets, openPcap, readPcap } = await import('asymlab').catch(() => {
  console.error('bench/pcap-read.mjs imports the built package: run `npm run build` first');
  process.exit(2);
});

const PACKETS = Number(process.argv[2] ?? 1_000_000);
const RUNS = 3;
const GOAL_RATIO = 3;
const GOAL_DECODE_PPS = 2e6;
const cli = resolve(fileURLToPath(import.meta.url), '../../bin/asymlab.js');
const dir = mkdtempSync(join(tmpdir(), 'asymlab-pcap-bench-'));
const file = join(dir, 'tcp.pcap');

async function best(fn) {
  let bestMs = Infinity;
  let count = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    count = await fn();
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  return { ms: bestMs, count };
}

/** Run argv with stdout to /dev/null; resolves when it exits 0. */
function quiet(argv) {
  const devNull = openSync('/dev/null', 'w');
  return new Promise((done, fail) => {
    const child = spawn(argv[0], argv.slice(1), { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', devNull, 'ignore'] });
    child.on('error', fail);
    child.on('close', (code) => {
      closeSync(devNull);
      if (code === 0) done(PACKETS);
      else fail(new Error(`${argv.join(' ')} exited with ${code}`));
    });
  });
}

const rows = [];
let tcpdump;
let spawnMs;
let nodeStartMs;
try {
  const bytes = writeTcpCapture(file, { packets: PACKETS });
  readFileSync(file); // in the page cache for everyone
  const tcpdumpVersion = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? 'absent';
  spawnMs = (await best(() => quiet(['true']))).ms;
  nodeStartMs = (await best(() => quiet([process.execPath, '-e', '0']))).ms;
  console.log(`capture: ${PACKETS} packets, ${(bytes / 1e6).toFixed(1)} MB, Ethernet/IPv4/TCP`);
  console.log(`machine: ${availableParallelism()} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}, ${tcpdumpVersion}`);
  console.log(`spawn: ${spawnMs.toFixed(1)} ms for \`true\`, ${nodeStartMs.toFixed(0)} ms for \`node -e 0\``);

  try {
    tcpdump = await best(() => quiet(['tcpdump', '-nn', '-r', file]));
    rows.push(['tcpdump -nn -r FILE > /dev/null', tcpdump]);
  } catch (err) {
    console.log(`tcpdump: not run (${err.message})`);
  }
  rows.push(['end to end, streamed (openPcap)', await best(() => {
    let n = 0;
    for (const p of openPcap(file)) if (p.tcp) n++;
    return n;
  })]);
  rows.push(['end to end, kept (readPcap)', await best(async () => (await readPcap(file)).packets.length)]);
  const buf = readFileSync(file);
  rows.push(['decodePcap (in memory, all kept)', await best(() => decodePcap(buf, file).packets.length)]);
  rows.push(['iteratePackets (in memory)', await best(() => {
    let n = 0;
    for (const p of iteratePackets(buf, file)) if (p.tcp) n++;
    return n;
  })]);
  rows.push(['asymlab pcap FILE > /dev/null', await best(() => quiet([process.execPath, cli, 'pcap', file]))]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const pps = (r) => (r.count / r.ms) * 1000;
console.log(`\n${'reader'.padEnd(36)} ${'packets'.padStart(9)} ${'best ms'.padStart(8)} ${'packets/s'.padStart(10)} ${'x tcpdump'.padStart(10)}`);
for (const [name, r] of rows) {
  const ratio = tcpdump ? (tcpdump.ms / r.ms).toFixed(2) : '-';
  console.log(`${name.padEnd(36)} ${String(r.count).padStart(9)} ${r.ms.toFixed(0).padStart(8)} ${(pps(r) / 1e6).toFixed(2).padStart(8)} M ${ratio.padStart(10)}`);
}

const row = (name) => rows.find(([n]) => n.startsWith(name))[1];
const verdict = (ok, what, got, want) => console.log(`${ok ? 'met   ' : 'MISSED'} ${what}: ${got} (goal ${want})`);
console.log('');
if (tcpdump) {
  const ratio = tcpdump.ms / row('end to end, streamed').ms;
  verdict(ratio >= GOAL_RATIO, 'end to end, streamed, vs tcpdump', `${ratio.toFixed(2)}x`, `>= ${GOAL_RATIO}x`);
}
const decodePps = pps(row('decodePcap'));
verdict(decodePps >= GOAL_DECODE_PPS, 'decodePcap', `${(decodePps / 1e6).toFixed(2)} M packets/s`, `>= ${GOAL_DECODE_PPS / 1e6} M`);
