import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { analyse } from '../analysis/analyse.js';
import type { ConnectionRecord, FlowVerdict } from '../analysis/types.js';
import { startCaptures, stopCaptures, type CaptureStats } from '../capture/capture.js';
import { snapshotLab, stopConntrack, watchConntrack } from '../capture/snapshot.js';
import { LabError } from '../errors.js';
import { ignoreEvents, stepTimer, type EventSink } from '../lab/events.js';
import { attachLab, type AttachOptions } from '../lab/attach.js';
import { upLab, type StartedLab, type UpOptions } from '../lab/up.js';
import { readPcap } from '../pcap/read.js';
import type { Lab } from '../topology/types.js';
import { runFlows, startServers } from '../traffic/flows.js';
import { traceBoth, type TraceResult } from '../traffic/trace.js';
import { protocolOfFlow } from '../protocols/registry.js';
import { assembleEvidence } from './evidence.js';
import { checkEventCommands } from '../events/check-commands.js';
import type { Timeline } from '../analysis/types.js';
import { isTimed, runTimedFlows } from './timed-flows.js';

export interface RunOptions extends UpOptions {
  /** Output folder; default ./runs/<lab>-<timestamp>. */
  outDir?: string;
  /** Leave the lab up after the run (for `inspect` and `trace`). */
  keepUp?: boolean;
  /** Prove the flows on a lab containerlab deployed (src/lab/attach.ts): nothing is built or removed. */
  attach?: Pick<AttachOptions, 'via' | 'runtime'>;
}

export interface RunResult {
  lab: string;
  outDir: string;
  verdicts: FlowVerdict[];
  /** Traceroutes both ways of the flows marked `trace: true`. */
  traces: Record<string, TraceResult>;
  timings: Record<string, number>;
  pass: boolean;
}

export function defaultOutDir(lab: string, now = new Date()): string {
  return join('runs', `${lab}-${now.toISOString().replace(/[:.]/g, '-').replace(/Z$/, 'Z')}`);
}

/**
 * Sends a lab's flows on a started lab and proves what happened to them: echo servers, counters
 * before, every interface and NFLOG group captured, conntrack watched, the flows, counters and
 * tables after, then the pcaps are read and analysed. Everything lands in `outDir`.
 */
export async function proveFlows(started: StartedLab, outDir: string, emit: EventSink = ignoreEvents, signal?: AbortSignal): Promise<{ verdicts: FlowVerdict[]; timings: Record<string, number>; traces: Record<string, TraceResult> }> {
  const { plan, runtime } = started;
  const lab = plan.lab;
  const timings: Record<string, number> = {};
  const timed = stepTimer(emit, lab.name, timings, signal);
  await mkdir(join(outDir, 'evidence'), { recursive: true });
  // A timed run (events, start-ms, long-lived flows) shares one clock; its exec events' programs must exist before anything is sent.
  const clocked = isTimed(lab);
  if (lab.events?.length) await timed('check-events', () => checkEventCommands(plan, runtime));
  const servers = await timed('servers', () => startServers(plan, runtime, lab.flows));
  try {
    const before = await timed('counters', () => snapshotLab(plan, runtime, false));
    const jobs = await timed('capture', () => startCaptures(plan, runtime, join(outDir, 'captures'), { signal }), (j) => `${j.length} captures`);
    const watches = watchConntrack(plan, runtime);
    let connections: ConnectionRecord[] = [];
    let stats: CaptureStats[] = [];
    let ctEvents: { node: string; text: string }[] = [];
    let timeline: Timeline | undefined;
    const keepTimeline = (t: Timeline) => writeFile(join(outDir, 'evidence', 'timeline.json'), `${JSON.stringify(t, null, 2)}\n`);
    try {
      if (clocked) {
        const r = await timed('flows', () => runTimedFlows(plan, runtime, { signal, onEvents: keepTimeline }), (x) => `${x.connections.length} connections, ${x.timeline.events.length} events`);
        connections = r.connections;
        timeline = r.timeline;
      } else connections = await timed('flows', () => runFlows(plan, runtime, lab.flows), (c) => `${c.length} connections`);
      // Let the last packets reach the capture sockets before tcpdump is stopped.
      await new Promise((r) => setTimeout(r, 150));
    } finally {
      stats = await stopCaptures(jobs);
      ctEvents = await stopConntrack(watches);
    }
    const traced = lab.flows.filter((f) => f.trace);
    const traces: Record<string, TraceResult> = {};
    if (traced.length) {
      await timed('trace', async () => {
        // Probes of the flow's own protocol meet the rules the flow met.
        for (const f of traced) traces[f.name] = await traceBoth(plan, runtime, f.from, f.toAddress, { port: f.toPort || undefined, server: f.server, source: f.source, proto: protocolOfFlow(f).name });
      }, () => `${traced.length} flows both ways`);
    }
    const after = await timed('tables', () => snapshotLab(plan, runtime, true));
    const captures = await timed('read', () =>
      Promise.all(
        stats.map(async (s) => {
          try {
            return { stats: s, pcap: await readPcap(s.file) };
          } catch (e) {
            return { stats: s, readError: e instanceof Error ? e.message : String(e) };
          }
        }),
      ),
    );
    const evidence = { ...assembleEvidence({ plan, captures, before, after, conntrackEvents: ctEvents, connections }), ...(timeline ? { timeline } : {}) };
    const verdicts = await timed('analyse', async () => analyse(lab.flows, evidence));
    await writeFile(join(outDir, 'evidence', 'connections.jsonl'), connections.map((c) => JSON.stringify(c)).join('\n') + '\n');
    for (const s of [...before.map((x) => ({ ...x, when: 'before' })), ...after.map((x) => ({ ...x, when: 'after' }))]) {
      await writeFile(join(outDir, 'evidence', `${s.node}-${s.when}.json`), JSON.stringify(s, null, 2));
    }
    for (const e of ctEvents) await writeFile(join(outDir, 'evidence', `${e.node}-conntrack-events.txt`), e.text);
    return { verdicts, timings, traces };
  } finally {
    await servers.stop();
  }
}

/** `asymlab run`: up, converge, flows, capture, analyse, down. The lab is removed whatever happens, unless keepUp. */
export async function runLab(lab: Lab, opts: RunOptions = {}): Promise<RunResult> {
  if (lab.flows.length === 0) throw new LabError('input', `${lab.file}: flows: the lab has no flows to run`, { hint: 'add flows: (see docs/lab-format.md), or use `asymlab up`' });
  const emit = opts.emit ?? ignoreEvents;
  const outDir = opts.outDir ?? defaultOutDir(lab.name);
  const started = opts.attach ? await attachLab(lab, { ...opts, ...opts.attach }) : await upLab(lab, opts);
  let ok = false;
  try {
    opts.signal?.throwIfAborted();
    const { verdicts, timings, traces } = await proveFlows(started, outDir, emit, opts.signal);
    ok = true;
    return { lab: lab.name, outDir, verdicts, traces, timings: { ...started.timings, ...timings }, pass: verdicts.every((v) => v.pass) };
  } catch (e) {
    // After Ctrl-C a child ended by the interrupt (tcpdump, a flow) fails in its own words: the failure is the interrupt's.
    if (opts.signal?.aborted) throw new LabError('interrupted', `interrupted: lab '${lab.name}' ${opts.attach ? 'left as found' : 'removed'}`, { cause: e });
    throw e;
  } finally {
    // An attached lab is never taken down: `down` removes what the run brought.
    if (!opts.keepUp || !ok || opts.attach) await started.down();
  }
}
