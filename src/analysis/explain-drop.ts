/**
 * Why a packet died where it was last seen. The reasons, in the order they are tried:
 * - firewall-rule: the node's NFLOG capture holds that very packet (same flags, seq, ack, length);
 *   the rule is named by its prefix and its counter, and the node's conntrack is checked for the flow;
 * - rp-filter: TcpExt.IPReversePathFilter moved on the node and the route back to the packet's
 *   source leaves by another interface than the one it came in on;
 * - no-route: the node has no route to the destination (or an unreachable/blackhole one),
 *   Ip.InNoRoutes/OutNoRoutes moved, or the node sent an ICMP unreachable for it;
 * - unknown, said as such, with whatever was found.
 * A capture near the node that lost packets makes the placement itself doubtful: the reason is
 * then unknown and `inconclusive` says which capture lost what.
 */
import { parseNflogPrefix } from '../render/iptables.js';
import type { DecodedPacket } from '../pcap/types.js';
import type { LabIndex } from './lab-index.js';
import { bitsOfText, flagBits, formatTuple, icmpIsReject, icmpName } from './packet-key.js';
import {
  conntrackFor,
  describeConntrack,
  describeRoute,
  hasKernelCounters,
  kernelMove,
  lookupRoute,
  movedDropRules,
  NO_ROUTE_TYPES,
  routeDevs,
  routesOf,
  rpFilterOf,
  ruleCounterFor,
  type CounterMove,
} from './node-state.js';
import { WINDOW_AFTER_S, WINDOW_BEFORE_S, type ConnectionTrack, type IcmpSighting } from './track.js';
import type { DropEvidence, PacketTrace, RunEvidence, Sighting } from './types.js';

export interface DropSite {
  node: string;
  /** Interface it entered by; undefined when it never left the sender. */
  iface?: string;
  /** The packet as it entered the node (addresses at that hop). */
  entered?: Sighting;
  trace?: PacketTrace;
  /** The label of the dying packet, also when no trace exists (a SYN never sent). */
  packet: string;
  /** An ICMP error the node sent about the packet. */
  icmp?: IcmpSighting;
  /** The destination to look up when no sighting gives it (a SYN that never left the client). */
  dst?: string;
}

export interface DropContext {
  evidence: RunEvidence;
  lab: LabIndex;
  track: ConnectionTrack;
}

/** Captures whose loss or damage undermines "it never left `node`": the node's own and its link peers'. */
export function lossyNear(ctx: DropContext, node: string): string[] {
  const out: string[] = [];
  const places = new Set([node, ...ctx.lab.capturesOf(node).map((c) => ctx.lab.peer(c.node, c.iface)?.node)]);
  for (const n of ctx.lab.lab.nodes.find((x) => x.name === node)?.interfaces ?? []) places.add(ctx.lab.peer(node, n.name)?.node);
  for (const c of ctx.evidence.captures) {
    if (!places.has(c.node) || !ctx.lab.lossy(c)) continue;
    out.push(c.problem ? `capture at ${c.node}:${c.iface} is incomplete (${c.problem})` : `capture at ${c.node}:${c.iface} lost ${c.droppedByKernel} packets`);
  }
  return out;
}

function samePacket(p: DecodedPacket, t: PacketTrace): boolean {
  const { tcp } = p;
  return !!tcp && flagBits(tcp) === bitsOfText(t.flags ?? '') && tcp.seq >>> 0 === t.seq && tcp.ack >>> 0 === t.ack && tcp.payloadLength === t.payloadLength;
}

/** NFLOG records of that very packet, on the node first, else anywhere. */
function nflogHits(ctx: DropContext, trace: PacketTrace): { node: string; prefix: string; count: number }[] {
  const hits = new Map<string, { node: string; prefix: string; count: number }>();
  for (const cap of ctx.evidence.nflog) {
    for (const p of cap.packets) {
      if (!samePacket(p, trace)) continue;
      const prefix = p.nflog?.prefix ?? '';
      const k = `${cap.node}\0${prefix}`;
      const h = hits.get(k) ?? { node: cap.node, prefix, count: 0 };
      h.count++;
      hits.set(k, h);
    }
  }
  return [...hits.values()];
}

function moved(m: CounterMove): string {
  return `${m.name} ${m.before}→${m.after}`;
}

