import { LabError } from '../errors.js';
import type { LabPlan, NodePlan } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import { bgp, bgpExpectations } from '../services/frr/protocols/bgp.js';
import type { ExpectedAdjacency, ExpectedRoute, ObservedAdjacency, RoutingProtocol } from '../services/frr/protocols/protocol.js';
import { ROUTING_PROTOCOLS } from '../services/frr/protocols/register.js';
import { staticExpectations } from '../services/frr/protocols/static.js';
import { vtyshRun } from '../services/frr/vtysh.js';
import { isTimeout, notYet, ready, waitFor } from '../util/wait-for.js';
import { mapLimit, type EventSink } from './events.js';
import type { RouteWatch } from './route-watch.js';

export type { ExpectedSession } from '../services/frr/protocols/bgp.js';
export type { ExpectedRoute } from '../services/frr/protocols/protocol.js';

/** What `up` waits for in the lab's own BGP: every configured session Established, every originated prefix and static route in kernels. Pure. */
export function expectations(plan: LabPlan): ReturnType<typeof bgpExpectations> {
  const { sessions, routes } = bgpExpectations(plan);
  return { sessions, routes: [...staticExpectations(plan), ...routes] };
}

/** Asking vtysh takes CPU from the daemons it waits for: big labs are asked less often (2 ms a router, at least 100 ms). */
function pollInterval(opts: { pollMs?: number }, routers: number): number {
  return opts.pollMs ?? Math.max(100, 2 * routers);
}

/** Longer than bgpd's default coalesce time (1 s) with room for a busy machine. */
const RAW_BGP_QUIET_MS = 2500;

/** Daemons whose routes come and go by themselves: their tables must also go quiet. */
const dynamic = (n: NodePlan) => n.node.frrConfig !== undefined || n.daemons.some((d) => d !== 'zebra' && d !== 'staticd');

/**
 * Waits until no router's kernel table has changed for three poll intervals (bounded by the same
 * timeout; a lab that never goes quiet is not failed for it): with the lab profile's zero
 * advertisement interval a route crosses a hop in milliseconds, so a quiet table means the
 * protocols have finished spreading what they know. The watch sees each change as it happens.
 */
async function settle(kernel: RouteWatch, frrNodes: NodePlan[], opts: { timeoutMs: number; pollMs?: number; signal?: AbortSignal }): Promise<void> {
  if (!frrNodes.some(dynamic)) return;
  // A raw config has FRR's own timers, not the lab profile's `coalesce-time 0`: bgpd holds its first
  // updates ~1 s after a session comes up (the default coalesce time), so a table is not done until
  // it has been quiet for longer than that. Nothing tells what a raw config's sessions will carry.
  const rawBgp = frrNodes.some((n) => n.node.frrConfig !== undefined && n.daemons.includes('bgpd'));
  const quietMs = Math.max(3 * pollInterval(opts, frrNodes.length), rawBgp ? RAW_BGP_QUIET_MS : 0);
  await waitFor(
    () => {
      kernel.check();
      const last = kernel.lastChange();
      const idle = performance.now() - last.at;
      return idle >= quietMs ? ready() : notYet(`a route changed ${Math.round(idle)} ms ago${last.node ? ` on ${last.node}` : ''}`);
    },
    { description: `kernel tables to stay unchanged for ${quietMs} ms`, timeoutMs: opts.timeoutMs, intervalMs: Math.min(50, quietMs), signal: opts.signal },
  ).catch((e: unknown) => {
    if (!isTimeout(e)) throw e;
  });
}

const same = (a: { protocol: string; node: string; key: string }, b: { protocol: string; node: string; key: string }) => a.protocol === b.protocol && a.node === b.node && a.key === b.key;

/**
 * Follows the kernels (a RouteWatch started before FRR), then asks FRR, until every expected prefix is installed and every adjacency of
 * every protocol that runs is up (BGP Established, OSPF Full, IS-IS Up: protocols/), or
 * `timeoutMs` passes; then fails naming each adjacency and prefix that did not come.
 */
