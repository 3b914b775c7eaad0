/**
 * wrong-owner: the packet was addressed to the node itself, which is not the end it was meant
 * for. Either its destination is shared (several nodes have it on their loopbacks: anycast, a NAT
 * pool on two firewalls, a VIP) and it reached another owner than the flow's; or it is a reply
 * that reached the owner of a NAT address instead of the client behind it (a stray reply to a
 * firewall that never saw the request). Tried first: the fact belongs with any cause. A node that
 * filters keeps it as a note, and its rules say what became of the packet.
 */
import { filters } from './nflog-rule.js';
import type { DropExplainer } from './explainer.js';

export const wrongOwner: DropExplainer = {
  reason: 'wrong-owner',
  words: 'delivery to a node the packet was not meant for',
  explain({ ctx, site, note }) {
    const { node, entered, trace, packet } = site;
    if (!entered || !trace || !ctx.lab.owns(node, entered.dst)) return undefined;
    const reply = trace.direction === 'return';
    const end = reply ? ctx.track.record.client : ctx.track.record.server;
    const owners = ctx.lab.ownersOf(entered.dst).map((o) => o.node.name);
    if (node === end || (!reply && owners.length < 2)) return undefined;
    const shared = owners.length > 1 ? ` (shared by ${owners.join(', ')})` : '';
    const fact = `${entered.dst} is an address of ${node}${shared}: the ${packet} was delivered to ${node} itself, not to ${end}, the ${reply ? 'client' : 'server'} it was for.`;
    if (filters(ctx.evidence, node)) {
      note(fact);
      return undefined;
    }
    return { reason: 'wrong-owner', facts: [fact] };
  },
  phrase: (drop, site) => `${drop.node} took it for itself: ${site.entered?.dst ?? 'its destination'} is also ${drop.node}'s, and nothing there answered`,
};