function conntrackFacts(ctx: DropContext, drop: DropEvidence, node: string): void {
  const { record } = ctx.track;
  const from = record.startedAt - WINDOW_BEFORE_S;
  const to = record.startedAt + record.totalMs / 1000 + WINDOW_AFTER_S;
  const hasAny = ctx.evidence.conntrack.some((e) => e.node === node);
  const mine = conntrackFor(ctx.evidence, node, ctx.track.tuples, from, to);
  const client = formatTuple(ctx.track.tuples[0]);
  if (mine.length) {
    drop.conntrackEntry = true;
    drop.facts.push(`${node} had a conntrack entry for the flow: ${describeConntrack(mine[mine.length - 1])}.`);
  } else {
    drop.conntrackEntry = false;
    drop.facts.push(
      hasAny
        ? `${node} had no conntrack entry for the flow: none of its conntrack events matches ${client} or its NAT forms, in either direction.`
        : `${node} had no conntrack entry for the flow: no conntrack event of ${node} was recorded.`,
    );
  }
  // Where the state is instead: the firewall the other direction went through.
  const firewalls = ctx.lab.lab.nodes.filter((n) => n.kind === 'firewall' && n.name !== node);
  for (const fw of firewalls) {
    const there = conntrackFor(ctx.evidence, fw.name, ctx.track.tuples, from, to);
    if (there.length) drop.facts.push(`The flow's conntrack entry is on ${fw.name} instead: ${describeConntrack(there[there.length - 1])}.`);
  }
}

