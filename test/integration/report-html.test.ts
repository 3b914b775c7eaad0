/**
 * report.html of a real run, opened in Debian's headless chromium from file://: it loads with no
 * console error and no request but its own, draws every node and each flow's paths, puts the drop
 * mark on the node the verdict names, filters by flow, opens a node's evidence, and its
 * screenshot (kept in the run folder as report.png) is a real picture.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, formatTable, type Report } from '../../src/report/report.js';
import { readRunExtras, writeRunReports } from '../../src/report/run-folder.js';
import { runLab } from '../../src/run/run-lab.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { canBuildLabs, labFile, leftovers, whyNoLabs } from '../helpers/machine.js';

const out = mkdtempSync(join(tmpdir(), 'asymlab-report-html-'));
const ready = canBuildLabs && hasChromium;
const why = !canBuildLabs ? whyNoLabs : 'no /usr/bin/chromium (scripts/setup.sh --dev)';

describe.skipIf(!ready)(`report.html in a real browser${ready ? '' : ` — skipped: ${why}`}`, () => {
  const dir = join(out, 'asym');
  let report: Report;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const requests: string[] = [];
  const errors: string[] = [];
  const url = pathToFileURL(join(dir, 'report.html')).href;

  beforeAll(async () => {
    const lab = await labFile('labs/basic/asymmetric.yaml', 'h7-report-html');
    // A second flow, delivered, so the filter has something to hide.
    lab.flows.push({ name: 'local', from: 'core', toAddress: '10.9.0.10', toPort: 8080, server: 'server', count: 1, timeoutMs: 1500, trace: false });
    const r = await runLab(lab, { outDir: dir });
    expect(leftovers('h7-report-html')).toEqual([]);
    report = buildReport({ lab: lab.name, file: lab.file, runtime: lab.runtime, startedAt: new Date().toISOString(), durationMs: 0, timings: r.timings }, r.verdicts, r.traces, await readRunExtras(dir, lab));
    await writeRunReports(dir, report, formatTable(r.verdicts, r.traces));
    browser = await launchChromium();
    page = await browser.ctx.newPage();
    page.on('request', (q) => requests.push(q.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(url);
    await page.waitForSelector('#topology-svg svg.topology', { timeout: 30_000 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('the run gave the verdicts the drawing is checked against', () => {
    expect(report.flows.map((f) => [f.name, f.result, f.at])).toEqual([
      ['web', 'dropped', 'fw-b'],
      ['local', 'delivered', null],
    ]);
    expect(report.topology?.nodes).toHaveLength(6);
  });

  it('loads from file:// with no console error and no request but the page itself', () => {
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
  });

  it('the SVG has every node, and each flow’s forward and return paths hop by hop', async () => {
    const nodes = await page.$$eval('.topology .node', (els) => els.map((e) => e.getAttribute('data-node')));
    expect(nodes.sort()).toEqual(report.topology!.nodes.map((n) => n.name).sort());
    for (const f of report.flows) {
      const hops = await page.$$eval(`.topology .flow-path[data-flow="${f.name}"] .hop`, (els) =>
        els.map((e) => ({ dir: e.classList.contains('forward') ? 'forward' : 'return', from: e.getAttribute('data-from'), to: e.getAttribute('data-to') })),
      );
      const walk = (dir: string) => {
        const h = hops.filter((x) => x.dir === dir);
        return h.length ? [h[0].from, ...h.map((x) => x.to)] : [];
      };
      expect(walk('forward')).toEqual(f.path);
      expect(walk('return')).toEqual(f.returnPath);
    }
  });

  it('the drop mark sits on the node the verdict names, and says why', async () => {
    const web = report.flows.find((f) => f.name === 'web')!;
    const mark = await page.locator('.topology .drop[data-flow="web"] .mark circle').boundingBox();
    const node = await page.locator(`.topology .node[data-node="${web.at}"] rect`).first().boundingBox();
    expect(mark && node).toBeTruthy();
    const [cx, cy] = [mark!.x + mark!.width / 2, mark!.y + mark!.height / 2];
    expect(cx).toBeGreaterThanOrEqual(node!.x - 1.5);
    expect(cx).toBeLessThanOrEqual(node!.x + node!.width + 1.5);
    expect(cy).toBeGreaterThanOrEqual(node!.y - 1.5);
    expect(cy).toBeLessThanOrEqual(node!.y + node!.height + 1.5);
    expect(await page.locator('.topology .drop[data-flow="web"] .cause').textContent()).toContain(web.summary.slice(0, 40));
    expect(await page.locator('.topology .drop').count()).toBe(1);
  });

  it('filtering by flow hides the others, and "all flows" shows them again', async () => {
    await page.selectOption('#flow-filter', 'web');
    expect(await page.locator('.topology .flow-path[data-flow="web"]').isVisible()).toBe(true);
    expect(await page.locator('.topology .flow-path[data-flow="local"]').isVisible()).toBe(false);
    expect(await page.locator('figure[data-flow="local"]').isVisible()).toBe(false);
    expect(await page.locator('figure[data-flow="web"]').first().isVisible()).toBe(true);
    expect(new URL(page.url()).hash).toBe('#flow=web');
    await page.selectOption('#flow-filter', '');
    expect(await page.locator('.topology .flow-path[data-flow="local"]').isVisible()).toBe(true);
  });

  it('a click on a node opens its evidence: the counter of the rule that dropped', async () => {
    await page.locator('.topology .node[data-node="fw-b"]').click();
    const panel = page.locator('[data-panel="fw-b"]');
    expect(await panel.isVisible()).toBe(true);
    expect(await panel.textContent()).toMatch(/filter\/FORWARD rule 2: \d+→\d+/);
    expect(await page.locator('[data-panel="fw-a"]').isVisible()).toBe(false);
    await page.locator('.topology .node[data-node="fw-b"]').click();
    expect(await panel.isVisible()).toBe(false);
  });

  it('a screenshot, saved in the run folder, is a real picture', async () => {
    const png = join(dir, 'report.png');
    await page.screenshot({ path: png });
    expect(statSync(png).size).toBeGreaterThan(20_000);
    // Decoded by the browser itself: enough distinct colours and enough ink that it is no blank page.
    const b64 = (await readFile(png)).toString('base64');
    const check = await browser.ctx.newPage();
    await check.setContent('<canvas id="c"></canvas>');
    const stats = await check.evaluate(async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const c = document.getElementById('c') as HTMLCanvasElement;
      [c.width, c.height] = [img.width, img.height];
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      const colours = new Set<number>();
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) {
        colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        if (d[i] + d[i + 1] + d[i + 2] < 600) ink++;
      }
      return { width: c.width, height: c.height, colours: colours.size, inkShare: ink / (d.length / 4) };
    }, `data:image/png;base64,${b64}`);
    await check.close();
    expect(stats).toMatchObject({ width: 1400, height: 900 });
    expect(stats.colours).toBeGreaterThan(50);
    expect(stats.inkShare).toBeGreaterThan(0.01);
  });
});
