/**
 * When no explainer finds its cause: the drop is unknown, said as such, with what was looked at
 * (an ICMP error without an NFLOG record, drop rules that counted without logging, the route,
 * the kernel counters).
 */
import { icmpName } from '../icmp-error.js';
import { describeRoute, hasKernelCounters, lookupRoute, movedDropRules, routesOf } from '../node-state.js';
import type { DropEvidence } from '../types.js';
import { familyOf } from '../../util/ip.js';
import type { ExplainInput } from './explainer.js';

export const UNKNOWN_WORDS = 'no known cause';

export function unknownFacts({ ctx, site }: Pick<ExplainInput, 'ctx' | 'site'>): string[] {
  const { evidence } = ctx;
  const { node, icmp, packet } = site;
  const facts: string[] = [];
  const routes = routesOf(evidence, node);
  const dst = site.entered?.dst ?? site.dst ?? ctx.track.tuples[0]?.dst;
  const route = routes && dst ? lookupRoute(routes.routes, dst) : undefined;
  if (icmp) facts.push(`${node} sent ${icmpName(icmp.version, icmp.type, icmp.code)} for it, as a REJECT rule does, but no NFLOG record names the rule.`);
  const client = ctx.track.tuples[0];
  for (const c of movedDropRules(evidence, node, client ? familyOf(client.src) : undefined)) {
    facts.push(`${c.index === 0 ? `The ${c.table}/${c.chain} policy ${c.policy}` : `Rule ${c.index} of ${c.table}/${c.chain} (${c.rule})`} on ${node} counted ${c.packetsBefore}→${c.packetsAfter} packets, without an NFLOG record of this ${packet}.`);
  }
  if (route && dst) facts.push(`${node} has a route to ${dst}: "${describeRoute(route)}".`);
  else if (!routes) facts.push(`No routing table was recorded for ${node}.`);
  if (!hasKernelCounters(evidence, node)) facts.push(`No kernel counters were recorded for ${node}.`);
  else facts.push(`No drop counter (IpExt.InNoRoutes, Ip.OutNoRoutes, TcpExt.IPReversePathFilter) moved on ${node}.`);
  return facts;
}

export function unknownPhrase(drop: DropEvidence): string {
  return drop.inconclusive ? `unknown (${drop.inconclusive})` : 'cause unknown (no NFLOG record, no route or rp_filter counter moved)';
}
