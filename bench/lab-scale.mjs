#!/usr/bin/env node
// Bring-up and teardown of generated chains (bench/lib/chain-lab.mjs): time to BGP converged, time to
// the last route, time to down, memory, and the processes asymlab started (per step) with the CPU
// they used.
//   sudo node bench/lab-scale.mjs [SIZES...] [--hosts] [--runtime netns|docker] [--concurrency N] [--name PREFIX] [--binds]
//   sudo node bench/lab-scale.mjs --compare [--name PREFIX] [--rounds R] [CASES...]
// Default sizes: 10 50 200; labs are named PREFIX-N (hosts: PREFIX-hN; default prefix bench).
// --hosts: the same chain without FRR. --compare: asymlab, Mininet and the floor alternately
// (bench/lib/compare.mjs; CASES like routers:10 hosts:500). Needs `npm run build`. Prints a table
// and writes bench/out/lab-scale-RUNTIME.json (--compare: bench/out/compare.json).
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLab, planLab, run as realRun, spawnBackground, upLab } from 'asymlab';
import { allRoutes, chainLab } from './lib/chain-lab.mjs';
import { compare } from './lib/compare.mjs';
import { RouteClock } from './lib/route-clock.mjs';

const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const runtime = opt('--runtime') ?? 'netns';
const concurrency = opt('--concurrency') ? Number(opt('--concurrency')) : undefined;
const prefix = opt('--name') ?? 'bench';
const valued = ['--runtime', '--concurrency', '--name', '--rounds', '--trial'];
const sizes = args.filter((a, i) => /^\d+$/.test(a) && !valued.includes(args[i - 1])).map(Number);
const kind = args.includes('--hosts') ? 'hosts' : 'routers';
const binds = args.includes('--binds');

if (args.includes('--compare')) {
  const cases = args.filter((a) => /^(routers|hosts):\d+$/.test(a)).map((c) => c.split(':')).map(([k, n]) => [k, Number(n)]);
  await compare({ prefix, rounds: Number(opt('--rounds') ?? 2), cases: cases.length ? cases : undefined });
  process.exit(0);
}

/** RSS of every process in the lab's namespaces (FRR daemons; containers' too on docker). */
function labRssMb(lab) {
  const mine = new Set(readdirSync('/var/run/netns').filter((x) => x.startsWith(`asymlab_${lab}_`)));
  let kb = 0;
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      const ns = cmd.split('\0').find((a) => mine.has(a));
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

/**
 * One asymlab trial. Its own `ip monitor route` watchers (one a router, src/lab/route-watch.ts) are
 * tapped through the spawner, so the last route is timed from the same events as the floor's and
 * Mininet's, without a process more.
 */
async function trial(n) {
  const dir = join(tmpdir(), 'asymlab-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `chain-${kind}-${n}.yaml`);
  let yaml = chainLab(kind, n, `${prefix}-${kind === 'routers' ? '' : 'h'}${n}`, runtime);
  // --binds: every node binds a file, which gives it a filesystem of its own (on netns, a mount
  // namespace per node: src/runtime/netns/node-fs.ts), to measure what that costs.
  if (binds) {
    writeFileSync(join(dir, 'bench-bind.txt'), 'bound\n');
    yaml = yaml.replace(/^(      loopbacks: .*)$/gm, '$1\n      binds: [bench-bind.txt:/etc/asymlab-bench.txt:ro]');
  }
  writeFileSync(file, yaml);
  const lab = await loadLab(file);
  const plan = planLab(lab);
  const routers = plan.nodes.filter((x) => x.frr).length;
  const clock = new RouteClock({ expected: [], all: allRoutes(plan), routers });
  const tapped = (argv, opts) => {
    const bg = spawn(argv, opts);
    if (argv.includes('monitor') && opts?.node) bg.child.stdout?.on('data', (d) => clock.chunk(opts.node, String(d)));
    return bg;
  };
  for (const o of [counts, cpu]) for (const k of Object.keys(o)) delete o[k];
  step = 'check';
  cpuMark = childCpuMs();
  const t0 = performance.now();
  const started = await upLab(lab, { convergeTimeoutMs: 120_000 + 500 * n, concurrency, run, spawn: tapped, emit });
  const upMs = performance.now() - t0;
  mark('rss');
  const rss = labRssMb(lab.name);
  mark('down');
  const t1 = performance.now();
  await started.down();
  const downMs = performance.now() - t1;
  mark('end');
  return {
    tool: 'asymlab',
    kind,
    runtime,
    n,
    upMs: Math.round(upMs),
    lastRouteMs: clock.lastRouteAt === undefined ? null : Math.round(clock.lastRouteAt - t0),
    convergeMs: Math.round(started.timings.converge ?? 0),
    downMs: Math.round(downMs),
    rssMb: Math.round(rss),
    rssPerNodeMb: +(rss / n).toFixed(1),
    steps: Object.fromEntries(Object.entries(started.timings).map(([k, v]) => [k, Math.round(v)])),
    processes: { ...counts },
    childCpuMs: { ...cpu },
  };
}

if (opt('--trial')) {
  // One trial in a process of its own, for --compare: one JSON line.
  console.log(JSON.stringify(await trial(Number(opt('--trial')))));
  process.exit(0);
}

if (!sizes.length) sizes.push(10, 50, 200);
const rows = [];
for (const n of sizes) {
  const row = await trial(n);
  rows.push(row);
  const last = row.lastRouteMs === null ? '' : `  last route ${(row.lastRouteMs / 1000).toFixed(2)} s`;
  console.log(`${runtime.padEnd(6)} ${String(n).padStart(4)} ${kind.padEnd(7)}  up ${(row.upMs / 1000).toFixed(2)} s${last}  down ${(row.downMs / 1000).toFixed(2)} s  RSS ${row.rssMb} MB (${row.rssPerNodeMb} MB/node)  steps ${JSON.stringify(row.steps)}`);
  console.log(`            processes started ${JSON.stringify(row.processes)}  children's CPU (ms) ${JSON.stringify(row.childCpuMs)}`);
}
mkdirSync('bench/out', { recursive: true });
writeFileSync(`bench/out/lab-scale-${runtime}${kind === 'hosts' ? '-hosts' : ''}.json`, `${JSON.stringify(rows, null, 2)}\n`);
