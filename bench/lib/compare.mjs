/**
 * asymlab, Mininet and the floor on the same chains, alternately (A B C A B C ...), each trial in a
 * process of its own so none inherits another's warm caches or heap. Prints the medians per tool and
 * the median of the per-round ratios (a round's trials ran minutes apart at most, under the same
 * load), and writes bench/out/compare.json with every trial and the machine it ran on.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bench = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_CASES = [
  ['routers', 10],
  ['routers', 50],
  ['routers', 200],
  ['hosts', 200],
  ['hosts', 500],
];
const TOOLS = {
  asymlab: (kind, n, prefix) => [join(bench, 'lab-scale.mjs'), '--trial', String(n), ...(kind === 'hosts' ? ['--hosts'] : []), '--name', prefix],
  mininet: (kind, n, prefix) => [join(bench, 'peers', 'run.mjs'), kind, String(n), '--name', prefix],
  floor: (kind, n, prefix) => [join(bench, 'floor', 'run.mjs'), kind, String(n), '--name', prefix],
};
const PAIRS = [
  ['asymlab', 'floor'],
  ['asymlab', 'mininet'],
  ['mininet', 'floor'],
];
const METRICS = { upMs: 'up (settled)', lastRouteMs: 'last route', downMs: 'down' };

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (!s.length) return undefined;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function trial(tool, kind, n, prefix) {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, TOOLS[tool](kind, n, prefix), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error();
        resolve(JSON.parse(line));
      } catch {
        resolve({ tool, kind, n, error: `exit ${code}: ${(err || out).trim().slice(-600)}` });
      }
    });
  });
}

/** The machine beside the figures: cores, CPU, VM, load, and what one spawn from Node costs here. */
function machine() {
  const sh = (cmd, argv) => {
    try {
      return execFileSync(cmd, argv, { encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  };
  const spawnCost = sh(process.execPath, [join(bench, 'spawn-cost.mjs'), '200']);
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    vm: sh('systemd-detect-virt', ['--vm']),
    container: sh('systemd-detect-virt', ['--container']),
    kernel: sh('uname', ['-r']),
    node: process.version,
    frr: sh('dpkg-query', ['-W', '-f=${Version}', 'frr']),
    mininet: sh('dpkg-query', ['-W', '-f=${Version}', 'mininet']),
    iproute2: sh('ip', ['-V']),
    spawnTrueMs: Number(/median ([\d.]+) ms/.exec(spawnCost ?? '')?.[1]),
  };
}

/** Our own leftovers after a trial: namespaces, FRR folders and processes whose names carry the prefix. */
function leftovers(prefix) {
  const names = [];
  const mine = (e) => e.startsWith(`${prefix}-`) || e.startsWith(`asymlab_${prefix}-`);
  for (const d of ['/var/run/netns', '/etc/frr', '/var/run/frr']) {
    try {
      for (const e of readdirSync(d)) if (mine(e)) names.push(`${d}/${e}`);
    } catch {
      /* none */
    }
  }
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => mine(a) || a.startsWith('mininet:'))) names.push(`pid ${p}: ${argv.join(' ').trim()}`);
    } catch {
      /* exited */
    }
  }
  return names;
}

const fmt = (ms) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
const fmtRatio = (r) => (r === undefined ? '-' : `${r.toFixed(2)}x`);

export async function compare({ prefix, rounds = 2, cases = DEFAULT_CASES }) {
  const info = { ...machine(), loadStart: loadavg().map((x) => +x.toFixed(2)), started: new Date().toISOString() };
  console.log(`machine: ${JSON.stringify(info)}`);
  const trials = [];
  const summary = [];
  for (const [kind, n] of cases) {
    for (let round = 1; round <= rounds; round++) {
      for (const tool of Object.keys(TOOLS)) {
        const load = loadavg()[0];
        const t = { ...(await trial(tool, kind, n, prefix)), round, load1: +load.toFixed(2) };
        trials.push(t);
        const left = leftovers(prefix);
        if (left.length) t.leftovers = left;
        console.log(`${kind} ${n} round ${round} ${tool.padEnd(7)} ${t.error ? `FAILED ${t.error}` : `up ${fmt(t.upMs)}${t.lastRouteMs != null ? `  last route ${fmt(t.lastRouteMs)}` : ''}  down ${fmt(t.downMs)}`}  (load ${t.load1})${left.length ? `  LEFT: ${left.join(', ')}` : ''}`);
        if (left.length) throw new Error(`trial left resources behind: ${left.join(', ')}`);
      }
    }
    const of = (tool, round) => trials.find((t) => t.tool === tool && t.kind === kind && t.n === n && t.round === round && !t.error);
    const row = { kind, n, medians: {}, ratios: {} };
    for (const metric of Object.keys(METRICS)) {
      row.medians[metric] = Object.fromEntries(Object.keys(TOOLS).map((tool) => [tool, median(trials.filter((t) => t.tool === tool && t.kind === kind && t.n === n && !t.error).map((t) => t[metric]))]));
      row.ratios[metric] = Object.fromEntries(
        PAIRS.map(([a, b]) => [`${a}/${b}`, median(Array.from({ length: rounds }, (_, i) => of(a, i + 1) && of(b, i + 1) && of(a, i + 1)[metric] / of(b, i + 1)[metric]))]),
      );
    }
    summary.push(row);
  }
  console.log(`\n${'case'.padEnd(13)}${'measure'.padEnd(14)}${['asymlab', 'mininet', 'floor'].map((x) => x.padStart(10)).join('')}${PAIRS.map(([a, b]) => `${a}/${b}`.padStart(17)).join('')}`);
  for (const row of summary) {
    for (const [metric, label] of Object.entries(METRICS)) {
      if (metric === 'lastRouteMs' && row.kind === 'hosts') continue;
      const m = row.medians[metric];
      console.log(`${`${row.kind} ${row.n}`.padEnd(13)}${label.padEnd(14)}${['asymlab', 'mininet', 'floor'].map((x) => fmt(m[x]).padStart(10)).join('')}${PAIRS.map(([a, b]) => fmtRatio(row.ratios[metric][`${a}/${b}`]).padStart(17)).join('')}`);
    }
  }
  info.loadEnd = loadavg().map((x) => +x.toFixed(2));
  mkdirSync(join(bench, 'out'), { recursive: true });
  writeFileSync(join(bench, 'out', 'compare.json'), `${JSON.stringify({ machine: info, rounds, summary, trials }, null, 2)}\n`);
}
