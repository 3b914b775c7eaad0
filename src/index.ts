/**
 * asymlab's public API: what bench/ and users import (`import { loadLab, runLab } from 'asymlab'`).
 * Everything else under dist/ is internal and may move.
 */
export { LabError, exitCodes, formatProblem, type InputProblem, type LabErrorKind } from './errors.js';

// The lab format
export { loadLab, loadLabWithWarnings, type LoadOptions, type LoadedLab } from './topology/load.js';
export type * from './topology/types.js';

// Building labs
export { planLab, type LabPlan, type NodePlan } from './plan/plan.js';
export { upLab, type StartedLab, type UpOptions } from './lab/up.js';
export { downLab, cleanAll } from './lab/down.js';
export { inspectLab, type NodeInspection } from './lab/inspect.js';
export { attachLab, type AttachOptions } from './lab/attach.js';

// Beyond one machine: containerlab and clabernetes (docs/scale-out.md)
export { exportLab, type LabExport, type ExportOptions } from './export/export-lab.js';
export { writeExport } from './export/write-export.js';
export type { EventSink, LabEvent } from './lab/events.js';
export { RUNTIMES, RUNTIME_NAMES, type RuntimeEntry } from './runtime/registry.js';
export { createRuntime } from './runtime/select.js';
export type { Runtime } from './runtime/runtime.js';
// The command runner: upLab and runLab take `run` and `spawn` options, so callers can wrap them (count, log, dry-run).
export { run, spawnBackground, type CommandResult, type Runner, type Spawner } from './util/exec.js';

// The proof
export { runLab, proveFlows, type RunOptions, type RunResult } from './run/run-lab.js';
export { PROTOCOLS } from './protocols/registry.js';
export { analyse } from './analysis/analyse.js';
export { EXPLAINERS } from './analysis/explainers/list.js';
export type { FlowVerdict } from './analysis/types.js';
export { traceBoth, formatTrace, type TraceResult } from './traffic/trace.js';

// Captures
export { readPcap, openPcap, decodePcap, iteratePackets, PacketReader } from './pcap/read.js';

// Reports
export { buildReport, formatTable, type Report } from './report/report.js';
export { junitXml } from './report/junit.js';
export { reportHtml } from './report/html/report-html.js';
