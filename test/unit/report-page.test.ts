/**
 * report.html and `asymlab graph` as text: self-contained (no fetch of any kind), the inlined
 * drawing functions run on their own, the phase hook draws only when there are phases, and the
 * `report` command's errors. The page in a real browser is test/integration/report-html.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { dagreScript, drawingScript } from '../../src/report/html/assets.js';
import { bootPage } from '../../src/report/html/boot.js';
import { topologySvg } from '../../src/report/html/draw-topology.js';
import { layoutTopology } from '../../src/report/html/layout.js';
import { drawingModel } from '../../src/report/html/model.js';
import { reportHtml } from '../../src/report/html/report-html.js';
import { nodeEvidence } from '../../src/report/report-extras.js';
import { listCaptures } from '../../src/report/run-folder.js';
import type { Report } from '../../src/report/report.js';

const fixture = resolve(import.meta.dirname, '../fixtures/report/er-return-via-internet.json');
const report = (): Report => JSON.parse(readFileSync(fixture, 'utf8')) as Report;
const tmp = mkdtempSync(join(tmpdir(), 'asymlab-report-page-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('report.html', () => {
  const html = reportHtml(report());

  it('loads nothing from anywhere: a CSP forbids it, and no tag points outside the file or the run folder', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+rel="stylesheet"/);
    expect(html).not.toMatch(/url\((?!#)/);
    for (const [, url] of html.matchAll(/(?:href|src)="([^"]*)"/g)) expect(url).toMatch(/^(#|data:|captures\/)/);
    expect(html).not.toContain('sourceMappingURL');
  });

  it('embeds the drawing model as JSON that a </script> inside the data cannot end early', () => {
    const r = report();
    r.flows[0].summary = 'a </script><script>alert(1)</script> in a summary';
    const page = reportHtml(r);
    const json = /<script type="application\/json" id="asymlab-model">([^]*?)<\/script>/.exec(page)![1];
    const data = JSON.parse(json);
    expect(data.paths[0].drop.cause).toBe('a </script><script>alert(1)</script> in a summary');
    expect(page).not.toContain('<script>alert(1)');
  });

  it('holds the flow table, a ladder per connection, the pcap links and timings; no phases section without phases', () => {
    expect(html.match(/<tr data-flow-row=/g)).toHaveLength(3);
    expect(html.match(/<figure data-flow=/g)).toHaveLength(3);
    expect(html).toContain('<a href="captures/fw-inet-nflog.pcap">');
    expect(html).toContain('<td>converge</td>');
    expect(html).not.toContain('id="phases"');
    const r = report();
    (r.flows[0] as unknown as { phases: unknown }).phases = [{ name: 'established', fromMs: 0, toMs: 1200 }, { name: 'failover', fromMs: 1200 }];
    expect(reportHtml(r)).toMatch(/id="phases"[^]*established \+0–1200 ms[^]*failover \+1200 ms/);
  });

  it('the inlined layout and drawing run on their own with the bundled dagre: every node and each flow’s path', () => {
    const m = drawingModel(report());
    const svg = vm.runInNewContext(
      `${dagreScript()}\n${layoutTopology.toString()}\n${topologySvg.toString()}\ntopologySvg(model.topology, layoutTopology(model.topology, dagre), model.paths)`,
      { model: JSON.parse(JSON.stringify(m)), structuredClone },
    ) as string;
    for (const n of m.topology.nodes) expect(svg).toContain(`data-node="${n.id}"`);
    for (const f of m.flows) expect(svg).toContain(`<g class="flow-path" data-flow="${f.name}">`);
    expect(svg.match(/<g class="drop" data-flow="[^"]+" data-node="fw-inet">/g)).toHaveLength(2);
    // The page's own script compiles as the page gets it.
    expect(() => new vm.Script(drawingScript())).not.toThrow();
    expect(bootPage.toString()).not.toMatch(/__vite|import\(/);
  });
});

describe('report.json revision 2 from the run folder', () => {
  it('node evidence: conntrack events and entries, counters that moved, routes', () => {
    const save = (n: number) => `*filter\n:FORWARD ACCEPT [0:0]\n[${n}:${n * 60}] -A FORWARD -m conntrack --ctstate INVALID -j NFLOG --nflog-prefix "asymlab:fw:FORWARD:1:invalid"\n[0:0] -A FORWARD -j ACCEPT\nCOMMIT\n`;
    const e = nodeEvidence({
      node: 'fw',
      before: { proc: 'Ip: Forwarding OutNoRoutes\nIp: 1 0\n', iptablesSave: save(0) },
      after: {
        proc: 'Ip: Forwarding OutNoRoutes\nIp: 1 3\n',
        iptablesSave: save(4),
        conntrack: 'tcp      6 431999 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 [ASSURED] mark=0 use=1\n',
        routesV4: '[{"dst":"default","gateway":"10.0.0.254","dev":"eth1","flags":[]}]',
      },
      conntrackEvents: '[1732446000.123456]\t    [NEW] tcp      6 120 SYN_SENT src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1\n',
    });
    expect(e.conntrack).toEqual([
      '[NEW] tcp SYN_SENT src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1',
      'tcp ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1',
    ]);
    expect(e.counters).toEqual([{ table: 'filter', chain: 'FORWARD', index: 1, rule: expect.stringContaining('--ctstate INVALID'), before: 0, after: 4 }]);
    expect(e.kernel).toEqual([{ name: 'Ip.OutNoRoutes', before: 0, after: 3 }]);
    expect(e.routes).toEqual(['default via 10.0.0.254 dev eth1']);
  });

  it('capture files are named by node even when node names hold dashes', async () => {
    const dir = join(tmp, 'run-caps');
    mkdirSync(join(dir, 'captures'), { recursive: true });
    for (const f of ['fw-a-eth1.pcap', 'fw-a-nflog.pcap', 'fw-eth2.pcap']) writeFileSync(join(dir, 'captures', f), 'x');
    expect(await listCaptures(dir, ['fw', 'fw-a'])).toEqual([
      { node: 'fw-a', iface: 'eth1', file: 'captures/fw-a-eth1.pcap', bytes: 1 },
      { node: 'fw-a', iface: 'nflog', file: 'captures/fw-a-nflog.pcap', bytes: 1 },
      { node: 'fw', iface: 'eth2', file: 'captures/fw-eth2.pcap', bytes: 1 },
    ]);
  });
});

describe('asymlab report RUN_DIR', () => {
  it('writes report.html from report.json and prints its path', async () => {
    const dir = join(tmp, 'run-ok');
    mkdirSync(dir);
    writeFileSync(join(dir, 'report.json'), readFileSync(fixture));
    const r = await cli('report', dir);
    expect(r).toMatchObject({ code: 0, out: `report: ${join(dir, 'report.html')}\n` });
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<title>er-return-via-internet: every flow as expected</title>');
  });

  it('a folder without report.json, and a report from a newer format, are each one clear input error', async () => {
    const empty = join(tmp, 'run-empty');
    mkdirSync(empty);
    const a = await cli('report', empty);
    expect(a.code).toBe(2);
    expect(a.err).toContain(`${empty} holds no report.json`);
    const newer = join(tmp, 'run-newer');
    mkdirSync(newer);
    writeFileSync(join(newer, 'report.json'), JSON.stringify({ ...report(), schema: 'asymlab.report/v3' }));
    const b = await cli('report', newer);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/report\.json: schema: asymlab\.report\/v3 is a newer format than this asymlab reads \(it reads asymlab\.report\/v1\)\n  hint: update asymlab/);
    writeFileSync(join(newer, 'report.json'), '{"hello": 1}');
    expect((await cli('report', newer)).err).toMatch(/not an asymlab report/);
    expect((await cli('report', join(tmp, 'nope'))).err).toMatch(/no run folder/);
  });
});

describe('asymlab graph LAB', () => {
  const lab = resolve(import.meta.dirname, '../../labs/basic/asymmetric.yaml');

  it('svg: the report’s drawing of every node and link, without building anything', async () => {
    const r = await cli('graph', lab, '--format', 'svg');
    expect(r.code).toBe(0);
    for (const n of ['client', 'edge', 'fw-a', 'fw-b', 'core', 'server']) expect(r.out).toContain(`data-node="${n}"`);
    expect(r.out.match(/<g class="link" /g)).toHaveLength(6);
    expect(r.out).toContain('<g class="node kind-firewall" data-node="fw-b"');
  });

  it('mermaid, dot and drawio name every node by kind and every link by its interfaces', async () => {
    const mm = (await cli('graph', lab, '-f', 'mermaid')).out;
    expect(mm).toMatch(/^graph LR\n/);
    expect(mm).toContain('{{"fw-b"}}');
    expect(mm).toContain('(("core"))');
    expect(mm).toMatch(/---\|"eth3 — eth1"\|/);
    const dot = (await cli('graph', lab, '-f', 'dot')).out;
    expect(dot).toContain('"edge" -- "fw-b" [taillabel="eth3", headlabel="eth1"];');
    const drawio = (await cli('graph', lab, '-f', 'drawio')).out;
    expect(drawio.match(/vertex="1" parent="1"/g)).toHaveLength(6);
    expect(drawio.match(/edge="1"/g)).toHaveLength(6);
  });

  it('html: the topology page, written to --out', async () => {
    const out = join(tmp, 'asym.html');
    const r = await cli('graph', lab, '--out', out);
    expect(r.code).toBe(0);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('<title>asym: 6 nodes, 6 links, 1 flow</title>');
    expect(page).not.toContain('id="ladders"');
  });

  it('an unknown format is an input error naming the formats', async () => {
    const r = await cli('graph', lab, '--format', 'png');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--format must be html, svg, mermaid, dot or drawio');
  });
});
