import { LabError } from '../errors.js';
import { backendWarnings } from '../firewall/registry.js';
import { checkFrrConfig, frrConfigOf, startFrr } from '../nodes/frr.js';
import { configureNodes } from '../nodes/net-config.js';
import { planLab, type LabPlan } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import { createRuntime } from '../runtime/select.js';
import type { Lab } from '../topology/types.js';
import { run as defaultRun, spawnBackground, type Runner, type Spawner } from '../util/exec.js';
import { ignoreEvents, mapLimit, stepTimer, type EventSink } from './events.js';
import { waitForConvergence } from './converge.js';
import { protocolTimersMs } from '../services/frr/protocols/register.js';
import { watchRoutes, type RouteWatch } from './route-watch.js';
import { removeState, writeState } from './state.js';
import { downLab } from './down.js';
import { claimLab, type LabClaim } from './claim.js';

export interface UpOptions {
  emit?: EventSink;
  signal?: AbortSignal;
  run?: Runner;
  spawn?: Spawner;
  runtime?: Runtime;
  /** Bound on the convergence wait; default 30 s plus 100 ms a node, plus what the protocols' timers take (OSPF's wait timer). */
  convergeTimeoutMs?: number;
  /** How many nodes are configured at once. */
  concurrency?: number;
  /** `--image-map`: images the lab names, run on others that are here (docker). */
  imageMap?: Readonly<Record<string, string>>;
}

/** A lab that is up. `await using lab = await upLab(...)` takes it down at the end of the scope. */
export interface StartedLab extends AsyncDisposable {
  plan: LabPlan;
  runtime: Runtime;
  run: Runner;
  spawn: Spawner;
  timings: Record<string, number>;
  down(): Promise<void>;
}

/**
 * Brings a lab up: namespaces or containers, veth links, addresses and sysctls, firewall rulesets,
 * FRR, the nodes' exec commands; then waits until BGP has converged. Any failure or an abort
 * (Ctrl-C) removes everything created so far and rethrows the original error.
 */
