/** What the analysis layer offers: the entry point, the parsers for the raw evidence, and the pieces under them. */
export { analyse } from './analyse.js';
export { parseConntrack, parseConntrackLine } from './parse-conntrack.js';
export { kernelCounters, nodeRoutes, parseIpRouteJson, parseKernelCounters, parseRpFilter } from './parse-counters.js';
export { indexCaptures, trackConnection, trackConnections, type CaptureIndex, type ConnectionTrack, type IcmpSighting, type Observation } from './track.js';
export { tracePath, type TracedPath } from './trace-path.js';
export { connectionFinding, type ConnectionFinding } from './connection-verdict.js';
export { EXPLAINERS } from './explainers/list.js';
export type { DropExplainer, DropFinding, ExplainInput } from './explainers/explainer.js';
export { explainDrop, type DropContext, type DropSite } from './explain-drop.js';
export { flowVerdict, isAsymmetric } from './verdict.js';
export { checkExpectation } from './expect.js';
export { analysisLab, type AnalysisLab } from './lab-index.js';
export { lookupRoute } from './node-state.js';
export type * from './types.js';
