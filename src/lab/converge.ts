import { LabError } from '../errors.js';
import { bgpPeers, type BgpPeerStatus } from '../nodes/frr.js';
import type { LabPlan, NodePlan } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import { ownerOf as ownerIn, owns } from '../topology/addresses.js';
import { covers, familyOf, networkText, parsePrefix } from '../util/ip.js';
import type { Runner } from '../util/exec.js';
import { mapLimit, type EventSink } from './events.js';

export interface ExpectedSession {
  node: string;
  peer: string;
  peerNode?: string;
}

export interface ExpectedRoute {
  /** The node whose kernel table must hold the prefix. */
  node: string;
  prefix: string;
  from: string;
}

function ownerOf(plan: LabPlan, address: string): NodePlan | undefined {
  const owner = ownerIn(plan.lab.nodes, address);
  return plan.nodes.find((n) => n.node === owner);
}

/** An outbound filter lists exact prefixes; an inbound one takes a prefix and everything longer inside it. */
const passes = (filter: string[] | undefined, prefix: string, orLonger: boolean) => {
  if (filter === undefined) return true;
  const p = parsePrefix(prefix);
  return !!p && filter.some((f) => {
    const q = parsePrefix(f);
    return !!q && (orLonger ? covers(q, p) : networkText(q) === networkText(p));
  });
};

/** What `up` waits for: every configured session Established, every originated prefix in its peers' kernels. Pure. */
export function expectations(plan: LabPlan): { sessions: ExpectedSession[]; routes: ExpectedRoute[] } {
  const sessions: ExpectedSession[] = [];
  const routes: ExpectedRoute[] = [];
  for (const n of plan.nodes) {
    // staticd installs routes some time after its config loads.
    if (n.frr && !n.node.frrConfig) for (const r of n.node.routes) routes.push({ node: n.node.name, prefix: r.to === '0.0.0.0/0' || r.to === '::/0' ? 'default' : r.to, from: `${n.node.name} (static)` });
    const bgp = n.node.bgp;
    if (!bgp || n.node.frrConfig) continue;
    for (const nb of bgp.neighbors) {
      const peer = ownerOf(plan, nb.address);
      sessions.push({ node: n.node.name, peer: nb.address, peerNode: peer?.node.name });
      const back = peer?.node.bgp?.neighbors.find((x) => owns(n.node, x.address));
      if (!peer || !peer.node.bgp || !back) continue;
      for (const prefix of bgp.networks) {
        if (familyOf(prefix) !== familyOf(nb.address)) continue;
        if (!passes(nb.advertise, prefix, false) || !passes(back.accept, prefix, true)) continue;
        if (peer.node.bgp.networks.includes(prefix)) continue;
        routes.push({ node: peer.node.name, prefix, from: n.node.name });
      }
    }
  }
  return { sessions, routes };
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

/**
 * Waits until no router's kernel table changes over three polls in a row (bounded by the same
 * timeout): with the lab profile's zero advertisement interval a route crosses a hop in
 * milliseconds, so a quiet table means BGP has finished spreading what it knows.
 */
async function settle(run: Runner, frrNodes: NodePlan[], opts: { timeoutMs: number; pollMs?: number; signal?: AbortSignal }): Promise<void> {
  if (!frrNodes.some((n) => n.node.bgp || n.node.frrConfig)) return;
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

/**
 * Polls FRR and the kernels until every session is Established and every expected prefix is
 * installed, or `timeoutMs` passes; then fails naming each session and prefix that did not come.
 */
export async function waitForConvergence(
  plan: LabPlan,
  runtime: Runtime,
  run: Runner,
  emit: EventSink,
  opts: { timeoutMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<{ sessions: number; routes: number; ms: number }> {
  const started = performance.now();
  const { sessions, routes } = expectations(plan);
  const frrNodes = plan.nodes.filter((n) => n.frr);
  const byName = new Map(plan.nodes.map((n) => [n.node.name, n]));
  let lastPeers: BgpPeerStatus[] = [];
  let missing: ExpectedRoute[] = routes;
  const peersNow = async (nodes: NodePlan[] = frrNodes) => (lastPeers = (await mapLimit(nodes, 16, (n) => bgpPeers(runtime, n))).flat());
  // A prefix that crossed a session proves that session Established: only the others need vtysh.
  const carried = new Set(routes.filter((r) => !r.from.endsWith('(static)')).flatMap((r) => [`${r.from}>${r.node}`, `${r.node}>${r.from}`]));
  const unproven = sessions.filter((s) => !s.peerNode || !carried.has(`${s.node}>${s.peerNode}`));
  const askNodes = frrNodes.filter((n) => n.node.frrConfig || unproven.some((s) => s.node === n.node.name));
  const notUp = (checked: ExpectedSession[]) => [
    ...checked.filter((s) => !lastPeers.some((p) => p.node === s.node && p.peer === s.peer && p.state === 'Established')),
    ...lastPeers.filter((p) => p.state !== 'Established' && !sessions.some((s) => s.node === p.node && s.peer === p.peer)),
  ];
  // Kernel tables first: `ip` is cheap, vtysh is not (a poll of 200 routers through vtysh took
  // seconds). Sessions are asked once the routes are in, or to say what is missing.
  for (;;) {
    opts.signal?.throwIfAborted();
    const nodes = [...new Set(missing.map((m) => m.node))];
    const tables = new Map(await mapLimit(nodes, 16, async (name) => [name, await kernelPrefixes(run, byName.get(name)!)] as const));
    missing = missing.filter((m) => !tables.get(m.node)?.has(canonical(m.prefix)));
    if (missing.length === 0) {
      await peersNow(askNodes);
      const down = notUp(unproven);
      if (down.length === 0) {
        // Direct peers have every prefix; routes several hops away may still be on their way.
        await settle(run, frrNodes, opts);
        return { sessions: sessions.length, routes: routes.length, ms: performance.now() - started };
      }
      emit({ kind: 'wait', lab: plan.lab.name, what: 'BGP sessions', done: sessions.length - down.length, total: sessions.length, pending: down.slice(0, 3).map((s) => `${s.node} -> ${s.peer}`) });
    } else {
      emit({ kind: 'wait', lab: plan.lab.name, what: 'routes in kernels', done: routes.length - missing.length, total: routes.length, pending: missing.slice(0, 3).map((m) => `${m.prefix} on ${m.node}`) });
    }
    if (performance.now() - started > opts.timeoutMs) break;
    await new Promise((r) => setTimeout(r, pollInterval(opts, frrNodes.length)));
  }
  await peersNow();
  const lines: string[] = [];
  for (const s of sessions) {
    const p = lastPeers.find((x) => x.node === s.node && x.peer === s.peer);
    if (!p || p.state !== 'Established') {
      lines.push(`BGP session ${s.node} -> ${s.peer}${s.peerNode ? ` (${s.peerNode})` : ''} is ${p?.state ?? 'not configured in FRR'}`);
    }
  }
  for (const p of lastPeers) if (p.state !== 'Established' && !sessions.some((s) => s.node === p.node && s.peer === p.peer)) lines.push(`BGP session ${p.node} -> ${p.peer} is ${p.state}`);
  if (!lines.length) for (const m of missing.slice(0, 10)) lines.push(`${m.prefix} (from ${m.from}) is not in ${m.node}'s kernel table`);
  throw new LabError('timeout', `lab '${plan.lab.name}' did not converge within ${Math.round(opts.timeoutMs / 1000)} s:\n  ${lines.join('\n  ')}`, {
    hint: 'check both ends of each session: addresses, remote-as, the link between them; `asymlab inspect` shows what is up',
  });
}