export async function upLab(lab: Lab, opts: UpOptions = {}): Promise<StartedLab> {
  const emit = opts.emit ?? ignoreEvents;
  const run = opts.run ?? defaultRun;
  const spawn = opts.spawn ?? spawnBackground;
  // the lab's own image map, and the command's over it
  const imageMap = lab.imageMap || opts.imageMap ? { ...lab.imageMap, ...opts.imageMap } : undefined;
  const runtime = opts.runtime ?? (await createRuntime(lab.runtime, { run, spawn, ...(imageMap ? { imageMap } : {}) }));
  const plan = planLab(lab);
  // 16 at once: FRR daemons spend their start in CPU (YANG models); 16 kept both cores busy, 8 did not.
  const limit = opts.concurrency ?? 16;
  const timings: Record<string, number> = {};
  const timed = stepTimer(emit, lab.name, timings, opts.signal);

  // Checks that need no resources come first, so bad input leaves nothing behind. The claim on the
  // name comes before the "already up" check: a second `up` of the name stops there, having made
  // nothing, and never reaches the cleanup below (which would remove the first one's lab).
  let claim: LabClaim | undefined;
  await timed('check', async () => {
    await runtime.preflight(plan);
    claim = await claimLab(lab.name, 'up');
    if ((await runtime.list()).some((r) => r.lab === lab.name)) {
      throw new LabError('input', `lab '${lab.name}' is already up`, { hint: `run: asymlab down ${lab.name}, or give this lab another name` });
    }
    for (const n of plan.nodes) {
      const bad = await n.firewall?.backend.check?.(run, n);
      if (bad) throw new LabError('input', `${lab.file}: topology.nodes.${n.node.name}.${bad.key}: ${bad.message}`, { hint: bad.hint });
    }
    for (const n of plan.nodes.filter((x) => x.node.frrConfig)) {
      const problem = await checkFrrConfig(run, await frrConfigOf(n), n.node.frrConfig!);
      if (problem) {
        throw new LabError('input', `${lab.file}: topology.nodes.${n.node.name}.frr-config: vtysh rejects ${n.node.frrConfig}:\n    ${problem}`, {
          hint: 'fix the FRR config; `vtysh -C -f FILE` checks it',
        });
      }
    }
  }).catch(async (err: unknown) => {
    await claim?.release();
    throw err;
  });

  const started = performance.now();
  let kernel: RouteWatch | undefined;
  try {
    await timed('nodes', async () => {
      await runtime.createNodes(plan);
      await writeState({ lab: lab.name, file: lab.file, runtime: runtime.kind, startedAt: new Date().toISOString(), pid: process.pid });
    }, () => `${plan.nodes.length} ${runtime.kind === 'netns' ? 'namespaces' : 'containers'}`);
    await timed('links', () => runtime.createLinks(plan), (n) => `${n} veth pairs`);
    await timed('addresses', () => configureNodes(runtime, run, plan));
    // Services start on the nodes that run them, whatever their kind: a router with `firewall:` loads a ruleset.
    const fws = plan.nodes.filter((n) => n.firewall);
    // A ruleset the lab only half gives (iptables: without ip6tables:) is completed, and said so.
    for (const n of fws) for (const w of backendWarnings(n.node, `topology.nodes.${n.node.name}`)) emit({ kind: 'warning', lab: lab.name, node: n.node.name, message: `${w.path}: ${w.message} (${w.hint})` });
    if (fws.length) await timed('firewalls', () => mapLimit(fws, limit, (n) => n.firewall!.backend.load(runtime, n)).then(() => undefined), () => `${fws.length} rulesets`);
    const routers = plan.nodes.filter((n) => n.frr);
    // Their kernel tables are watched from before FRR starts, so convergence misses no route.
    if (routers.length) {
      await timed('frr', async () => {
        kernel = await watchRoutes(runtime, routers, { signal: opts.signal });
        await mapLimit(routers, limit, (n) => startFrr(runtime, n));
      }, () => `${routers.length} routers`);
    }
    const execs = plan.nodes.filter((n) => n.node.exec.length);
    if (execs.length) {
      await timed('exec', () =>
        mapLimit(execs, limit, async (n) => {
          for (const cmd of n.node.exec) await runtime.exec(n, ['sh', '-c', cmd], { context: 'node', timeoutMs: 60_000, ...(n.node.env ? { env: n.node.env } : {}) });
        }).then(() => undefined),
      );
    }
    if (routers.length) {
      await timed(
        'converge',
        () => waitForConvergence(plan, runtime, kernel!, emit, { timeoutMs: opts.convergeTimeoutMs ?? 30_000 + 100 * plan.nodes.length + protocolTimersMs(plan), signal: opts.signal }),
        (r) => `${r.sessions} sessions, ${r.routes} routes`,
      );
    }
    timings.total = performance.now() - started;
  } catch (err) {
    emit({ kind: 'cleanup', lab: lab.name, detail: opts.signal?.aborted ? 'interrupted: removing what was created' : 'failed: removing what was created' });
    try {
      await kernel?.stop();
      await runtime.removeLab(lab.name);
      await removeState(lab.name);
    } catch (cleanupErr) {
      // The original error is the one that matters; the cleanup's is reported beside it.
      emit({ kind: 'warning', lab: lab.name, message: `cleanup failed: ${String(cleanupErr)}; run: asymlab clean` });
    }
    if (opts.signal?.aborted) throw new LabError('interrupted', `interrupted: lab '${lab.name}' removed`, { cause: err });
    throw err;
  } finally {
    await kernel?.stop();
    // Up: the state file written at `nodes` now stands for the lab. Failed: nothing is left to guard.
    await claim?.release();
  }

  const down = async () => {
    await downLab(lab.name, { runtime, emit });
  };
  return { plan, runtime, run, spawn, timings, down, [Symbol.asyncDispose]: down };
}
