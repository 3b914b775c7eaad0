/**
 * mtu: the packet was larger than the MTU of the interface its route leaves by, with DF set (IPv4;
 * IPv6 routers never fragment), so the node could not forward it. Shown by the fragmentation
 * needed / packet too big the node sent about that very packet, or by the lab's MTU on the route's
 * interface against the packet's length; Ip.FragFails backs it up. The verdict also says what
 * became of the ICMP error: path MTU discovery works only if it reaches the sender.
 */
import { isPathMtu } from '../icmp-error.js';
import { icmpErrorTraces, icmpFateFact, icmpFatePhrase } from '../icmp-fate.js';
import { kernelMove, lookupRoute, routeDevs, routesOf, type CounterMove } from '../node-state.js';
import type { IcmpSighting } from '../track.js';
import { moved, type DropExplainer } from './explainer.js';

const FRAG_COUNTERS = ['Ip.FragFails', 'Ip6.FragFails', 'Ip6.InTooBigErrors'];

export const mtu: DropExplainer = {
  reason: 'mtu',
  words: 'a link MTU smaller than the packet',
  explain({ ctx, site }) {
    const { node, trace, packet } = site;
    const { track, lab, evidence } = ctx;
    const sentBy = (i: IcmpSighting) => isPathMtu(i) && (lab.addressOwner(i.src) ?? i.node) === node;
    const icmp = [site.icmp, ...track.icmp].find((i): i is IcmpSighting => i !== undefined && sentBy(i) && (!trace || track.protocol.packets.quotes(i, trace)));
    const size = trace?.ipLength;
    const routes = routesOf(evidence, node);
    const dst = site.entered?.dst ?? site.dst ?? track.tuples[0]?.dst;
    const route = routes && dst ? lookupRoute(routes.routes, dst) : undefined;
    const dev = route ? routeDevs(route)[0] : undefined;
    const devMtu = dev ? lab.node(node)?.interfaces.find((i) => i.name === dev)?.mtu : undefined;
    const tooBig = size !== undefined && devMtu !== undefined && size > devMtu;
    if (!icmp && !tooBig) return undefined;
    const limit = devMtu ?? icmp!.mtu;
    const facts: string[] = [];
    // IPv6 routers never fragment: every packet is as good as DF set.
    const df = (dst ?? '').includes(':') ? '' : ' with DF set';
    if (limit !== undefined) facts.push(`${node}'s ${dev ?? 'outgoing interface'} has MTU ${limit}${size !== undefined ? `; the ${packet} is ${size} bytes (IP)${df}` : ''}, so ${node} could not forward it.`);
    if (icmp) facts.push(`${node} sent ${icmp.version === 4 ? 'ICMP fragmentation needed' : 'ICMPv6 packet too big'}${icmp.mtu !== undefined ? ` (mtu ${icmp.mtu})` : ''} about it.`);
    else facts.push(`No fragmentation needed or packet too big from ${node} about the ${packet} was captured: path MTU discovery had nothing to go on.`);
    const counter = FRAG_COUNTERS.map((n) => kernelMove(evidence, node, n)).find((m): m is CounterMove => m !== undefined);
    if (counter) facts.push(`${moved(counter)} on ${node}.`);
    const errors = icmpErrorTraces(ctx).filter((t) => t.sender === node && (t.mtu !== undefined || /fragmentation|too big/.test(t.name)));
    facts.push(...errors.map(icmpFateFact));
    return {
      reason: 'mtu',
      facts,
      mtu: { node, ...(dev ? { iface: dev } : {}), mtu: limit ?? 0, ...(size !== undefined ? { size } : {}) },
      icmpFate: errors.length ? errors.map(icmpFatePhrase).join('; ') : icmp ? `${node} sent it, but no capture shows where it went` : `${node} sent no ICMP error`,
      ...(counter ? { kernelCounter: counter } : {}),
    };
  },
  phrase(drop, site) {
    const m = drop.mtu;
    const where = `${m?.node ?? drop.node}${m?.iface ? `:${m.iface}` : ''}`;
    const size = m?.size !== undefined ? ` the ${m.size}-byte ${site.packet}` : ` the ${site.packet}`;
    const v6 = (site.entered?.dst ?? site.dst ?? '').includes(':');
    return `${where} has MTU ${m?.mtu}, too small for${size}${v6 ? '' : ' (DF set)'}; ${drop.icmpFate ?? 'no ICMP error was sent'}`;
  },
};
