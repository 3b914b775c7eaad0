/**
 * What one node's tables said about a packet: the route it would take (longest-prefix match over
 * the `ip -j route` snapshot), the conntrack entries it held for a connection, how far a kernel
 * or rule counter moved during the run.
 */
import { familyOf, parseAddress, parsePrefix } from '../util/ip.js';
import { reverse, tupleKey } from './tuple.js';
import type { ConntrackEvent, ConntrackTuple, NodeRoutes, RouteEntry, RuleCounter, RunEvidence } from './types.js';

/** Route types that exist but send nothing on: a match on these is "no route". */
export const NO_ROUTE_TYPES = new Set(['unreachable', 'blackhole', 'prohibit', 'throw']);

function routeFamily(r: RouteEntry): 4 | 6 | undefined {
  if (r.dst !== 'default') return parsePrefix(r.dst)?.version;
  const hint = r.gateway ?? r.nexthops?.find((h) => h.gateway)?.gateway ?? r.prefsrc;
  return hint ? familyOf(hint) : undefined;
}

function prefixLen(r: RouteEntry, address: string): number | undefined {
  const fam = parseAddress(address)?.version;
  if (!fam) return undefined;
  if (r.dst === 'default') {
    const rf = routeFamily(r);
    return rf === undefined || rf === fam ? 0 : undefined;
  }
  const p = parsePrefix(r.dst);
  if (!p || p.version !== fam) return undefined;
  const a = parseAddress(address)!;
  const bits = BigInt(fam === 4 ? 32 : 128);
  const shift = bits - BigInt(p.len);
  return a.value >> shift === p.addr >> shift ? p.len : undefined;
}

/**
 * The route `address` takes on a node: longest prefix, then lowest metric. Routes of the local
 * table (`ip route show table all`) are skipped: they say what the node owns, not where it sends.
 */
export function lookupRoute(routes: RouteEntry[], address: string): RouteEntry | undefined {
  let best: RouteEntry | undefined;
  let bestLen = -1;
  for (const r of routes) {
    if (r.table === 'local' || r.type === 'local' || r.type === 'broadcast' || r.type === 'multicast') continue;
    const len = prefixLen(r, address);
    if (len === undefined) continue;
    if (len > bestLen || (len === bestLen && (r.metric ?? 0) < (best?.metric ?? 0))) [best, bestLen] = [r, len];
  }
  return best;
}

/** The interfaces a route sends out of (every next hop of an ECMP route). */
export function routeDevs(r: RouteEntry): string[] {
  const devs = [r.dev, ...(r.nexthops ?? []).map((h) => h.dev)].filter((d): d is string => d !== undefined);
  return [...new Set(devs)];
}

export function describeRoute(r: RouteEntry): string {
  const hops = r.nexthops?.length
    ? r.nexthops.map((h) => [h.gateway && `via ${h.gateway}`, h.dev && `dev ${h.dev}`].filter(Boolean).join(' ')).join(', ')
    : [r.gateway && `via ${r.gateway}`, r.dev && `dev ${r.dev}`].filter(Boolean).join(' ');
  return [r.type, r.dst, hops, r.protocol && `proto ${r.protocol}`].filter(Boolean).join(' ');
}

export function routesOf(evidence: RunEvidence, node: string): NodeRoutes | undefined {
  return evidence.routes.find((r) => r.node === node);
}

/** The effective rp_filter of an interface: the kernel applies the larger of `all` and the interface's own. */
export function rpFilterOf(routes: NodeRoutes | undefined, iface: string): number | undefined {
  if (!routes) return undefined;
  const vals = [routes.rpFilter.all, routes.rpFilter[iface]].filter((v): v is number => v !== undefined);
  return vals.length ? Math.max(...vals) : undefined;
}

export interface CounterMove {
  name: string;
  before: number;
  after: number;
}

/** A kernel counter of a node that went up during the run, or undefined. */
export function kernelMove(evidence: RunEvidence, node: string, name: string): CounterMove | undefined {
  const k = evidence.kernel.find((c) => c.node === node);
  if (!k) return undefined;
  const before = k.before[name] ?? 0;
  const after = k.after[name];
  return after !== undefined && after > before ? { name, before, after } : undefined;
}

export function hasKernelCounters(evidence: RunEvidence, node: string): boolean {
  return evidence.kernel.some((c) => c.node === node);
}

/** A counter of the packet's family: a rule of each family may carry the same prefix. Either unknown matches. */
const ofFamily = (c: RuleCounter, family: 4 | 6 | undefined) => family === undefined || c.family === undefined || c.family === family;

/** The rule counter cited for an NFLOG prefix: the rule that carries it, else filter/chain/index; of the packet's family when given. */
export function ruleCounterFor(evidence: RunEvidence, node: string, prefix: string, chain?: string, index?: number, family?: 4 | 6): RuleCounter | undefined {
  const mine = evidence.counters.filter((c) => c.node === node && ofFamily(c, family));
  return (
    mine.find((c) => c.nflogPrefix === prefix) ??
    (chain !== undefined && index !== undefined ? mine.find((c) => c.table === 'filter' && c.chain === chain && c.index === index) : undefined)
  );
}

/** DROP rules and DROP policies of a node whose counters moved: drops that logged nothing (of the packet's family when given). */
export function movedDropRules(evidence: RunEvidence, node: string, family?: 4 | 6): RuleCounter[] {
  return evidence.counters.filter(
    (c) => c.node === node && ofFamily(c, family) && c.packetsAfter > c.packetsBefore && (c.drops ?? (c.policy === 'DROP' || /-j\s+(DROP|REJECT)\b/.test(c.rule))),
  );
}

/**
 * Conntrack events and entries of `node` for a connection: those whose orig or reply tuple is
 * one of the forms the connection wore (either way round). A NATed entry's reply tuple is the
 * translated form, which the tracker learned from the captures, so NAT needs no special case.
 */
export function conntrackFor(evidence: RunEvidence, node: string, tuples: ConntrackTuple[], fromTs?: number, toTs?: number): ConntrackEvent[] {
  const keys = new Set(tuples.flatMap((t) => [tupleKey(t), tupleKey(reverse(t))]));
  // An ICMP entry's id is its port: the ICMP flow protocol keeps it in both port fields.
  const tupleKeyOf = (t: ConntrackTuple) => tupleKey(t.sport === undefined && t.id !== undefined ? { ...t, sport: t.id, dport: t.id } : t);
  return evidence.conntrack.filter(
    (e) =>
      e.node === node &&
      (e.ts === undefined || fromTs === undefined || toTs === undefined || (e.ts >= fromTs && e.ts <= toTs)) &&
      (keys.has(tupleKeyOf(e.orig)) || keys.has(tupleKeyOf(e.reply))),
  );
}

export function describeConntrack(e: ConntrackEvent): string {
  const t = (x: ConntrackTuple) => `src=${x.src} dst=${x.dst}${x.sport !== undefined ? ` sport=${x.sport} dport=${x.dport}` : ''}${x.id !== undefined ? ` id=${x.id}` : ''}`;
  return [e.type === 'LIST' ? undefined : `[${e.type}]`, e.proto, e.state, t(e.orig), ...e.flags.filter((f) => f === '[UNREPLIED]'), t(e.reply)]
    .filter(Boolean)
    .join(' ');
}
