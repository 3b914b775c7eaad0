#!/usr/bin/env node
// What one short process costs from Node on this machine, through node's execFile (asymlab's runner)
// and through execa, alternating A B A B so both see the same machine load.
//   node bench/spawn-cost.mjs [N=200]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const n = Number(process.argv[2] ?? 200);
const viaExecFile = promisify(execFile);
let execa;
try {
  ({ execa } = await import('execa'));
} catch {
  console.log('execa is not installed: measuring execFile only');
}
const times = { execFile: [], execa: [] };
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (let i = 0; i < n; i++) {
  let t = performance.now();
  await viaExecFile('/bin/true');
  times.execFile.push(performance.now() - t);
  if (execa) {
    t = performance.now();
    await execa('/bin/true');
    times.execa.push(performance.now() - t);
  }
}
for (const [k, v] of Object.entries(times)) if (v.length) console.log(`${k.padEnd(9)} median ${median(v).toFixed(2)} ms over ${v.length} spawns of /bin/true`);
if (execa) console.log(`execa / execFile: ${(median(times.execa) / median(times.execFile)).toFixed(2)}x`);
