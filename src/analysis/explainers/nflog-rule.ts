/**
 * firewall-rule: an NFLOG capture holds that very packet (the protocol's key: for TCP the same
 * flags, seq, ack and length), logged by a drop rule whose prefix names node, chain and rule.
 * The rule's counter and the node's conntrack state for the flow back it up. Whether a node
 * filters is read from what it has (an NFLOG capture, a saved ruleset, conntrack events), never
 * from its kind: a router with a `firewall:` section is a firewall here.
 */
import { parseNflogPrefix } from '../../firewall/nflog-prefix.js';
import type { DropContext } from '../explain-drop.js';
import { conntrackFor, describeConntrack, ruleCounterFor } from '../node-state.js';
import { formatTuple } from '../tuple.js';
import type { PacketTrace, RuleCounter, RunEvidence } from '../types.js';
import { familyOf } from '../../util/ip.js';
import { windowOf } from '../window.js';
import type { DropExplainer, DropFinding } from './explainer.js';

/** NFLOG records of that very packet, per node and prefix. */
function nflogHits(ctx: DropContext, trace: PacketTrace): { node: string; prefix: string; count: number }[] {
  const { packets } = ctx.track.protocol;
  const want = packets.traceKey(trace);
  const hits = new Map<string, { node: string; prefix: string; count: number }>();
  for (const cap of ctx.evidence.nflog) {
    for (const p of cap.packets) {
      if (!packets.claims(p) || packets.key(p) !== want) continue;
      const prefix = p.nflog?.prefix ?? '';
      const k = `${cap.node}\0${prefix}`;
      const h = hits.get(k) ?? { node: cap.node, prefix, count: 0 };
      h.count++;
      hits.set(k, h);
    }
  }
  return [...hits.values()];
}

/** Whether asymlab watched the node as a firewall: its NFLOG group, its ruleset or its conntrack table. */
export function filters(evidence: RunEvidence, node: string): boolean {
  return evidence.nflog.some((c) => c.node === node) || evidence.counters.some((c) => c.node === node) || evidence.conntrack.some((e) => e.node === node);
}

/** Whether `node` knew the flow in conntrack, and which other node did instead. */
export function conntrackState(ctx: DropContext, node: string): { entry: boolean; facts: string[] } {
  const { from, to } = windowOf(ctx.track.record);
  const hasAny = ctx.evidence.conntrack.some((e) => e.node === node);
  const mine = conntrackFor(ctx.evidence, node, ctx.track.tuples, from, to);
  const client = formatTuple(ctx.track.tuples[0]);
  const facts = [
    mine.length
      ? `${node} had a conntrack entry for the flow: ${describeConntrack(mine[mine.length - 1])}.`
      : hasAny
        ? `${node} had no conntrack entry for the flow: none of its conntrack events matches ${client} or its NAT forms, in either direction.`
        : `${node} had no conntrack entry for the flow: no conntrack event of ${node} was recorded.`,
  ];
  // Where the state is instead: the stateful node the other direction went through.
  for (const other of ctx.lab.nodes) {
    if (other.name === node) continue;
    const there = conntrackFor(ctx.evidence, other.name, ctx.track.tuples, from, to);
    if (there.length) facts.push(`The flow's conntrack entry is on ${other.name} instead: ${describeConntrack(there[there.length - 1])}.`);
  }
  return { entry: mine.length > 0, facts };
}

/** Where a rule is, as its ruleset names it: `filter`, `ip6tables filter` for an IPv6 iptables rule, `inet filter` (nftables). */
export function ruleTable(c: RuleCounter): string {
  return c.family === 6 && !c.table.includes(' ') ? `ip6tables ${c.table}` : c.table;
}

