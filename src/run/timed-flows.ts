/**
 * A timed run: flows and events on one clock. Every flow's agent is started first and says when it
 * is ready; then time 0 is taken and each agent is told to go (SIGUSR1, to its own PID, which `ip
 * netns exec` hands on to the agent), and the events run at their times. A flow with start-ms
 * waits that long; a long-lived flow keeps one session for its duration. The run ends when every
 * agent has printed its records, bounded by the longest flow plus a margin. An event that fails
 * stops every agent and rethrows (EventFailure): what ran is in its records.
 */
import type { ConnectionRecord, EventRecord, Timeline } from '../analysis/types.js';
import { LabError } from '../errors.js';
import { flowSpan } from '../events/validate-events.js';
import { runEvents } from '../events/schedule.js';
import type { LabPlan, NodePlan } from '../plan/plan.js';
import { DEFAULT_PROTOCOL, protocolOfFlow } from '../protocols/registry.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Flow, Lab } from '../topology/types.js';
import { AGENT, flowArgv } from '../traffic/flows.js';
import type { Background } from '../util/exec.js';

/** Whether a lab needs the shared clock: events, or a flow that starts later or lives long. */
export function isTimed(lab: Lab): boolean {
  return (lab.events?.length ?? 0) > 0 || lab.flows.some((f) => f.startMs !== undefined || f.durationMs !== undefined);
}

/** The agent's command line of flow k in a timed run: the flow's own, plus go, start and session. Pure. */
export function timedArgv(f: Flow, k: number): string[] {
  return [
    ...flowArgv(f, k),
    '--await-go=1',
    ...(f.startMs !== undefined ? [`--start-ms=${f.startMs}`] : []),
    ...(f.durationMs !== undefined ? [`--duration-ms=${f.durationMs}`, `--interval-ms=${f.intervalMs ?? 100}`] : []),
  ];
}

/** How long an agent may take, from time 0: its span, a last echo's wait, and a margin for slow machines. */
export function agentBudgetMs(f: Flow): number {
  const { toMs } = flowSpan(f);
  return f.durationMs !== undefined ? toMs + f.timeoutMs + 10_000 : (f.startMs ?? 0) + f.count * (f.timeoutMs + 2000) + 10_000;
}

interface Agent {
  flow: Flow;
  node: NodePlan;
  bg: Background;
  out: string;
}

function nodeOf(plan: LabPlan, name: string): NodePlan {
  const n = plan.nodes.find((x) => x.node.name === name);
  if (!n) throw new LabError('input', `flow names node '${name}', which is not in lab '${plan.lab.name}'`);
  return n;
}

async function waitReady(agents: Agent[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const exited = new Set<Agent>();
  for (const a of agents) void a.bg.exited.then(() => exited.add(a));
  for (;;) {
    const late = agents.filter((a) => !/"ready":true/.test(a.out));
    if (!late.length) return;
    const dead = late.find((a) => exited.has(a));
    if (dead) throw new LabError('runtime', `the agent of flow '${dead.flow.name}' on ${dead.flow.from} exited before it was ready: ${(await dead.bg.exited).stderr.trim().slice(-300)}`);
    if (Date.now() > deadline) throw new LabError('timeout', `the agents of flows ${late.map((a) => `'${a.flow.name}'`).join(', ')} were not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function routeSource(runtime: Runtime, n: NodePlan, dst: string): Promise<string | undefined> {
  const r = await runtime.exec(n, ['ip', '-j', 'route', 'get', dst], { context: 'net', reject: false });
  try {
    return (JSON.parse(r.stdout) as { prefsrc?: string }[])[0]?.prefsrc;
  } catch {
    return undefined;
  }
}

async function recordsOf(runtime: Runtime, a: Agent): Promise<ConnectionRecord[]> {
  const f = a.flow;
  const protocol = protocolOfFlow(f).name;
  const named = protocol === DEFAULT_PROTOCOL ? {} : { protocol };
  const lines = a.out.split('\n').filter((l) => l.startsWith('{') && l.includes('"flow"'));
  const recs = lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Omit<ConnectionRecord, 'client' | 'server'>];
    } catch {
      return [];
    }
  });
  const src = recs.some((c) => !c.srcAddress) ? (f.source ?? (await routeSource(runtime, a.node, f.toAddress))) : undefined;
  return recs.map((c) => ({ ...c, ...named, srcAddress: c.srcAddress ? c.srcAddress.replace(/^::ffff:/, '') : (src ?? ''), client: f.from, server: f.server }));
}

export interface TimedRun {
  connections: ConnectionRecord[];
  timeline: Timeline;
}

/**
 * Runs the lab's flows and events on one clock. `onEvents` gets the event records as soon as they
 * are known, also when an event fails (to keep them in the run folder).
 */
export async function runTimedFlows(plan: LabPlan, runtime: Runtime, opts: { signal?: AbortSignal; readyTimeoutMs?: number; onEvents?: (t: Timeline) => Promise<void> } = {}): Promise<TimedRun> {
  const lab = plan.lab;
  const agents: Agent[] = [];
  const stopAll = () => Promise.all(agents.map((a) => a.bg.stop()));
  try {
    lab.flows.forEach((flow, k) => {
      const node = nodeOf(plan, flow.from);
      const bg = runtime.spawn(node, [process.execPath, AGENT, ...timedArgv(flow, k)], { captureStdout: true });
      const a: Agent = { flow, node, bg, out: '' };
      bg.child.stdout?.on('data', (d: Buffer | string) => (a.out += d.toString()));
      agents.push(a);
    });
    await waitReady(agents, opts.readyTimeoutMs ?? 20_000);
  } catch (e) {
    await stopAll();
    throw e;
  }
  const t0Ms = Date.now();
  for (const a of agents) a.bg.child.kill('SIGUSR1');
  let events: EventRecord[] = [];
  const finished = Promise.all(
    agents.map(async (a) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), agentBudgetMs(a.flow))));
      const r = await Promise.race([a.bg.exited, late]);
      clearTimeout(timer);
      if (r === 'late') await a.bg.stop();
    }),
  );
  try {
    events = await runEvents(plan, runtime, lab.events ?? [], t0Ms, opts.signal);
    await opts.onEvents?.({ t0: t0Ms / 1000, events });
  } catch (e) {
    const records = (e as { records?: EventRecord[] }).records;
    if (records) await opts.onEvents?.({ t0: t0Ms / 1000, events: records });
    await stopAll();
    throw e;
  }
  await finished;
  const connections = (await Promise.all(agents.map((a) => recordsOf(runtime, a)))).flat();
  return { connections, timeline: { t0: t0Ms / 1000, events } };
}
