import type { FlowVerdict } from '../analysis/types.js';
import type { TraceResult } from '../traffic/trace.js';

/**
 * report.json: the documented, stable shape (docs/report.md). Field names here are the contract;
 * add fields, never rename them.
 */
export interface Report {
  schema: 'asymlab.report/v1';
  lab: string;
  file: string;
  runtime: string;
  startedAt: string;
  durationMs: number;
  pass: boolean;
  timings: Record<string, number>;
  flows: ReportFlow[];
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
}

export function buildReport(meta: Omit<Report, 'schema' | 'flows' | 'pass'>, verdicts: FlowVerdict[], traces: Record<string, TraceResult> = {}): Report {
  return {
    schema: 'asymlab.report/v1',
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
    })),
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
  const notes = verdicts.filter((v) => v.result !== 'delivered' || !v.pass || v.warnings.length);
  if (notes.length) lines.push('');
  for (const v of notes) {
    lines.push(`${v.name}: ${v.summary}`);
    for (const f of v.drop?.facts ?? []) lines.push(`    - ${f}`);
    for (const m of v.mismatches) lines.push(`    ! ${m}`);
    for (const m of v.warnings) lines.push(`    ~ ${m}`);
  }
  for (const [name, t] of Object.entries(traces)) lines.push('', `${name}: trace: ${t.verdict}`);
  return `${lines.join('\n')}\n`;
}
