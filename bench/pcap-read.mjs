/**
 * pcap reader benchmark: decodes a generated 1,000,000-packet Ethernet/IPv4/TCP capture with our
 * reader (whole-file decodePcap and one-at-a-time iteratePackets), with tcpdump, and with
 * pcap-parser when it is still installed. Best of 3 runs each. Needs `npm run build` first.
 *
 *   npm run build && node bench/pcap-read.mjs [packets]
 */
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTcpCapture } from './lib/pcap-writer.mjs';

const { decodePcap, iteratePackets } = await import('../dist/pcap/read.js').catch(() => {
  console.error('bench/pcap-read.mjs imports dist/: run `npm run build` first');
  process.exit(2);
});

const PACKETS = Number(process.argv[2] ?? 1_000_000);
const RUNS = 3;
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

function tcpdumpRun() {
  // TZ=UTC tcpdump -nn -r FILE > /dev/null; the count is the capture's, tcpdump's exit code says it read it.
  const devNull = openSync('/dev/null', 'w');
  return new Promise((resolve, reject) => {
    const child = spawn('tcpdump', ['-nn', '-r', file], { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', devNull, 'ignore'] });
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(devNull);
      if (code === 0) resolve(PACKETS);
      else reject(new Error(`tcpdump exited with ${code}`));
    });
  });
}

function pcapParserRun(parser) {
  return new Promise((resolve, reject) => {
    let n = 0;
    const p = parser.parse(createReadStream(file));
    p.on('packet', () => n++);
    p.on('end', () => resolve(n));
    p.on('error', reject);
  });
}

const rows = [];
try {
  const bytes = writeTcpCapture(file, { packets: PACKETS });
  console.log(`capture: ${PACKETS} packets, ${(bytes / 1e6).toFixed(1)} MB, Ethernet/IPv4/TCP`);
  const buf = readFileSync(file);

  const whole = await best(() => decodePcap(buf, file).packets.length);
  rows.push(['asymlab decodePcap (all packets kept)', whole]);
  const iter = await best(() => {
    let n = 0;
    for (const p of iteratePackets(buf, file)) if (p.tcp) n++;
    return n;
  });
  rows.push(['asymlab iteratePackets', iter]);
  try {
    rows.push(['tcpdump -nn -r > /dev/null', await best(tcpdumpRun)]);
  } catch (err) {
    console.log(`tcpdump: not run (${err.message})`);
  }
  try {
    const parser = createRequire(import.meta.url)('pcap-parser');
    rows.push(['pcap-parser 0.2.1 (stream, no decoding)', await best(() => pcapParserRun(parser))]);
  } catch {
    console.log('pcap-parser: not installed, skipped');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\n${'reader'.padEnd(42)} ${'packets'.padStart(9)} ${'best ms'.padStart(9)} ${'packets/s'.padStart(12)}`);
for (const [name, r] of rows) {
  const pps = (r.count / r.ms) * 1000;
  console.log(`${name.padEnd(42)} ${String(r.count).padStart(9)} ${r.ms.toFixed(0).padStart(9)} ${(pps / 1e6).toFixed(2).padStart(10)} M`);
}
