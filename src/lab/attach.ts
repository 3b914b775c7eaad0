/**
 * `asymlab run LAB --attach`: the proof on a lab that something else deployed (containerlab). The
 * lab file describes it; asymlab creates no node, link or address and removes none. It checks the
 * deployment has every node, interface and address the file names, reads the interfaces' MACs (the
 * analysis tells a frame's direction by them), waits until routing has converged, and hands a
 * StartedLab to the proof. `down()` removes what asymlab brought (echo servers, captures, the flow
 * agent where it was copied in), and only that.
 */
import { LabError } from '../errors.js';
import { planLab, type LabPlan, type NodePlan } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Lab } from '../topology/types.js';
import { isTimed } from '../run/timed-flows.js';
import { canonicalAddress, hostOf } from '../util/ip.js';
import { run as defaultRun, spawnBackground, type Runner, type Spawner } from '../util/exec.js';
import { waitForConvergence } from './converge.js';
import { ignoreEvents, mapLimit, stepTimer, type EventSink } from './events.js';
import { pollRoutes } from './route-poll.js';
import { watchRoutes, type RouteWatch } from './route-watch.js';
import type { StartedLab } from './up.js';

export type AttachVia = 'netns' | 'exec';
export const ATTACH_VIAS: readonly AttachVia[] = ['netns', 'exec'];

export interface AttachOptions {
  emit?: EventSink;
  signal?: AbortSignal;
  run?: Runner;
  spawn?: Spawner;
  /** How nodes are reached: host tools in their network namespaces (default), or only through docker exec. */
  via?: AttachVia;
  /** A runtime of the caller's (tests); else containerlab's containers are looked up by their labels. */
  runtime?: Runtime;
  convergeTimeoutMs?: number;
}

interface LinkInfo {
  ifname: string;
  address?: string;
}
interface AddrInfo {
  ifname: string;
  addr_info?: { local: string; prefixlen: number }[];
}

/** What the deployment lacks of the lab file, for one node: interfaces and addresses. Pure. */
export function deploymentGaps(n: NodePlan, links: LinkInfo[], addrs: AddrInfo[]): string[] {
  const gaps: string[] = [];
  const have = new Map(addrs.map((a) => [a.ifname, new Set((a.addr_info ?? []).map((x) => `${canonicalAddress(x.local)}/${x.prefixlen}`))]));
  const want = [...n.node.interfaces.map((i) => ({ iface: i.name, addresses: i.addresses })), { iface: 'lo', addresses: n.node.loopbacks }];
  for (const { iface, addresses } of want) {
    if (iface !== 'lo' && !links.some((l) => l.ifname === iface)) {
      gaps.push(`${n.node.name} has no interface ${iface}`);
      continue;
    }
    for (const a of addresses) {
      const [, len] = a.split('/');
      if (!have.get(iface)?.has(`${canonicalAddress(hostOf(a))}/${len}`)) gaps.push(`${n.node.name}:${iface} lacks ${a}`);
    }
  }
  return gaps;
}

async function readNode(runtime: Runtime, n: NodePlan): Promise<{ links: LinkInfo[]; addrs: AddrInfo[] }> {
  const json = async (argv: string[]) => JSON.parse((await runtime.exec(n, argv, { context: 'net', timeoutMs: 20_000 })).stdout || '[]') as unknown;
  return { links: (await json(['ip', '-j', 'link', 'show'])) as LinkInfo[], addrs: (await json(['ip', '-j', 'addr', 'show'])) as AddrInfo[] };
}

/** The deployment as the lab file says it is, or one error naming every difference; MACs are read into the plan. */
async function checkDeployment(plan: LabPlan, runtime: Runtime): Promise<void> {
  const seen = await mapLimit(plan.nodes, 8, (n) => readNode(runtime, n));
  const gaps = plan.nodes.flatMap((n, i) => deploymentGaps(n, seen[i].links, seen[i].addrs));
  if (gaps.length) {
    throw new LabError('input', `${plan.lab.file}: the deployed lab '${plan.lab.name}' is not the one the file describes:\n  ${gaps.slice(0, 20).join('\n  ')}${gaps.length > 20 ? `\n  ... ${gaps.length - 20} more` : ''}`, {
      hint: 'attach with the lab file the deployment was made from (asymlab export writes it beside the topology)',
    });
  }
  plan.nodes.forEach((n, i) => {
    for (const iface of n.node.interfaces) {
      const mac = seen[i].links.find((l) => l.ifname === iface.name)?.address;
      if (mac) n.macs[iface.name] = mac.toLowerCase();
    }
  });
}

async function containerlabRuntime(plan: LabPlan, run: Runner, spawn: Spawner, via: AttachVia): Promise<Runtime> {
  const mod = await import('../runtime/docker/clab-attach.js').catch((e: unknown) => {
    throw new LabError('environment', `attaching to containerlab needs the docker client: ${String(e)}`);
  });
  return mod.attachClab(plan, { run, spawn, via });
}

export async function attachLab(lab: Lab, opts: AttachOptions = {}): Promise<StartedLab> {
  const emit = opts.emit ?? ignoreEvents;
  const run = opts.run ?? defaultRun;
  const spawn = opts.spawn ?? spawnBackground;
  if (opts.via === 'exec' && isTimed(lab)) {
    // A timed run starts its agents together by a signal, which an exec channel does not carry.
    throw new LabError('input', `${lab.file}: --via exec cannot run events, start-ms or long-lived flows yet: the static flow agent runs one flow at a time`, { hint: 'attach with --via netns on the containerlab host' });
  }
  const plan = planLab(lab);
  const timings: Record<string, number> = {};
  const timed = stepTimer(emit, lab.name, timings, opts.signal);
  const started = performance.now();
  // Finding the containers changes nothing; from the preflight on, what asymlab brings is removed on failure.
  const runtime = opts.runtime ?? (await timed('find', () => containerlabRuntime(plan, run, spawn, opts.via ?? 'netns'), () => `${plan.nodes.length} containers`));
  const detach = () => runtime.removeLab(lab.name);
  let kernel: RouteWatch | undefined;
  try {
    await timed('check', async () => {
      await runtime.preflight(plan);
      await checkDeployment(plan, runtime);
    });
    const routers = plan.nodes.filter((n) => n.frr);
    if (routers.length) {
      await timed('converge', async () => {
        // through an exec channel a monitor's readiness cannot be seen: the tables are polled instead
        kernel = opts.via === 'exec' ? await pollRoutes(runtime, routers) : await watchRoutes(runtime, routers, { signal: opts.signal });
        return waitForConvergence(plan, runtime, kernel, emit, { timeoutMs: opts.convergeTimeoutMs ?? 30_000 + 100 * plan.nodes.length, signal: opts.signal });
      }, (r) => `${r.sessions} sessions, ${r.routes} routes`);
    }
    timings.total = performance.now() - started;
  } catch (err) {
    emit({ kind: 'cleanup', lab: lab.name, detail: 'removing what asymlab brought' });
    await detach().catch((e: unknown) => emit({ kind: 'warning', lab: lab.name, message: `cleanup failed: ${String(e)}` }));
    if (opts.signal?.aborted) throw new LabError('interrupted', `interrupted: nothing of asymlab's left in lab '${lab.name}'`, { cause: err });
    throw err;
  } finally {
    await kernel?.stop();
  }
  return { plan, runtime, run, spawn, timings, down: detach, [Symbol.asyncDispose]: detach };
}
