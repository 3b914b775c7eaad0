/**
 * One flow's verdict from its connection attempts: the result (delivered only when every attempt
 * connected; otherwise the most common failure, and the summary says when attempts differ), the
 * forward and return paths, asymmetry, the drop and its evidence, the expectation check, and
 * warnings wherever the evidence is thin (lossy captures, missing packets).
 */
import type { Flow, FlowResult } from '../topology/types.js';
import { connectionFinding, type ConnectionFinding } from './connection-verdict.js';
import { checkExpectation } from './expect.js';
import type { AnalysisLab } from './lab-index.js';
import type { ConnectionTrack } from './track.js';
import type { FlowVerdict, RunEvidence } from './types.js';

/** Failure results in the order a tie between them is settled. */
const FAILURES: FlowResult[] = ['dropped', 'unreachable', 'ttl-exceeded', 'reset'];

const OUTCOME_WORDS: Record<string, string> = {
  connected: 'connected',
  refused: 'refused',
  timeout: 'timed out',
  unreachable: 'unreachable',
  'ttl-exceeded': 'TTL exceeded',
  error: 'failed',
};

/**
 * Transit nodes (all but the two ends) differ between the directions. When the return packet
 * died on the way, its partial path still proves asymmetry once it crossed a node the forward
 * path did not.
 */
export function isAsymmetric(path: string[], returnPath: string[]): boolean {
  if (path.length === 0 || returnPath.length === 0) return false;
  const client = path[0];
  const server = returnPath[0];
  const fwd = new Set(path.filter((n) => n !== client && n !== server));
  const ret = new Set(returnPath.filter((n) => n !== client && n !== server));
  const complete = path[path.length - 1] === server && returnPath[returnPath.length - 1] === client;
  if ([...ret].some((n) => !fwd.has(n))) return true;
  return complete && [...fwd].some((n) => !ret.has(n));
}

export function formatTo(flow: Flow): string {
  // toPort 0: a protocol without ports (ICMP) goes to an address alone.
  if (!flow.toPort) return flow.toAddress;
  return flow.toAddress.includes(':') ? `[${flow.toAddress}]:${flow.toPort}` : `${flow.toAddress}:${flow.toPort}`;
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

/** Lossy captures and NFLOG captures on the nodes the flow's packets touched, or next to them. */
export function lossWarnings(evidence: RunEvidence, lab: AnalysisLab, tracks: ConnectionTrack[], extra: string[]): string[] {
  const touched = new Set<string>(extra);
  for (const t of tracks) for (const p of t.traces) for (const s of p.sightings) touched.add(s.node);
  const near = new Set(touched);
  for (const n of touched) for (const c of lab.capturesOf(n)) near.add(lab.peer(c.node, c.iface)?.node ?? n);
  const out: string[] = [];
  for (const c of evidence.captures) {
    if (!near.has(c.node) || !lab.lossy(c)) continue;
    const what = c.problem ? `is incomplete (${c.problem})` : `lost ${c.droppedByKernel} packets`;
    out.push(`capture at ${c.node}:${c.iface} ${what}; the verdict does not rest on it`);
  }
  for (const c of evidence.nflog) {
    if (near.has(c.node) && c.droppedByKernel > 0) out.push(`NFLOG capture on ${c.node} lost ${c.droppedByKernel} records; a missing record there proves nothing`);
  }
  return out;
}

export function flowVerdict(flow: Flow, tracks: ConnectionTrack[], evidence: RunEvidence, lab: AnalysisLab): FlowVerdict {
  const to = formatTo(flow);
  const base = { name: flow.name, from: flow.from, to, ...(flow.expect ? { expected: flow.expect } : {}) };
  if (tracks.length === 0) {
    const summary = 'no connection attempt was recorded for this flow';
    return { ...base, result: 'dropped', path: [], returnPath: [], asymmetric: false, connections: [], packets: [], pass: false, mismatches: [summary], warnings: [summary], summary };
  }

  const findings = tracks.map((track) => connectionFinding({ evidence, lab, track }));
  const failed = findings.filter((f) => f.result !== 'delivered');
  let result: FlowResult = 'delivered';
  if (failed.length) {
    const counts = countBy(failed, (f) => f.result);
    result = FAILURES.reduce((best, r) => ((counts.get(r) ?? 0) > (counts.get(best) ?? 0) ? r : best), FAILURES.find((r) => counts.has(r))!);
  }
  const lead: ConnectionFinding = findings.find((f) => f.result === result)!;
  const path = lead.path.length ? lead.path : (findings.find((f) => f.path.length)?.path ?? []);
  const returnPath = lead.returnPath.length ? lead.returnPath : (findings.find((f) => f.returnPath.length)?.returnPath ?? []);
  const asymmetric = isAsymmetric(path, returnPath);

  const warnings = [...new Set([...findings.flatMap((f) => f.warnings), ...lossWarnings(evidence, lab, tracks, lead.at ? [lead.at, flow.from] : [flow.from])])];
  if (tracks.length !== flow.count) warnings.push(`${tracks.length} of the flow's ${flow.count} connections were recorded`);
  const byPath = new Map<string, number[]>();
  for (const f of findings) if (f.path.length) byPath.set(`[${f.path.join(', ')}]`, [...(byPath.get(`[${f.path.join(', ')}]`) ?? []), f.track.record.attempt]);
  if (byPath.size > 1) warnings.push(`attempts took different paths: ${[...byPath].map(([p, a]) => `${a.map((n) => `#${n}`).join(', ')} ${p}`).join('; ')}`);

  const n = findings.length;
  let summary: string;
  if (result === 'delivered') {
    summary = `delivered ${n}/${n}: ${path.join(' → ') || '(no packets captured)'}; return via ${returnPath.join(' → ') || '(no packets captured)'}${asymmetric ? ' (asymmetric)' : ''}`;
  } else {
    const same = findings.filter((f) => f.result === result).length;
    const outcomes = countBy(tracks, (t) => t.record.outcome);
    const mixed = outcomes.size > 1 ? `, outcomes differ: ${[...outcomes].map(([o, c]) => `${c} ${OUTCOME_WORDS[o] ?? o}`).join(', ')}` : '';
    summary = n === 1 ? lead.summary : `${result} ${same}/${n}${mixed}: ${lead.summary}`;
  }

  const at = lead.at;
  const mismatches = checkExpectation(flow.expect, { result, ...(at ? { at } : {}), path, returnPath, asymmetric });
  return {
    ...base,
    result,
    ...(at ? { at } : {}),
    path,
    returnPath,
    asymmetric,
    ...(lead.drop ? { drop: lead.drop } : {}),
    connections: tracks.map((t) => t.record),
    packets: tracks.flatMap((t) => t.traces),
    pass: mismatches.length === 0,
    mismatches,
    warnings,
    summary,
    ...(lead.icmpErrors ? { icmpErrors: lead.icmpErrors } : {}),
  };
}
