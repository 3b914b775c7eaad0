import { LabError } from '../errors.js';
import type { LabPlan, NodePlan } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import { bgp, bgpExpectations } from '../services/frr/protocols/bgp.js';
import type { ExpectedAdjacency, ExpectedRoute, ObservedAdjacency, RoutingProtocol } from '../services/frr/protocols/protocol.js';
import { ROUTING_PROTOCOLS } from '../services/frr/protocols/register.js';
import { staticExpectations } from '../services/frr/protocols/static.js';
import { vtyshRun } from '../services/frr/vtysh.js';
import { familyOf, networkText, parsePrefix } from '../util/ip.js';
import type { Runner } from '../util/exec.js';
import { mapLimit, type EventSink } from './events.js';

export type { ExpectedSession } from '../services/frr/protocols/bgp.js';
export type { ExpectedRoute } from '../services/frr/protocols/protocol.js';

/** What `up` waits for in the lab's own BGP: every configured session Established, every originated prefix and static route in kernels. Pure. */
export function expectations(plan: LabPlan): ReturnType<typeof bgpExpectations> {
  const { sessions, routes } = bgpExpectations(plan);
  return { sessions, routes: [...staticExpectations(plan), ...routes] };
}

interface KernelRoute {
  dst: string;
}

/** Kernel and lab spellings of a prefix meet here: host bits cleared, RFC 5952 text. */
function canonical(dst: string): string {
  if (dst === 'default') return dst;
  const p = parsePrefix(dst.includes('/') ? dst : `${dst}/${familyOf(dst) === 4 ? 32 : 128}`);
  return p ? networkText(p) : dst;
}

async function kernelPrefixes(run: Runner, n: NodePlan): Promise<Set<string>> {
  const out = new Set<string>();
  for (const fam of ['-4', '-6']) {
    const r = await run(['ip', fam, '-n', n.ns, '-j', 'route', 'show'], { reject: false, node: n.node.name });
    if (r.failed) continue;
    for (const route of JSON.parse(r.stdout || '[]') as KernelRoute[]) out.add(canonical(route.dst));
  }
  return out;
}

/** Polling takes CPU from the daemons it waits for: big labs are polled less often (2 ms a router, at least 100 ms). */
function pollInterval(opts: { pollMs?: number }, routers: number): number {
  return opts.pollMs ?? Math.max(100, 2 * routers);
}

/** Daemons whose routes come and go by themselves: their tables must also go quiet. */
const dynamic = (n: NodePlan) => n.node.frrConfig !== undefined || n.daemons.some((d) => d !== 'zebra' && d !== 'staticd');

/**
 * Waits until no router's kernel table changes over three polls in a row (bounded by the same
 * timeout): with the lab profile's zero advertisement interval a route crosses a hop in
 * milliseconds, so a quiet table means the protocols have finished spreading what they know.
 */
async function settle(run: Runner, frrNodes: NodePlan[], opts: { timeoutMs: number; pollMs?: number; signal?: AbortSignal }): Promise<void> {
  if (!frrNodes.some(dynamic)) return;
  const deadline = performance.now() + opts.timeoutMs;
  let last = '';
  let quiet = 0;
  while (quiet < 3 && performance.now() < deadline) {
    opts.signal?.throwIfAborted();
    const tables = await mapLimit(frrNodes, 16, async (n) => [...(await kernelPrefixes(run, n))].sort().join(','));
    const now = tables.join('|');
    quiet = now === last ? quiet + 1 : 0;
    last = now;
    if (quiet < 3) await new Promise((r) => setTimeout(r, pollInterval(opts, frrNodes.length)));
  }
}

const same = (a: { protocol: string; node: string; key: string }, b: { protocol: string; node: string; key: string }) => a.protocol === b.protocol && a.node === b.node && a.key === b.key;

/**
 * Polls the kernels, then FRR, until every expected prefix is installed and every adjacency of
 * every protocol that runs is up (BGP Established, OSPF Full, IS-IS Up: protocols/), or
 * `timeoutMs` passes; then fails naming each adjacency and prefix that did not come.
 */
export async function waitForConvergence(
  plan: LabPlan,
  runtime: Runtime,
  run: Runner,
  emit: EventSink,
  opts: { timeoutMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<{ sessions: number; routes: number; ms: number }> {
  const started = performance.now();
  const frrNodes = plan.nodes.filter((n) => n.frr);
  const byName = new Map(plan.nodes.map((n) => [n.node.name, n]));
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
  // Kernel tables first: `ip` is cheap, vtysh is not (a poll of 200 routers through vtysh took
  // seconds). Adjacencies are asked once the routes are in, or to say what is missing.
  for (;;) {
    opts.signal?.throwIfAborted();
    const nodes = [...new Set(missing.map((m) => m.r.node))];
    const tables = new Map(await mapLimit(nodes, 16, async (name) => [name, await kernelPrefixes(run, byName.get(name)!)] as const));
    missing = missing.filter((m) => !tables.get(m.r.node)?.has(canonical(m.r.prefix)));
    if (missing.length === 0) {
      await ask(needed);
      const down = notUp(unproven);
      if (down.length === 0) {
        // Direct peers have every prefix; routes several hops away may still be on their way.
        await settle(run, frrNodes, opts);
        return { sessions: adjacencies.length, routes: routes.length, ms: performance.now() - started };
      }
      const what = [...new Set(down.map((d) => running.find((p) => p.name === d.protocol)?.waiting ?? d.protocol))].join(', ');
      emit({ kind: 'wait', lab: plan.lab.name, what, done: Math.max(0, adjacencies.length - down.length), total: adjacencies.length, pending: down.slice(0, 3).map((d) => `${d.node} -> ${d.peer}`) });
    } else {
      emit({ kind: 'wait', lab: plan.lab.name, what: 'routes in kernels', done: routes.length - missing.length, total: routes.length, pending: missing.slice(0, 3).map((m) => `${m.r.prefix} on ${m.r.node}`) });
    }
    if (performance.now() - started > opts.timeoutMs) break;
    await new Promise((r) => setTimeout(r, pollInterval(opts, frrNodes.length)));
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
