#!/usr/bin/env node
// A whole `asymlab run` of a lab, step by step: how long each step takes, the analysis included.
//   sudo node bench/run-lab.mjs [LAB] [--runtime netns|docker] [--times N]
// Default lab: the seed incident, labs/expressroute/er-return-via-internet/lab.yaml. Needs `npm run build`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLab, runLab } from 'asymlab';

const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const file = args.find((a, i) => !a.startsWith('--') && !['--runtime', '--times'].includes(args[i - 1])) ?? 'labs/expressroute/er-return-via-internet/lab.yaml';
const runtime = opt('--runtime', undefined);
const times = Number(opt('--times', 3));

const lab = await loadLab(file, { runtime });
const rows = [];
for (let i = 0; i < times; i++) {
  const out = mkdtempSync(join(tmpdir(), 'asymlab-bench-run-'));
  const t = performance.now();
  const r = await runLab(lab, { outDir: out });
  const total = performance.now() - t;
  rmSync(out, { recursive: true, force: true });
  rows.push({ ...r.timings, total });
  const pass = r.verdicts.filter((v) => v.pass).length;
  console.log(`${lab.name} on ${lab.runtime}: run ${(total / 1000).toFixed(2)} s (${pass}/${r.verdicts.length} flows as expected)  ` + Object.entries(r.timings).map(([k, v]) => `${k} ${Math.round(v)}`).join(', '));
}
const best = rows.reduce((a, b) => (a.total < b.total ? a : b));
console.log(`best of ${times}: ${(best.total / 1000).toFixed(2)} s; analyse ${Math.round(best.analyse)} ms, read ${Math.round(best.read)} ms`);
