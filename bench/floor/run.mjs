#!/usr/bin/env node
// One floor trial: the chain built by floor.sh from asymlab's own renderings, watched like asymlab
// watches its routers (one `ip -n NS monitor route` each, listening before FRR starts).
//   node bench/floor/run.mjs routers|hosts N [--name PREFIX]
// Prints one JSON line: upMs (routers: settled by asymlab's rule), lastRouteMs, downMs. Needs root
// and `npm run build`. Namespaces are PREFIX-fN-<node> / PREFIX-fhN-<node>; all are removed.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listening } from '../../dist/lab/route-watch.js';
import { chainLab } from '../lib/chain-lab.mjs';
import { RouteClock } from '../lib/route-clock.mjs';
import { renderFloor } from './render.mjs';

const args = process.argv.slice(2);
const kind = args[0];
const n = Number(args[1]);
const prefix = args.includes('--name') ? args[args.indexOf('--name') + 1] : 'bench';
if (!['routers', 'hosts'].includes(kind) || !(n > 1)) throw new Error('usage: run.mjs routers|hosts N [--name PREFIX]');
const script = join(dirname(fileURLToPath(import.meta.url)), 'floor.sh');

const work = join(tmpdir(), 'asymlab-bench', `floor-${kind}-${n}`);
mkdirSync(work, { recursive: true });
const labFile = join(work, 'lab.yaml');
writeFileSync(labFile, chainLab(kind, n, `${prefix}-${kind === 'routers' ? '' : 'h'}${n}`));
const dir = join(work, 'floor');
const manifest = await renderFloor(labFile, `${prefix}-f${kind === 'routers' ? '' : 'h'}${n}`, dir);

const sh = (step) =>
  new Promise((resolve, reject) => {
    const c = spawn(script, [dir, step], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`floor.sh ${step}: exit ${code}: ${err.trim().slice(-500)}`))));
  });

const monitors = [];
const stopMonitors = () => {
  for (const m of monitors.splice(0)) m.kill('SIGTERM');
};
let downMs;
const out = { tool: 'floor', kind, n };
const t0 = performance.now();
try {
  await sh('net');
  if (manifest.routers) {
    const clock = new RouteClock({ expected: manifest.expected, all: manifest.all, routers: manifest.routers });
    for (const node of manifest.nodes.filter((x) => x.daemons)) {
      const m = spawn('ip', ['-n', node.ns, 'monitor', 'route'], { stdio: ['ignore', 'pipe', 'ignore'] });
      m.stdout.setEncoding('utf8').on('data', (d) => clock.chunk(node.name, d));
      monitors.push(m);
    }
    let waiting = [...monitors];
    while ((waiting = waiting.filter((m) => !listening(m.pid))).length) await new Promise((r) => setTimeout(r, 10));
    out.monitorsMs = Math.round(performance.now() - t0);
    await sh('frr');
    out.frrMs = Math.round(performance.now() - t0);
    const settledAt = await clock.waitSettled(120_000 + 500 * n);
    out.upMs = Math.round(settledAt - t0);
    out.lastRouteMs = clock.lastRouteAt === undefined ? null : Math.round(clock.lastRouteAt - t0);
    stopMonitors();
  } else {
    out.upMs = Math.round(performance.now() - t0);
  }
} finally {
  stopMonitors();
  const t1 = performance.now();
  await sh('down');
  downMs = Math.round(performance.now() - t1);
}
console.log(JSON.stringify({ ...out, downMs }));