export async function waitForConvergence(
  plan: LabPlan,
  runtime: Runtime,
  kernel: RouteWatch,
  emit: EventSink,
  opts: { timeoutMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<{ sessions: number; routes: number; ms: number }> {
  const started = performance.now();
  const frrNodes = plan.nodes.filter((n) => n.frr);
  const running = ROUTING_PROTOCOLS.filter((p) => frrNodes.some((n) => n.daemons.includes(p.daemon)));
  const expected = running.map((p) => ({ p, ...p.expect(plan) }));
  const adjacencies = expected.flatMap((x) => x.adjacencies);
  const routes: { r: ExpectedRoute; p?: RoutingProtocol }[] = [...staticExpectations(plan).map((r) => ({ r })), ...expected.flatMap((x) => x.routes.map((r) => ({ r, p: x.p })))];
  let missing = routes;
  let observed: ObservedAdjacency[] = [];
  // Once the routes are in, vtysh is asked only where they prove nothing: adjacencies no expected
  // route crosses, and raw configs' protocols (their adjacencies are theirs, not ours to predict).
  const unproven = adjacencies.filter((a) => !a.provenByRoutes);
  const askOf = (p: RoutingProtocol, n: NodePlan) => n.daemons.includes(p.daemon) && (n.node.frrConfig !== undefined || unproven.some((a) => a.protocol === p.name && a.node === n.node.name));
  const everyone = running.flatMap((p) => frrNodes.filter((n) => n.daemons.includes(p.daemon)).map((n) => ({ p, n })));
  const needed = everyone.filter(({ p, n }) => askOf(p, n));
  const ask = async (pairs: typeof everyone) =>
    (observed = (
      await mapLimit(pairs, 16, async ({ p, n }) => {
        const r = await vtyshRun(runtime, n, [p.command], { reject: false });
        return r.failed ? [] : p.parse(n.node.name, r.stdout);
      })
    ).flat());
  const notUp = (checked: ExpectedAdjacency[]) => [
    ...checked.filter((a) => !observed.some((o) => same(o, a) && o.up)),
    ...observed.filter((o) => !o.up && !adjacencies.some((a) => same(a, o))),
  ];
  // Kernel tables first: the watch has them at no cost, vtysh is not cheap (a poll of 200 routers
  // through vtysh took seconds). Adjacencies are asked once the routes are in, or to say what is missing.
  const converged = await waitFor(
    async () => {
      missing = missing.filter((m) => !kernel.has(m.r.node, m.r.prefix));
      if (missing.length) {
        emit({ kind: 'wait', lab: plan.lab.name, what: 'routes in kernels', done: routes.length - missing.length, total: routes.length, pending: missing.slice(0, 3).map((m) => `${m.r.prefix} on ${m.r.node}`) });
        return notYet(`${missing.length} routes missing`);
      }
      await ask(needed);
      const down = notUp(unproven);
      if (down.length === 0) return ready(true);
      const what = [...new Set(down.map((d) => running.find((p) => p.name === d.protocol)?.waiting ?? d.protocol))].join(', ');
      emit({ kind: 'wait', lab: plan.lab.name, what, done: Math.max(0, adjacencies.length - down.length), total: adjacencies.length, pending: down.slice(0, 3).map((d) => `${d.node} -> ${d.peer}`) });
      return notYet(`${down.length} adjacencies not up`);
    },
    { description: `lab '${plan.lab.name}' to converge`, deadline: started + opts.timeoutMs, intervalMs: pollInterval(opts, frrNodes.length), signal: opts.signal },
  ).catch((e: unknown) => {
    if (isTimeout(e)) return false;
    throw e;
  });
  if (converged) {
    // Direct peers have every prefix; routes several hops away may still be on their way.
    await settle(kernel, frrNodes, opts);
    return { sessions: adjacencies.length, routes: routes.length, ms: performance.now() - started };
  }
  await ask(everyone);
  const lines: string[] = [];
  const blamed = new Set<RoutingProtocol | undefined>();
  const protocolOf = (name: string) => running.find((p) => p.name === name);
  for (const a of adjacencies) {
    if (observed.some((x) => same(x, a) && x.up)) continue;
    const o = observed.find((x) => same(x, a));
    lines.push(`${a.label} is ${o?.state ?? a.absent}${a.note ? `; ${a.note}` : ''}`);
    blamed.add(protocolOf(a.protocol));
  }
  for (const o of observed) {
    if (o.up || adjacencies.some((a) => same(a, o))) continue;
    lines.push(`${o.label} is ${o.state}`);
    blamed.add(protocolOf(o.protocol));
  }
  if (!lines.length) {
    for (const m of missing.slice(0, 10)) {
      lines.push(`${m.r.prefix} (from ${m.r.from}) is not in ${m.r.node}'s kernel table`);
      blamed.add(m.p);
    }
  }
  const hints = [...new Set([...blamed].map((p) => (p ?? bgp).hint))];
  throw new LabError('timeout', `lab '${plan.lab.name}' did not converge within ${Math.round(opts.timeoutMs / 1000)} s:\n  ${lines.join('\n  ')}`, {
    hint: hints.join('; '),
  });
}
