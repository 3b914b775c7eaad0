/**
 * report.json → the drawing model (model-types.ts): which nodes and links, which hops each flow's
 * paths take, where the drop marks go, the ladders, the lists and the node panels. Pure: the page
 * and its tests start from here.
 */
import type { FlowExpect, Lab } from '../../topology/types.js';
import { capabilitiesOfKind } from '../../kinds/registry.js';
import { reportTopology, type NodeEvidence, type ReportTopology } from '../report-extras.js';
import type { Report, ReportFlow } from '../report.js';
import { peersOf } from './copies.js';
import { laddersOf, LADDERS_PER_FLOW } from './ladder.js';
import type { DrawingModel, NodePanel, Phase, TimelineEvent, TopologyModel } from './model-types.js';
import { pathOverlay } from './paths.js';
import { topologyFromPackets, topologyFromReport } from './topology-model.js';

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export function expectText(e: FlowExpect | null | undefined): string {
  if (!e) return '-';
  const parts = [
    e.result && `${e.result}${e.at ? ` at ${e.at}` : ''}`,
    e.path && `path ${e.path.join(' > ')}`,
    e.returnPath && `return ${e.returnPath.join(' > ')}`,
    e.asymmetric !== undefined && (e.asymmetric ? 'asymmetric' : 'symmetric'),
  ];
  return parts.filter(Boolean).join('; ') || '-';
}

/** A long-lived flow's phases (revision 3), as the strip draws them; only when present. */
function phasesOf(f: ReportFlow): Phase[] | undefined {
  const p = (f as ReportFlow & { phases?: unknown }).phases;
  if (!Array.isArray(p)) return undefined;
  return (p as (Phase & { summary?: string })[]).map((x) => ({
    name: x.name,
    fromMs: x.fromMs,
    ...(x.toMs !== undefined ? { toMs: x.toMs } : {}),
    ...(x.note ?? x.summary ? { note: x.note ?? x.summary } : {}),
    ...(x.result ? { result: x.result } : {}),
    ...(x.failoverMs !== undefined ? { failoverMs: x.failoverMs } : {}),
  }));
}

function eventsOf(report: Report): TimelineEvent[] | undefined {
  return report.timeline?.events.map((e) => ({ index: e.index, label: e.label, atMs: e.atMs, ranMs: e.startedMs, ok: e.ok, ...(e.error ? { error: e.error } : {}) }));
}

function panelsOf(topo: TopologyModel, nodes: ReportTopology['nodes'], evidence: Record<string, NodeEvidence> | undefined): NodePanel[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  return topo.nodes.map((n) => {
    const e = evidence?.[n.id];
    const r = byName.get(n.id);
    return {
      node: n.id,
      kind: n.kind,
      keepsState: (r?.capabilities ?? capabilitiesOfKind(n.kind)).keepsState,
      ifaces: n.ifaces,
      loopbacks: n.loopbacks,
      config: r?.config ?? [],
      conntrack: e?.conntrack ?? [],
      counters: [
        ...(e?.counters ?? []).map((c) => `${c.family === 6 ? 'ip6 ' : ''}${c.table}/${c.chain} rule ${c.index}: ${c.before}→${c.after}  ${c.rule}`),
        ...(e?.kernel ?? []).map((k) => `${k.name}: ${k.before}→${k.after}`),
      ],
      routes: e?.routes ?? [],
    };
  });
}

export function drawingModel(report: Report, opts: { laddersPerFlow?: number } = {}): DrawingModel {
  const topology = report.topology ? topologyFromReport(report.topology, report.flows) : topologyFromPackets(report.flows);
  const peers = peersOf(topology.links);
  const ladders: DrawingModel['ladders'] = [];
  const laddersLeftOut: Record<string, number> = {};
  for (const f of report.flows) {
    const l = laddersOf(f, peers, opts.laddersPerFlow ?? LADDERS_PER_FLOW);
    ladders.push(...l.ladders);
    if (l.leftOut) laddersLeftOut[f.name] = l.leftOut;
  }
  const failed = report.flows.filter((f) => !f.pass).length;
  return {
    title: `${report.lab}: ${report.pass ? 'every flow as expected' : `${failed} of ${report.flows.length} flows missed their expect`}`,
    subtitle: `${report.file} · ${report.runtime} · started ${report.startedAt} · ${(report.durationMs / 1000).toFixed(1)} s`,
    mode: 'report',
    pass: report.pass,
    topology,
    paths: report.flows.map((f) => pathOverlay(f, topology, peers)),
    flows: report.flows.map((f) => {
      const phases = phasesOf(f);
      return {
        name: f.name,
        from: f.from,
        to: f.to,
        result: f.result,
        at: f.at,
        pass: f.pass,
        expected: expectText(f.expected),
        summary: f.summary,
        mismatches: f.mismatches,
        warnings: f.warnings,
        ...(phases ? { phases } : {}),
        ...(f.findings?.length ? { findings: f.findings } : {}),
      };
    }),
    ladders,
    laddersLeftOut,
    panels: panelsOf(topology, report.topology?.nodes ?? [], report.nodes),
    captures: report.captures ?? [],
    timings: Object.entries(report.timings).map(([step, ms]) => ({ step, ms })),
    warnings: [...new Set(report.flows.flatMap((f) => f.warnings))],
    ...(report.topology ? {} : { note: 'This report.json predates the topology section (revision 2): the drawing shows only the nodes and wires its packets crossed.' }),
    ...(report.timeline ? { events: eventsOf(report) } : {}),
  };
}

/** `asymlab graph`: the lab alone, drawn as a report's topology is. */
export function labModel(lab: Lab): DrawingModel {
  const topo = reportTopology(lab);
  const names = new Set(lab.nodes.map((n) => n.name));
  const topology: TopologyModel = { ...topologyFromReport(topo, []), roots: [...new Set(lab.flows.map((f) => f.from))].filter((n) => names.has(n)) };
  return {
    title: `${lab.name}: ${plural(lab.nodes.length, 'node')}, ${plural(lab.links.length, 'link')}, ${plural(lab.flows.length, 'flow')}`,
    subtitle: `${lab.file}${lab.description ? ` · ${lab.description}` : ''}`,
    mode: 'lab',
    pass: null,
    topology,
    paths: [],
    flows: [],
    ladders: [],
    laddersLeftOut: {},
    panels: panelsOf(topology, topo.nodes, undefined),
    captures: [],
    timings: [],
    warnings: [],
  };
}
