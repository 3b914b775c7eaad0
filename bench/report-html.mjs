/**
 * report.html of a big lab in headless chromium: a synthetic report.json of N nodes (default 200: a
 * 10×10 grid of routers, and sites of a firewall with a host behind it hanging off the grid), 20
 * flows whose packets cross 5 to 20 hops, half of them dropped on an asymmetric return. Measures
 * making the page in Node, and in Debian's chromium (scripts/setup.sh --dev) the time from the
 * start of navigation until the topology is laid out and drawn. Best and median of 5 loads, each
 * in a fresh tab. Needs `npm run build` first.
 *
 *   npm run build && node bench/report-html.mjs [NODES]
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { syntheticReport } from './lib/synthetic-report.mjs';

const { reportHtml } = await import('asymlab').catch(() => {
  console.error('bench/report-html.mjs imports the built package: run `npm run build` first');
  process.exit(2);
});
const { chromium } = await import('playwright-core').catch(() => {
  console.error('bench/report-html.mjs needs playwright-core (npm ci)');
  process.exit(2);
});
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error('bench/report-html.mjs needs Debian chromium: sudo ./scripts/setup.sh --dev');
  process.exit(3);
}

const NODES = Number(process.argv[2] ?? 200);
const LOADS = 5;
const dir = mkdtempSync(join(tmpdir(), 'asymlab-report-bench-'));
const report = syntheticReport(NODES, 20);
const t0 = performance.now();
const html = reportHtml(report);
const makeMs = performance.now() - t0;
const file = join(dir, 'report.html');
writeFileSync(file, html);

const profile = join(dir, 'profile');
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1400, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const loads = [];
try {
  for (let i = 0; i < LOADS; i++) {
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const w0 = performance.now();
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('html[data-rendered-at-ms]', { timeout: 60_000 });
    const wallMs = performance.now() - w0;
    const [atMs, scriptMs, nodes] = await page.evaluate(() => [
      Number(document.documentElement.getAttribute('data-rendered-at-ms')),
      Number(document.documentElement.getAttribute('data-rendered-ms')),
      document.querySelectorAll('.topology .node').length,
    ]);
    if (errors.length || nodes !== report.topology.nodes.length) throw new Error(`bad render: ${nodes} nodes drawn, errors: ${errors.join('; ')}`);
    loads.push({ atMs, scriptMs, wallMs });
    await page.close();
  }
} finally {
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
}
const by = (k) => loads.map((l) => l[k]).sort((a, b) => a - b);
const fmt = (k) => `best ${by(k)[0].toFixed(0)} ms, median ${by(k)[Math.floor(LOADS / 2)].toFixed(0)} ms`;
console.log(`report.html of ${NODES} nodes, ${report.topology.links.length} links, ${report.flows.length} flows: ${(html.length / 1024).toFixed(0)} KiB, made in ${makeMs.toFixed(0)} ms`);
console.log(`navigation start → topology drawn: ${fmt('atMs')} (goal: under 3000 ms)`);
console.log(`  of which layout + drawing script: ${fmt('scriptMs')}`);
console.log(`  page.goto until drawn, seen from Node: ${fmt('wallMs')}`);
