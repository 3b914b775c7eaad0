/**
 * The analysis entry point: flows and the evidence of one run in, one verdict per flow out.
 * Pure: the parsers (parse-*.ts) turn tool output into RunEvidence beforehand. A long-lived flow
 * gets its phases (session-verdict.ts); one whose session sent nothing falls back to the verdict
 * of its one connection.
 */
import type { Flow } from '../topology/types.js';
import { analysisLab } from './lab-index.js';
import { newConnectionFindings } from './new-connections.js';
import { sessionVerdict } from './session-verdict.js';
import { indexCaptures, trackConnection } from './track.js';
import type { FlowVerdict, RunEvidence } from './types.js';
import { flowVerdict, formatTo } from './verdict.js';

export function analyse(flows: Flow[], evidence: RunEvidence): FlowVerdict[] {
  const lab = analysisLab(evidence);
  const index = indexCaptures(evidence, lab);
  const verdicts = flows.map((flow) => {
    const records = evidence.connections.filter((c) => c.flow === flow.name).sort((a, b) => a.attempt - b.attempt);
    const tracks = records.map((r) => trackConnection(r, index));
    const session = flow.durationMs !== undefined && tracks.length === 1 ? sessionVerdict(flow, tracks[0], evidence, lab, formatTo(flow)) : undefined;
    return session ?? flowVerdict(flow, tracks, evidence, lab);
  });
  newConnectionFindings(flows, verdicts, evidence.timeline);
  return verdicts;
}
