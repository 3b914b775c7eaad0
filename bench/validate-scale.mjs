#!/usr/bin/env node
// Validation time against lab file size: is it linear?
//   node bench/validate-scale.mjs [MEGABYTES...]        (default: 1 2 4 8 16 32 50)
// Needs `npm run build`; no root. Each size is generated into a temporary folder and loaded by
// loadLab in a fresh process (so one size's heap does not slow the next), with the lab file size
// limit raised to 64 MiB: the default (8 MiB) would refuse the larger ones. Prints a table and
// writes bench/out/validate-scale.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MIB = 1024 * 1024;

if (process.argv[2] === '--child') {
  // One measurement: load the file, report the time and what it held.
  const { loadLab } = await import('asymlab');
  const t = performance.now();
  const lab = await loadLab(process.argv[3], { maxLabFileBytes: 64 * MIB });
  const ms = performance.now() - t;
  process.stdout.write(JSON.stringify({ ms, nodes: lab.nodes.length, links: lab.links.length, flows: lab.flows.length, heapMiB: process.memoryUsage().rss / MIB }));
  process.exit(0);
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (!sizes.length) sizes.push(1, 2, 4, 8, 16, 32, 50);

const ip = (n) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/**
 * One cell: host a - router r = eBGP = router q - host b, three /30 links, a flow from a to b.
 * Every rule has work to do on it: links, addresses, routes, BGP peers, flows and their owners.
 */
function cell(i) {
  const b = i * 16;
  const nodes = [
    `    a${i}:`,
    '      kind: host',
    `      interfaces: {eth1: ${ip(b + 1)}/30}`,
    `      routes: [{to: default, via: ${ip(b + 2)}}]`,
    `    r${i}:`,
    '      kind: router',
    `      interfaces: {eth1: ${ip(b + 2)}/30, eth2: ${ip(b + 5)}/30}`,
    `      bgp: {asn: 65001, router-id: ${ip(b + 2)}, networks: [${ip(b)}/30], neighbors: [{address: ${ip(b + 6)}, remote-as: 65002}]}`,
    `    q${i}:`,
    '      kind: router',
    `      interfaces: {eth1: ${ip(b + 6)}/30, eth2: ${ip(b + 9)}/30}`,
    `      bgp: {asn: 65002, router-id: ${ip(b + 6)}, networks: [${ip(b + 8)}/30], neighbors: [{address: ${ip(b + 5)}, remote-as: 65001}]}`,
    `    b${i}:`,
    '      kind: host',
    `      interfaces: {eth1: ${ip(b + 10)}/30}`,
    `      routes: [{to: default, via: ${ip(b + 9)}}]`,
  ];
  const links = [`    - endpoints: ["a${i}:eth1", "r${i}:eth1"]`, `    - endpoints: ["r${i}:eth2", "q${i}:eth1"]`, `    - endpoints: ["q${i}:eth2", "b${i}:eth1"]`];
  const flows = [`  - {name: f${i}, from: a${i}, to: "${ip(b + 10)}:80"}`];
  return { nodes: nodes.join('\n'), links: links.join('\n'), flows: flows.join('\n'), bytes: [...nodes, ...links, ...flows].join('\n').length + 3 };
}

function labOfSize(bytes) {
  const cells = [];
  for (let i = 0, total = 100; total < bytes; i++) {
    const c = cell(i);
    cells.push(c);
    total += c.bytes;
  }
  return ['name: scale', 'topology:', '  nodes:', ...cells.map((c) => c.nodes), '  links:', ...cells.map((c) => c.links), 'flows:', ...cells.map((c) => c.flows), ''].join('\n');
}

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'asymlab-validate-scale-'));
const rows = [];
try {
  for (const mb of sizes) {
    const file = join(dir, `lab-${mb}.yaml`);
    writeFileSync(file, labOfSize(mb * 1000 * 1000));
    const sizeMB = statSync(file).size / 1e6;
    const out = execFileSync(process.execPath, ['--max-old-space-size=12288', fileURLToPath(import.meta.url), '--child', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const r = JSON.parse(out);
    rows.push({ sizeMB, ...r, msPerMB: r.ms / sizeMB });
    const last = rows[rows.length - 1];
    console.log(
      `${sizeMB.toFixed(1).padStart(6)} MB  ${String(last.nodes).padStart(7)} nodes  ${(last.ms / 1000).toFixed(2).padStart(7)} s  ${(last.msPerMB / 1000).toFixed(3)} s/MB  rss ${Math.round(last.heapMiB)} MiB`,
    );
    rmSync(file);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const perMB = rows.map((r) => r.msPerMB);
console.log(`s/MB from ${(Math.min(...perMB) / 1000).toFixed(3)} to ${(Math.max(...perMB) / 1000).toFixed(3)}: linear when these stay within a small factor of each other`);
mkdirSync(join(here, 'out'), { recursive: true });
writeFileSync(join(here, 'out', 'validate-scale.json'), `${JSON.stringify(rows, null, 2)}\n`);
