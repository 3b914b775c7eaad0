/**
 * chain-policy: the packet fell off the end of a chain whose policy drops it. iptables counts a
 * policy: its counter moved (`:FORWARD DROP [0:0]` → `[2:120]`). nftables does not: a base chain
 * on the packet's hook (input for the node's own address, forward otherwise) with policy drop is
 * then the cause only when no counted rule that could have dropped the packet moved, which the
 * fact says.
 */
import type { RuleCounter } from '../types.js';
import type { DropExplainer } from './explainer.js';
import { candidateDropRules, onPath, packetPlace } from './drop-rule.js';
import { filters, ruleTable } from './nflog-rule.js';

const dropsAll = (c: RuleCounter) => c.index === 0 && (c.drops ?? /^DROP$/i.test(c.policy ?? ''));

export const chainPolicy: DropExplainer = {
  reason: 'chain-policy',
  words: "a chain's drop policy",
  explain({ ctx, site }) {
    const { node } = site;
    const { family, local } = packetPlace(ctx, site);
    const policies = ctx.evidence.counters.filter((c) => c.node === node && dropsAll(c) && (family === undefined || c.family === undefined || c.family === family));
    const c = policies.find((p) => !p.uncounted && p.packetsAfter > p.packetsBefore && onPath(p, local));
    if (c) {
      return {
        reason: 'chain-policy',
        table: c.table,
        chain: c.chain,
        counter: { before: c.packetsBefore, after: c.packetsAfter },
        facts: [`The ${ruleTable(c)}/${c.chain} policy ${c.policy} on ${node} counted ${c.packetsBefore}→${c.packetsAfter} packets: packets no rule of the chain took were dropped, and no rule logs them.`],
      };
    }
    // nftables keeps no policy counter: infer it, and say so.
    const hook = policies.find((p) => p.uncounted && onPath(p, local));
    if (!hook || !filters(ctx.evidence, node) || candidateDropRules(ctx, site).length) return undefined;
    return {
      reason: 'chain-policy',
      table: hook.table,
      chain: hook.chain,
      facts: [
        `${hook.table}/${hook.chain} on ${node} is the ${hook.hook} hook's chain, with policy ${hook.policy}; nftables keeps no counter for a policy, and no counted rule that could have dropped the ${site.packet} moved, so the policy dropped it.`,
      ],
    };
  },
  phrase(drop) {
    // nftables spells policies in lower case, iptables in upper
    const policy = /\s/.test(drop.table ?? '') ? 'drop' : 'DROP';
    return drop.counter
      ? `dropped by ${drop.table}/${drop.chain} policy ${policy} (counter ${drop.counter.before}→${drop.counter.after})`
      : `dropped by ${drop.table}/${drop.chain} policy ${policy} (nftables counts no policy; no counted rule dropped it)`;
  },
};
