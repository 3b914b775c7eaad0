/**
 * The analysis entry point: flows and the evidence of one run in, one verdict per flow out.
 * Pure: the parsers (parse-*.ts) turn tool output into RunEvidence beforehand.
 */
import type { Flow } from '../topology/types.js';
import { analysisLab } from './lab-index.js';
import { indexCaptures, trackConnection } from './track.js';
import type { FlowVerdict, RunEvidence } from './types.js';
import { flowVerdict } from './verdict.js';

export function analyse(flows: Flow[], evidence: RunEvidence): FlowVerdict[] {
  const lab = analysisLab(evidence);
  const index = indexCaptures(evidence, lab);
  return flows.map((flow) => {
    const records = evidence.connections.filter((c) => c.flow === flow.name).sort((a, b) => a.attempt - b.attempt);
    return flowVerdict(flow, records.map((r) => trackConnection(r, index)), evidence, lab);
  });
}
