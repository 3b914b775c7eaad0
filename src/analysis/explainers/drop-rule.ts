/**
 * drop-rule: a rule that drops without logging (a raw ruleset's `-j DROP`, an nft `counter drop`)
 * counted packets of the packet's family on the node, in the chain the packet took (INPUT for the
 * node's own address, FORWARD otherwise), and no NFLOG record names a rule. Counters are the
 * node's, not the packet's: a rule that cannot have matched it (an INVALID drop, for the packet
 * that opens a connection) is not cited. The node's conntrack state for the flow backs it up.
 */
import { familyOf } from '../../util/ip.js';
import type { DropContext, DropSite } from '../explain-drop.js';
import { movedDropRules } from '../node-state.js';
import type { RuleCounter } from '../types.js';
import type { DropExplainer } from './explainer.js';
import { conntrackState, ruleTable } from './nflog-rule.js';

/** The packet's family, and whether the node took it for itself (the input hook) or forwarded it. */
export function packetPlace(ctx: DropContext, site: DropSite): { family?: 4 | 6; local: boolean } {
  const dst = site.entered?.dst ?? site.dst ?? ctx.track.tuples[0]?.dst;
  const src = ctx.track.tuples[0]?.src;
  return { ...(src ? { family: familyOf(src) } : {}), local: dst !== undefined && ctx.lab.owns(site.node, dst) };
}

/** Whether a chain (by name, or an nft base chain's hook) is the one the packet took. */
export function onPath(c: RuleCounter, local: boolean): boolean {
  const want = local ? 'input' : 'forward';
  return c.chain.toLowerCase() === want || c.hook === want;
}

const BASE_CHAINS = new Set(['prerouting', 'input', 'forward', 'output', 'postrouting']);

/**
 * Counted drop rules of the node that could have dropped this packet: in the chain of its hook
 * (or a chain of the user's, which any hook may jump to), and not an INVALID drop when the packet
 * opens the connection (conntrack classes a first packet NEW, never INVALID).
 */
export function candidateDropRules(ctx: DropContext, site: DropSite): RuleCounter[] {
  const { family, local } = packetPlace(ctx, site);
  const opening = site.trace !== undefined && site.trace === ctx.track.traces[0] && site.trace.direction === 'forward';
  return movedDropRules(ctx.evidence, site.node, family).filter(
    (c) => c.index > 0 && !c.uncounted && (onPath(c, local) || !BASE_CHAINS.has(c.chain.toLowerCase())) && !(opening && /invalid/i.test(c.rule)),
  );
}

export const dropRule: DropExplainer = {
  reason: 'drop-rule',
  words: 'a firewall rule that drops without logging',
  explain({ ctx, site }) {
    const { local } = packetPlace(ctx, site);
    const rules = candidateDropRules(ctx, site);
    if (!rules.length) return undefined;
    const c = rules.find((r) => onPath(r, local)) ?? rules[0];
    const facts = [
      `Rule ${c.index} of ${ruleTable(c)}/${c.chain} on ${site.node} (${c.rule}) counted ${c.packetsBefore}→${c.packetsAfter} packets; it drops without logging, so no NFLOG record names it.`,
      ...rules.filter((r) => r !== c).map((r) => `Rule ${r.index} of ${ruleTable(r)}/${r.chain} (${r.rule}) also dropped packets: ${r.packetsBefore}→${r.packetsAfter}.`),
    ];
    const ct = conntrackState(ctx, site.node);
    facts.push(...ct.facts);
    if (/invalid/i.test(c.rule) && !ct.entry) facts.push(`Without an entry, conntrack classed the ${site.packet} ctstate INVALID, which rule ${c.index} drops.`);
    return { reason: 'drop-rule', node: site.node, table: c.table, chain: c.chain, ruleIndex: c.index, counter: { before: c.packetsBefore, after: c.packetsAfter }, conntrackEntry: ct.entry, facts };
  },
  phrase: (drop) =>
    `dropped by rule ${drop.ruleIndex} of ${drop.table}/${drop.chain} (counter ${drop.counter?.before}→${drop.counter?.after}), which logs nothing; ${drop.node} had ${drop.conntrackEntry ? 'a' : 'no'} conntrack entry`,
};
