/**
 * report.html: one self-contained file (inline CSS, scripts and SVG; a Content-Security-Policy that
 * forbids every fetch), readable from file:// and as a mail attachment. The topology is laid out
 * and drawn in the page by the bundled dagre and the same functions `asymlab graph` runs; the
 * ladders and lists are markup already, so they read even where scripts do not run.
 */
import type { Report } from '../report.js';
import { dagreScript, drawingScript, scriptSafe } from './assets.js';
import { LADDER_DEFS, ladderSvg } from './draw-ladder.js';
import { escapeXml as esc } from './escape.js';
import { drawingModel } from './model.js';
import type { DrawingModel } from './model-types.js';
import { PAGE_CSS } from './page-css.js';
import { flowTable, listsSection, nodePanel, phasesSection } from './page-parts.js';

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/** JSON inside <script type="application/json">: `<` escaped so no `</script>` can close it early. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function laddersSection(m: DrawingModel): string {
  if (m.mode !== 'report') return '';
  const figures = m.ladders.map(
    (l) => `<figure data-flow="${esc(l.flow)}"><figcaption>${esc(l.title)}</figcaption>${l.arrows.length ? ladderSvg(l, { defs: false }) : '<div class="note">no packet of this connection was captured</div>'}</figure>`,
  );
  const more = Object.entries(m.laddersLeftOut).map(
    ([flow, n]) => `<p class="note" data-flow="${esc(flow)}">${esc(flow)}: ${n} more connection${n === 1 ? '' : 's'} not drawn; their packets are in report.json.</p>`,
  );
  return `<section id="ladders"><h2>Ladder per connection</h2><p class="note">Time runs down; each arrow is one hop of one packet copy, blue forward, orange return; purple notes a NAT rewrite; a red cross is where a copy died, with its evidence. Click a column head for that node's evidence.</p>${figures.join('')}${more.join('')}</section>`;
}

export function pageHtml(m: DrawingModel): string {
  const badge = m.pass === null ? '' : `<span class="badge ${m.pass ? 'pass' : 'fail'}">${m.pass ? 'PASS' : 'FAIL'}</span>`;
  const filter = m.flows.length
    ? `<label>flow <select id="flow-filter"><option value="">all flows</option>${m.flows.map((f) => `<option value="${esc(f.name)}">${esc(f.name)} (${esc(f.result)})</option>`).join('')}</select></label>`
    : '';
  const nav = [
    filter,
    '<a href="#topology">topology</a>',
    m.flows.length ? '<a href="#flows">flows</a><a href="#ladders">ladders</a><a href="#lists">captures and timings</a>' : '',
  ].join('');
  const legend = m.mode === 'report'
    ? '<div class="legend"><span><i class="f"></i>forward path</span><span><i class="r"></i>return path</span><span><i class="x"></i>where it died, and why</span><span>hover for addresses; click a node for its evidence</span></div>'
    : '<div class="legend"><span>hover for addresses; click a node for its interfaces and configuration</span></div>';
  const data = jsonForScript({ topology: m.topology, paths: m.paths });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(m.title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header><h1>${esc(m.title)}${badge}</h1><div class="subtitle">${esc(m.subtitle)}</div></header>
<nav>${nav}</nav>
<svg width="0" height="0" style="position:absolute" aria-hidden="true">${LADDER_DEFS}</svg>
<main>
<section id="topology"><h2>${m.mode === 'report' ? 'Topology and paths' : 'Topology'}</h2>${legend}${m.note ? `<p class="note">${esc(m.note)}</p>` : ''}
<noscript><p class="note">The topology is laid out by a script in this page; the tables and ladders below need none.</p></noscript>
<div class="topo-wrap"><div id="topology-svg"></div><aside id="node-panel">${m.panels.map((p) => nodePanel(p, m.mode)).join('')}</aside></div></section>
${m.flows.length ? `<section id="flows"><h2>Flows</h2><p class="note">Click a flow to show it alone.</p>${flowTable(m.flows)}</section>` : ''}
${phasesSection(m.flows, m.events)}
${laddersSection(m)}
${m.mode === 'report' ? listsSection(m) : ''}
</main>
<script type="application/json" id="asymlab-model">${data}</script>
<script>${scriptSafe(dagreScript())}</script>
<script>${scriptSafe(drawingScript())}</script>
</body>
</html>
`;
}

export function reportHtml(report: Report): string {
  return pageHtml(drawingModel(report));
}
