/**
 * no-route: the node has no route to the destination (or an unreachable/blackhole one), a kernel
 * no-route counter moved, or the node sent an ICMP error that is not a firewall's REJECT.
 */
import { icmpIsReject, icmpName } from '../icmp-error.js';
import { describeRoute, kernelMove, lookupRoute, NO_ROUTE_TYPES, routesOf, type CounterMove } from '../node-state.js';
import { moved, type DropExplainer } from './explainer.js';

/** InNoRoutes is IpExt's (/proc/net/netstat), not Ip's (/proc/net/snmp has only OutNoRoutes). */
const NO_ROUTE_COUNTERS = ['IpExt.InNoRoutes', 'Ip.OutNoRoutes', 'Ip6.InNoRoutes', 'Ip6.OutNoRoutes'];

export const noRoute: DropExplainer = {
  reason: 'no-route',
  words: 'a missing route',
  explain({ ctx, site }) {
    const { evidence } = ctx;
    const { node, icmp } = site;
    const routes = routesOf(evidence, node);
    const dst = site.entered?.dst ?? site.dst ?? ctx.track.tuples[0]?.dst;
    const route = routes && dst ? lookupRoute(routes.routes, dst) : undefined;
    // An address of the node's own needs no route: the local table delivers it (the snapshot leaves that table out).
    const lacksRoute = routes !== undefined && dst !== undefined && !ctx.lab.owns(node, dst) && (!route || NO_ROUTE_TYPES.has(route.type ?? ''));
    // Run folders of older asymlabs kept the count under the alias Ip.InNoRoutes only.
    const counterMoves = [...NO_ROUTE_COUNTERS, 'Ip.InNoRoutes']
      .map((n) => kernelMove(evidence, node, n))
      .filter((m): m is CounterMove => m !== undefined)
      .filter((m, _, all) => m.name !== 'Ip.InNoRoutes' || !all.some((o) => o.name === 'IpExt.InNoRoutes'));
    const icmpNoRoute = icmp && !icmpIsReject(icmp.version, icmp.type, icmp.code);
    if (!lacksRoute && !counterMoves.length && !icmpNoRoute) return undefined;
    const facts: string[] = [];
    if (lacksRoute) facts.push(route ? `${node}'s route to ${dst} is "${describeRoute(route)}", which forwards nothing.` : `${node} has no route to ${dst} (no prefix in its routing table covers it).`);
    else if (route && dst) facts.push(`${node}'s routing table (taken after the flows) has "${describeRoute(route)}" for ${dst}: the route may have been missing while the flow ran.`);
    for (const m of counterMoves) facts.push(`${moved(m)} on ${node}.`);
    if (icmp) facts.push(`${node} sent ${icmpName(icmp.version, icmp.type, icmp.code)} for it (${icmp.src} → ${icmp.dst}).`);
    return { reason: 'no-route', facts, ...(counterMoves[0] ? { kernelCounter: counterMoves[0] } : {}) };
  },
  phrase: (drop, site) => {
    const kc = drop.kernelCounter ? ` (${drop.kernelCounter.name} ${drop.kernelCounter.before}→${drop.kernelCounter.after})` : '';
    const dst = site.entered?.dst ?? site.dst;
    return `${drop.node} had no route to ${dst ?? 'the destination'}${kc}`;
  },
};
