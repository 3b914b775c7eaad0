/**
 * The lab as the analysis looks it up: the shared lab index (src/net/lab-index.ts: address and MAC
 * owners, links) over the LabView recorded with the run, plus which captures each node has.
 */
import { indexLab, type Endpoint, type LabIndex } from '../net/lab-index.js';
import type { CapturePoint, LabView, RunEvidence } from './types.js';

export type { Endpoint };

export interface AnalysisLab extends LabIndex<LabView['nodes'][number]> {
  lab: LabView;
  /** The name of the node an address is configured on (interfaces or loopbacks), if any. */
  addressOwner(address: string): string | undefined;
  /** Captures of one node, one per interface captured. */
  capturesOf(node: string): CapturePoint[];
  /** Captures that lost packets or could not be read in full. */
  lossy(cap: CapturePoint): boolean;
}

export function analysisLab(evidence: Pick<RunEvidence, 'lab' | 'captures'>): AnalysisLab {
  const { lab } = evidence;
  const index = indexLab(lab.nodes, lab.links.map((l) => [l.a, l.b] as const));
  const caps = new Map<string, CapturePoint[]>();
  for (const c of evidence.captures) caps.set(c.node, [...(caps.get(c.node) ?? []), c]);
  return {
    ...index,
    lab,
    addressOwner: (address) => index.ownerOf(address)?.node.name,
    capturesOf: (node) => caps.get(node) ?? [],
    lossy: (cap) => cap.droppedByKernel > 0 || cap.problem !== undefined,
  };
}
