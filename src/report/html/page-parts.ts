/**
 * The report page's sections other than the drawings: the flow table, phases, captures, timings,
 * warnings and the node panels. Pure: model in, markup out.
 */
import { escapeXml as esc } from './escape.js';
import type { DrawingModel, FlowRow, NodePanel, TimelineEvent } from './model-types.js';

export function flowTable(flows: FlowRow[]): string {
  if (!flows.length) return '';
  const rows = flows.map((f) => {
    const why = [
      f.result === 'delivered' && f.pass && !f.warnings.length ? '' : `<div>${esc(f.summary)}</div>`,
      ...f.mismatches.map((m) => `<div><b>! ${esc(m)}</b></div>`),
      ...f.warnings.map((w) => `<div class="warn">~ ${esc(w)}</div>`),
    ].join('');
    return `<tr data-flow-row="${esc(f.name)}"><td><b>${esc(f.name)}</b></td><td>${esc(f.from)} → ${esc(f.to)}</td><td>${esc(f.result)}${f.at ? ` at <b>${esc(f.at)}</b>` : ''}</td><td>${esc(f.expected)}</td><td class="${f.pass ? 'pass' : 'fail'}">${f.pass ? 'pass' : 'FAIL'}</td><td class="why">${why}</td></tr>`;
  });
  return `<table class="flows"><thead><tr><th>flow</th><th>from → to</th><th>result</th><th>expected</th><th>check</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * Only flows that carry phases (long-lived flows) get a strip; no phases, no section. Each strip
 * is a timeline: one block per phase, as wide as it lasted, coloured by its result, its why on
 * hover; the run's events are listed under the strips with when they were due and ran.
 */
export function phasesSection(flows: FlowRow[], events: TimelineEvent[] = []): string {
  const withPhases = flows.filter((f) => f.phases?.length);
  if (!withPhases.length) return '';
  const strips = withPhases.map((f) => {
    const spans = f.phases!.map((p) => {
      const width = Math.max(1, Math.round((p.toMs ?? p.fromMs) - p.fromMs));
      const failover = p.failoverMs !== undefined ? ` (failover ${p.failoverMs} ms)` : '';
      return `<span class="${esc(p.result ?? '')}" style="flex:${width} 1 0" title="${esc(p.note ?? '')}">${esc(p.name)} +${Math.round(p.fromMs)}${p.toMs !== undefined ? `–${Math.round(p.toMs)}` : ''} ms${esc(failover)}</span>`;
    });
    const findings = f.findings?.length ? `<ul class="findings">${f.findings.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : '';
    return `<div data-flow="${esc(f.name)}"><b>${esc(f.name)}</b><div class="phases">${spans.join('')}</div>${findings}</div>`;
  });
  const list = events.length
    ? `<h3>Events</h3><ol class="events">${events
        .map((e) => `<li class="${e.ok ? '' : 'fail'}">+${Math.round(e.atMs)} ms${e.ranMs !== null ? ` (ran +${Math.round(e.ranMs)} ms)` : ' (not run)'}: ${esc(e.label)}${e.error ? ` <b>failed: ${esc(e.error)}</b>` : ''}</li>`)
        .join('')}</ol>`
    : '';
  return `<section id="phases"><h2>Phases</h2><p class="note">Each strip is one long-lived flow over time; a phase is a run of its packets that met the same fate. Hover a phase for why.</p>${strips.join('')}${list}</section>`;
}

function list(title: string, items: string[], empty: string): string {
  return `<h4>${esc(title)}</h4>${items.length ? `<ul>${items.map((i) => `<li><code>${esc(i)}</code></li>`).join('')}</ul>` : `<div class="note">${esc(empty)}</div>`}`;
}

export function nodePanel(p: NodePanel, mode: DrawingModel['mode']): string {
  const parts = [
    `<h3>${esc(p.node)} <span class="note">${esc(p.kind)}</span></h3>`,
    list('interfaces', [...p.ifaces.map((i) => `${i.name} ${i.addresses.join(', ') || '-'}`), ...p.loopbacks.map((a) => `lo ${a}`)], 'none'),
    p.config.length ? list('configured', p.config, '') : '',
  ];
  if (mode === 'report') {
    parts.push(
      list('conntrack', p.conntrack, p.keepsState ? 'no conntrack entry or event recorded' : 'keeps no connection state: no conntrack table read'),
      list('counters that moved', p.counters, 'none moved (or not recorded)'),
      list('routes after the flows', p.routes, 'not recorded'),
    );
  }
  return `<div class="panel" data-panel="${esc(p.node)}" hidden>${parts.join('')}</div>`;
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Captures (linked relative to report.html, which sits in the run folder), timings and warnings. */
export function listsSection(m: DrawingModel): string {
  const caps = m.captures.length
    ? `<ul>${m.captures.map((c) => `<li><a href="${esc(c.file)}">${esc(c.file)}</a> <span class="note">${esc(c.node)} ${esc(c.iface)}, ${size(c.bytes)}</span></li>`).join('')}</ul>`
    : '<div class="note">no capture files listed in report.json</div>';
  const timings = m.timings.length
    ? `<table><tbody>${m.timings.map((t) => `<tr><td>${esc(t.step)}</td><td>${t.ms < 1000 ? `${Math.round(t.ms)} ms` : `${(t.ms / 1000).toFixed(2)} s`}</td></tr>`).join('')}</tbody></table>`
    : '<div class="note">none</div>';
  const warnings = m.warnings.length ? `<ul>${m.warnings.map((w) => `<li class="warn">${esc(w)}</li>`).join('')}</ul>` : '<div class="note">none: no capture lost packets</div>';
  return `<section id="lists"><h2>Captures, timings, warnings</h2><div class="cols"><div><h4>capture files (open in Wireshark)</h4>${caps}</div><div><h4>timings (the steps of the run)</h4>${timings}</div><div><h4>capture loss and missing evidence</h4>${warnings}</div></div></section>`;
}