function explainFromEvidence(ctx: DropContext, site: DropSite): DropEvidence {
  const { evidence } = ctx;
  const { node, iface, entered, trace, packet } = site;
  const drop: DropEvidence = { reason: 'unknown', node, ...(iface ? { iface } : {}), packet, facts: [] };

  // 1. The node's NFLOG has that very packet.
  const hits = trace ? nflogHits(ctx, trace) : [];
  const hit = hits.find((h) => h.node === node) ?? hits[0];
  if (hit && hit.node !== node) drop.facts.push(`The ${packet} was logged by NFLOG on ${hit.node}, not on ${node} where the captures last saw it.`);
  if (hit) {
    const rule = parseNflogPrefix(hit.prefix);
    drop.reason = 'firewall-rule';
    drop.node = hit.node;
    drop.nflogPrefix = hit.prefix;
    if (rule) Object.assign(drop, { chain: rule.chain, ruleIndex: rule.index, ruleLabel: rule.label });
    drop.facts.push(`${hit.node}'s NFLOG capture holds this ${packet} (${hit.count} cop${hit.count === 1 ? 'y' : 'ies'}) with prefix ${hit.prefix}.`);
    const c = ruleCounterFor(evidence, hit.node, hit.prefix, rule?.chain, rule?.index);
    if (c) {
      drop.counter = { before: c.packetsBefore, after: c.packetsAfter };
      drop.facts.push(`Rule ${c.index} of ${c.table}/${c.chain} on ${hit.node} (${c.rule}) counted ${c.packetsBefore}→${c.packetsAfter} packets.`);
    } else drop.facts.push(`No iptables-save counter was recorded for that rule on ${hit.node}.`);
    conntrackFacts(ctx, drop, hit.node);
    if (rule?.label === 'invalid' && drop.conntrackEntry === false) drop.facts.push(`Without an entry, conntrack classed the ${packet} ctstate INVALID, which rule ${rule.index} drops.`);
    return drop;
  }
  const nflogCap = evidence.nflog.find((n) => n.node === node);
  if (ctx.lab.kindOf(node) === 'firewall') {
    if (!nflogCap) drop.facts.push(`No NFLOG capture was recorded on ${node}.`);
    else if (nflogCap.droppedByKernel > 0) drop.facts.push(`${node}'s NFLOG capture lost ${nflogCap.droppedByKernel} records, so its silence proves nothing.`);
    else drop.facts.push(`${node}'s NFLOG capture has no record of this ${packet}.`);
  }

  const routes = routesOf(evidence, node);
  // 2. Reverse-path filter.
  const rp = kernelMove(evidence, node, 'TcpExt.IPReversePathFilter');
  if (rp && entered && iface && routes) {
    const back = lookupRoute(routes.routes, entered.src);
    const devs = back ? routeDevs(back) : [];
    const rpf = rpFilterOf(routes, iface);
    if (back && devs.length && !devs.includes(iface)) {
      drop.reason = 'rp-filter';
      drop.kernelCounter = rp;
      drop.facts.push(`${moved(rp)} on ${node}.`);
      drop.facts.push(`${node}'s route back to ${entered.src} is "${describeRoute(back)}", out of ${devs.join('/')}, but the ${packet} came in on ${iface}.`);
      drop.facts.push(rpf === undefined ? `rp_filter on ${node}:${iface} was not recorded.` : `rp_filter for ${iface} on ${node} is ${rpf} (${rpf === 1 ? 'strict' : rpf === 2 ? 'loose' : 'off'}).`);
      return drop;
    }
    drop.facts.push(`${moved(rp)} on ${node}, but the route back to ${entered.src} ${back ? `leaves by ${devs.join('/') || 'no device'}, the interface it came in on` : 'was not found'}.`);
  }

  // 3. No route.
  const dst = entered?.dst ?? site.dst ?? ctx.track.tuples[0]?.dst;
  const route = routes && dst ? lookupRoute(routes.routes, dst) : undefined;
  const lacksRoute = routes !== undefined && dst !== undefined && (!route || NO_ROUTE_TYPES.has(route.type ?? ''));
  const counterMoves = ['Ip.InNoRoutes', 'IpExt.InNoRoutes', 'Ip.OutNoRoutes', 'Ip6.InNoRoutes', 'Ip6.OutNoRoutes']
    .map((n) => kernelMove(evidence, node, n))
    .filter((m): m is CounterMove => m !== undefined)
    .filter((m, _, all) => m.name !== 'IpExt.InNoRoutes' || !all.some((o) => o.name === 'Ip.InNoRoutes'));
  const icmp = site.icmp;
  const icmpNoRoute = icmp && !icmpIsReject(icmp.version, icmp.type, icmp.code);
  if (lacksRoute || counterMoves.length || icmpNoRoute) {
    drop.reason = 'no-route';
    if (lacksRoute) drop.facts.push(route ? `${node}'s route to ${dst} is "${describeRoute(route)}", which forwards nothing.` : `${node} has no route to ${dst} (no prefix in its routing table covers it).`);
    else if (route && dst) drop.facts.push(`${node}'s routing table (taken after the flows) has "${describeRoute(route)}" for ${dst}: the route may have been missing while the flow ran.`);
    for (const m of counterMoves) drop.facts.push(`${moved(m)} on ${node}.`);
    if (counterMoves[0]) drop.kernelCounter = counterMoves[0];
    if (icmp) drop.facts.push(`${node} sent ${icmpName(icmp.version, icmp.type, icmp.code)} for it (${icmp.src} → ${icmp.dst}).`);
    return drop;
  }

  // 4. Unknown: say what was looked at.
  if (icmp) drop.facts.push(`${node} sent ${icmpName(icmp.version, icmp.type, icmp.code)} for it, as a REJECT rule does, but no NFLOG record names the rule.`);
  for (const c of movedDropRules(evidence, node)) {
    drop.facts.push(`${c.index === 0 ? `The ${c.table}/${c.chain} policy ${c.policy}` : `Rule ${c.index} of ${c.table}/${c.chain} (${c.rule})`} on ${node} counted ${c.packetsBefore}→${c.packetsAfter} packets, without an NFLOG record of this ${packet}.`);
  }
  if (route && dst) drop.facts.push(`${node} has a route to ${dst}: "${describeRoute(route)}".`);
  else if (!routes) drop.facts.push(`No routing table was recorded for ${node}.`);
  if (!hasKernelCounters(evidence, node)) drop.facts.push(`No kernel counters were recorded for ${node}.`);
  else drop.facts.push(`No drop counter (Ip.InNoRoutes, Ip.OutNoRoutes, TcpExt.IPReversePathFilter) moved on ${node}.`);
  return drop;
}

const REASON_WORDS: Record<DropEvidence['reason'], string> = {
  'firewall-rule': 'a firewall rule',
  'no-route': 'a missing route',
  'rp-filter': 'the reverse-path filter',
  unknown: 'no known cause',
};

/** The drop at a site, with its reason; unknown (and `inconclusive`) when nearby captures lost packets. */
export function explainDrop(ctx: DropContext, site: DropSite): DropEvidence {
  const drop = explainFromEvidence(ctx, site);
  const lost = lossyNear(ctx, drop.node);
  if (lost.length === 0) return drop;
  drop.inconclusive = lost.join('; ');
  if (drop.reason !== 'unknown') drop.facts.push(`The evidence points to ${REASON_WORDS[drop.reason]}, but it is not concluded: ${drop.inconclusive}.`);
  else drop.facts.push(`Not concluded: ${drop.inconclusive}.`);
  drop.reason = 'unknown';
  return drop;
}
