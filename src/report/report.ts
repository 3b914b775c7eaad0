import type { EventRecord, FlowVerdict } from '../analysis/types.js';
import type { TraceResult } from '../traffic/trace.js';
import type { NodeEvidence, ReportCapture, ReportTopology } from './report-extras.js';

/** The major format: a reader refuses a major it does not know (a rename or removal would bump it). */
export const REPORT_SCHEMA = 'asymlab.report/v1';
/**
 * Additive changes within the major: 2 added `topology`, `nodes` and `captures`; 3 added
 * `timeline` and, on long-lived flows, `phases`, `messages` and `findings`. A reader of an older
 * revision still reads a newer one (it ignores what it does not know).
 */
export const REPORT_REVISION = 3;

/**
 * report.json: the documented, stable shape (docs/report.md). Field names here are the contract;
 * add fields, never rename them.
 */
export interface Report {
  schema: typeof REPORT_SCHEMA;
  /** Absent in reports written before revision 2. */
  revision?: number;
  lab: string;
  file: string;
  runtime: string;
  startedAt: string;
  durationMs: number;
  pass: boolean;
  timings: Record<string, number>;
  flows: ReportFlow[];
  /** The lab as drawn: nodes by kind with their interfaces and addresses, and the links (revision 2). */
  topology?: ReportTopology;
  /** Per node, what its kernel showed: conntrack entries, counters that moved, routes (revision 2). */
  nodes?: Record<string, NodeEvidence>;
  /** The capture files in the run folder, relative to it (revision 2). */
  captures?: ReportCapture[];
  /** A timed run: time 0 and its events as they happened (revision 3). */
  timeline?: ReportTimeline;
}

/** The run's clock: time 0 and every event, with when it was due and when it ran, in ms after time 0. */
export interface ReportTimeline {
  /** Time 0, when the flows started (ISO 8601). */
  t0: string;
  events: (Omit<EventRecord, 'startedAt' | 'endedAt'> & { startedMs: number | null; endedMs: number | null })[];
}

/** What the run folder adds to the verdicts: all optional, so a report can be built from verdicts alone. */
export interface ReportExtras {
  topology?: ReportTopology;
  nodes?: Record<string, NodeEvidence>;
  captures?: ReportCapture[];
  timeline?: ReportTimeline;
}

export interface ReportFlow {
  name: string;
  from: string;
  to: string;
  result: FlowVerdict['result'];
  at: string | null;
  path: string[];
  returnPath: string[];
  asymmetric: boolean;
  expected: FlowVerdict['expected'] | null;
  pass: boolean;
  mismatches: string[];
  summary: string;
  drop: FlowVerdict['drop'] | null;
  warnings: string[];
  connections: FlowVerdict['connections'];
  packets: FlowVerdict['packets'];
  /** With `trace: true`: traceroute both ways, hops named by node and interface. */
  trace: TraceResult | null;
  /** The ICMP errors about the flow's packets, where each went and where it died; only when any was captured. */
  icmpErrors?: FlowVerdict['icmpErrors'];
  /** A long-lived flow: its phases, every message's outcome, and the findings across phases and flows (revision 3). */
  phases?: FlowVerdict['phases'];
  messages?: FlowVerdict['messages'];
  findings?: FlowVerdict['findings'];
}

export function buildReport(
  meta: Omit<Report, 'schema' | 'revision' | 'flows' | 'pass' | keyof ReportExtras>,
  verdicts: FlowVerdict[],
  traces: Record<string, TraceResult> = {},
  extras: ReportExtras = {},
): Report {
  return {
    schema: REPORT_SCHEMA,
    revision: REPORT_REVISION,
    ...meta,
    pass: verdicts.every((v) => v.pass),
    flows: verdicts.map((v) => ({
      name: v.name,
      from: v.from,
      to: v.to,
      result: v.result,
      at: v.at ?? null,
      path: v.path,
      returnPath: v.returnPath,
      asymmetric: v.asymmetric,
      expected: v.expected ?? null,
      pass: v.pass,
      mismatches: v.mismatches,
      summary: v.summary,
      drop: v.drop ?? null,
      warnings: v.warnings,
      connections: v.connections,
      packets: v.packets,
      trace: traces[v.name] ?? null,
      ...(v.icmpErrors ? { icmpErrors: v.icmpErrors } : {}),
      ...(v.phases ? { phases: v.phases } : {}),
      ...(v.messages ? { messages: v.messages } : {}),
      ...(v.findings?.length ? { findings: v.findings } : {}),
    })),
    ...(extras.topology ? { topology: extras.topology } : {}),
    ...(extras.nodes ? { nodes: extras.nodes } : {}),
    ...(extras.captures ? { captures: extras.captures } : {}),
    ...(extras.timeline ? { timeline: extras.timeline } : {}),
  };
}

function pad(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n);
}

/** The table `asymlab run` prints: one line per flow, then the why of each failure and drop. */
export function formatTable(verdicts: FlowVerdict[], traces: Record<string, TraceResult> = {}): string {
  const lines: string[] = [];
  const w = { name: Math.max(4, ...verdicts.map((v) => v.name.length)), result: Math.max(11, ...verdicts.map((v) => v.result.length)), at: Math.max(2, ...verdicts.map((v) => (v.at ?? '').length)) };
  lines.push(`${pad('FLOW', w.name)}  ${pad('RESULT', w.result)}  ${pad('AT', w.at)}  ASYM  CHECK  PATH / RETURN PATH`);
  for (const v of verdicts) {
    const paths = `${v.path.join(' > ') || '-'}${v.returnPath.length ? `  /  ${v.returnPath.join(' > ')}` : ''}`;
    lines.push(`${pad(v.name, w.name)}  ${pad(v.result, w.result)}  ${pad(v.at ?? '-', w.at)}  ${v.asymmetric ? 'yes ' : 'no  '}  ${v.pass ? 'pass ' : 'FAIL '}  ${paths}`);
  }
  const notes = verdicts.filter((v) => v.result !== 'delivered' || !v.pass || v.warnings.length || v.phases || v.findings?.length);
  if (notes.length) lines.push('');
  for (const v of notes) {
    lines.push(`${v.name}: ${v.summary}`);
    for (const f of v.drop?.facts ?? []) lines.push(`    - ${f}`);
    for (const p of v.phases ?? []) lines.push(`    | ${p.summary}`);
    for (const f of v.findings ?? []) lines.push(`    * ${f}`);
    for (const m of v.mismatches) lines.push(`    ! ${m}`);
    for (const m of v.warnings) lines.push(`    ~ ${m}`);
  }
  for (const [name, t] of Object.entries(traces)) lines.push('', `${name}: trace: ${t.verdict}`);
  return `${lines.join('\n')}\n`;
}