export const nflogRule: DropExplainer = {
  reason: 'firewall-rule',
  words: 'a firewall rule',
  explain({ ctx, site, note }) {
    const { node, trace, packet } = site;
    const hits = trace ? nflogHits(ctx, trace) : [];
    const hit = hits.find((h) => h.node === node) ?? hits[0];
    if (!hit) {
      const cap = ctx.evidence.nflog.find((n) => n.node === node);
      if (filters(ctx.evidence, node)) {
        if (!cap) note(`No NFLOG capture was recorded on ${node}.`);
        else if (cap.droppedByKernel > 0) note(`${node}'s NFLOG capture lost ${cap.droppedByKernel} records, so its silence proves nothing.`);
        else note(`${node}'s NFLOG capture has no record of this ${packet}.`);
      }
      return undefined;
    }
    const facts: string[] = [];
    if (hit.node !== node) facts.push(`The ${packet} was logged by NFLOG on ${hit.node}, not on ${node} where the captures last saw it.`);
    const rule = parseNflogPrefix(hit.prefix);
    const found: DropFinding = { reason: 'firewall-rule', node: hit.node, nflogPrefix: hit.prefix, facts };
    if (rule) Object.assign(found, { chain: rule.chain, ruleIndex: rule.index, ruleLabel: rule.label });
    facts.push(`${hit.node}'s NFLOG capture holds this ${packet} (${hit.count} cop${hit.count === 1 ? 'y' : 'ies'}) with prefix ${hit.prefix}.`);
    const client = ctx.track.tuples[0];
    const c = ruleCounterFor(ctx.evidence, hit.node, hit.prefix, rule?.chain, rule?.index, client ? familyOf(client.src) : undefined);
    if (c) {
      found.counter = { before: c.packetsBefore, after: c.packetsAfter };
      // A prefix of the user's own (a raw ruleset) names no rule: the counter that carries it does.
      if (!rule) Object.assign(found, { chain: c.chain, ruleIndex: c.index, table: c.table });
      facts.push(`Rule ${c.index} of ${ruleTable(c)}/${c.chain} on ${hit.node} (${c.rule}) counted ${c.packetsBefore}→${c.packetsAfter} packets.`);
    } else facts.push(`No rule counter was recorded for that rule on ${hit.node}.`);
    const ct = conntrackState(ctx, hit.node);
    found.conntrackEntry = ct.entry;
    facts.push(...ct.facts);
    if (rule?.label === 'invalid' && !ct.entry) facts.push(`Without an entry, conntrack classed the ${packet} ctstate INVALID, which rule ${rule.index} drops.`);
    // A stray UDP reply is no error to conntrack: it opens a connection of its own, which nothing allows.
    if (rule?.label === 'default-drop' && !ct.entry && site.trace?.direction === 'return' && ctx.track.protocol.strayReply === 'NEW') {
      found.ctstate = 'NEW';
      facts.push(`Without an entry, conntrack classed the ${packet} ctstate NEW: the reply looked like a new connection from outside, which no rule allows, so default-drop rule ${rule.index} dropped it.`);
    }
    return found;
  },
  phrase(drop) {
    const counter = drop.counter ? `, counter ${drop.counter.before}→${drop.counter.after}` : '';
    if (drop.ruleLabel === 'invalid' && drop.conntrackEntry === false) return `${drop.node} had no conntrack entry (ctstate INVALID, rule ${drop.nflogPrefix}${counter})`;
    if (drop.ruleLabel === 'invalid') return `${drop.node} classed it ctstate INVALID despite a conntrack entry (rule ${drop.nflogPrefix}${counter})`;
    // INPUT is the firewall's own: the packet was for the firewall itself, which refused it.
    if (drop.chain === 'INPUT' && drop.ruleLabel === 'default-drop') return `${drop.node} dropped it on its own INPUT chain: a new connection to ${drop.node} itself that no rule allows (rule ${drop.nflogPrefix}${counter})`;
    if (drop.ctstate === 'NEW') return `${drop.node} had no conntrack entry, so the reply looked like a new connection from outside (ctstate NEW): default-drop rule ${drop.ruleIndex} (${drop.nflogPrefix}${counter})`;
    if (drop.table !== undefined) return `dropped by rule ${drop.ruleIndex} of ${drop.table}/${drop.chain} (NFLOG prefix "${drop.nflogPrefix}"${counter}); ${drop.node} had ${drop.conntrackEntry ? 'a' : 'no'} conntrack entry`;
    return `dropped by rule ${drop.nflogPrefix}${counter ? ` (${counter.slice(2)})` : ''}; ${drop.node} had ${drop.conntrackEntry ? 'a' : 'no'} conntrack entry`;
  },
};
