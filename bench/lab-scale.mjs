#!/usr/bin/env node
// Bring-up and teardown of generated router chains: time to BGP converged, time to down, memory,
// and the processes asymlab started (per step) with the CPU they used.
//   sudo node bench/lab-scale.mjs [SIZES...] [--runtime netns|docker] [--concurrency N] [--name PREFIX] [--binds]
// --binds: every router binds a file, which gives every node a filesystem of its own (on netns, a
// mount namespace per node: src/runtime/netns/node-fs.ts), to measure what that costs.
// Default sizes: 10 50 200; labs are named PREFIX-N (default bench-N).
// Needs `npm run build`. Prints a table and writes bench/out/lab-scale-RUNTIME.json.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLab, run as realRun, spawnBackground, upLab } from 'asymlab';

const args = process.argv.slice(2);
const runtime = args.includes('--runtime') ? args[args.indexOf('--runtime') + 1] : 'netns';
const concurrency = args.includes('--concurrency') ? Number(args[args.indexOf('--concurrency') + 1]) : undefined;
const prefix = args.includes('--name') ? args[args.indexOf('--name') + 1] : 'bench';
const binds = args.includes('--binds');
const sizes = args.filter((a, i) => /^\d+$/.test(a) && !['--runtime', '--concurrency', '--name'].includes(args[i - 1])).map(Number);
if (!sizes.length) sizes.push(10, 50, 200);

/** A chain r0 - r1 - ... - r(n-1), eBGP on every link, one stub prefix per router on lo. */
function chainLab(n) {
  const lines = [`name: ${prefix}-${n}`, `runtime: ${runtime}`, 'topology:', '  nodes:'];
  for (let i = 0; i < n; i++) {
    const ifaces = [];
    const nbs = [];
    if (i > 0) {
      ifaces.push(`eth1: 100.${64 + (i >> 8)}.${i & 255}.2/30`);
      nbs.push(`{address: 100.${64 + (i >> 8)}.${i & 255}.1, remote-as: ${65000 + i - 1}}`);
    }
    if (i < n - 1) {
      ifaces.push(`eth2: 100.${64 + ((i + 1) >> 8)}.${(i + 1) & 255}.1/30`);
      nbs.push(`{address: 100.${64 + ((i + 1) >> 8)}.${(i + 1) & 255}.2, remote-as: ${65000 + i + 1}}`);
    }
    lines.push(
      `    r${i}:`,
      '      kind: router',
      `      interfaces: {${ifaces.join(', ')}}`,
      `      loopbacks: [10.${i >> 8}.${i & 255}.1/32]`,
      `      bgp: {asn: ${65000 + i}, router-id: 10.${i >> 8}.${i & 255}.1, networks: [10.${i >> 8}.${i & 255}.1/32], neighbors: [${nbs.join(', ')}]}`,
    );
    if (binds) lines.push('      binds: [bench-bind.txt:/etc/asymlab-bench.txt:ro]');
  }
  lines.push('  links:');
  for (let i = 1; i < n; i++) lines.push(`    - endpoints: ["r${i - 1}:eth2", "r${i}:eth1"]`);
  return `${lines.join('\n')}\n`;
}

/** RSS of every process in the lab's namespaces (FRR daemons; containers' too on docker). */
function labRssMb(lab) {
  const mine = new Set(readdirSync('/var/run/netns').filter((x) => x.startsWith(`asymlab_${lab}_`)));
  let kb = 0;
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      // an FRR daemon names its namespace as its pathspace, or (own filesystem) carries it as its marker
      const env = cmd.startsWith('/usr/lib/frr/') ? readFileSync(`/proc/${p}/environ`, 'utf8') : '';
      const ns = cmd.split('\0').find((a) => mine.has(a)) ?? env.split('\0').find((a) => mine.has(a.slice('ASYMLAB_NS='.length)));
      if (!ns && !(runtime === 'docker' && cmd.startsWith('/usr/lib/frr/'))) continue;
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* exited */
    }
  }
  return kb / 1024;
}

/** Every process asymlab starts goes through the runner or the spawner: count them by the step under way. */
let step = 'check';
const counts = {};
const cpu = {};
let cpuMark = 0;
const count = () => (counts[step] = (counts[step] ?? 0) + 1);
const run = (argv, opts) => (count(), realRun(argv, opts));
const spawn = (argv, opts) => (count(), spawnBackground(argv, opts));
/** Ends the step under way: its children's CPU is what was added since the last mark. */
function mark(next) {
  const now = childCpuMs();
  cpu[step] = Math.round((cpu[step] ?? 0) + now - cpuMark);
  cpuMark = now;
  step = next;
}
const emit = (e) => {
  if (e.kind === 'step') mark(e.step);
};
/** CPU (ms) of the children asymlab has waited for: `ip`, vtysh, sysctl... (FRR daemons detach and are not in it; 100 ticks a second). */
function childCpuMs() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
}

const dir = join(tmpdir(), 'asymlab-bench');
mkdirSync(dir, { recursive: true });
if (binds) writeFileSync(join(dir, 'bench-bind.txt'), 'bound\n');
const rows = [];
for (const n of sizes) {
  const file = join(dir, `chain-${n}.yaml`);
  writeFileSync(file, chainLab(n));
  const lab = await loadLab(file);
  for (const o of [counts, cpu]) for (const k of Object.keys(o)) delete o[k];
  step = 'check';
  cpuMark = childCpuMs();
  const t0 = performance.now();
  const started = await upLab(lab, { convergeTimeoutMs: 120_000, concurrency, run, spawn, emit });
  const upMs = performance.now() - t0;
  mark('rss');
  const rss = labRssMb(lab.name);
  mark('down');
  const t1 = performance.now();
  await started.down();
  const downMs = performance.now() - t1;
  mark('end');
  const row = {
    runtime,
    nodes: n,
    upMs: Math.round(upMs),
    convergeMs: Math.round(started.timings.converge ?? 0),
    downMs: Math.round(downMs),
    rssMb: Math.round(rss),
    rssPerRouterMb: +(rss / n).toFixed(1),
    steps: Object.fromEntries(Object.entries(started.timings).map(([k, v]) => [k, Math.round(v)])),
    processes: { ...counts },
    childCpuMs: { ...cpu },
  };
  rows.push(row);
  console.log(`${runtime.padEnd(6)} ${String(n).padStart(4)} nodes  up+converged ${(upMs / 1000).toFixed(2)} s  down ${(downMs / 1000).toFixed(2)} s  RSS ${row.rssMb} MB (${row.rssPerRouterMb} MB/router)  steps ${JSON.stringify(row.steps)}`);
  console.log(`            processes started ${JSON.stringify(row.processes)}  children's CPU (ms) ${JSON.stringify(row.childCpuMs)}`);
}
mkdirSync('bench/out', { recursive: true });
writeFileSync(`bench/out/lab-scale-${runtime}${binds ? '-binds' : ''}.json`, `${JSON.stringify(rows, null, 2)}\n`);
