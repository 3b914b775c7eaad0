/**
 * Who answered a SYN with a RST, and why, in words. The flow's server answering is a closed port
 * on it. Another node answering is one of two things, told apart by what it has: a node that
 * filters (an NFLOG group, rule counters, conntrack events) with a REJECT rule whose counter moved
 * rejected it for the server; a plain host (or a node the SYN was addressed to itself) answered
 * from its own TCP stack, because nothing listens on the port the SYN reached it on (a DNAT that
 * sends the SYN to a host with no such service, say).
 */
import type { Located } from './connection-verdict.js';
import type { DropContext } from './explain-drop.js';
import { filters, ruleTable } from './explainers/nflog-rule.js';
import { formatTuple } from './tuple.js';
import type { Sighting } from './types.js';

const hostPort = (address: string, port: number | undefined) => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);

/** The node that rewrote the SYN's destination on the way (a DNAT), with the addresses before and after. */
function dnatOf(syn: Located | undefined): { node: string; from: Sighting; to: Sighting } | undefined {
  const s = syn?.path.sightings ?? [];
  for (const into of s) {
    if (into.direction !== 'in') continue;
    const out = s.find((o) => o.node === into.node && o.direction === 'out' && (o.dst !== into.dst || o.dstPort !== into.dstPort));
    if (out) return { node: into.node, from: into, to: out };
  }
  return undefined;
}

/** "(nothing listening on the port?)", or what stands for it, for the summary of a reset. */
export function resetNote(ctx: DropContext, by: string, syn: Located | undefined): string {
  const { server } = ctx.track.record;
  if (by === server) return ' (nothing listening on the port?)';
  const reached = syn?.path.sightings.find((s) => s.node === by && s.direction === 'in');
  if (filters(ctx.evidence, by)) {
    const reject = ctx.evidence.counters.find((c) => c.node === by && c.packetsAfter > c.packetsBefore && /REJECT|\breject\b/.test(c.rule));
    if (reject) return ` on behalf of ${server}: a REJECT (rule ${reject.index} of ${ruleTable(reject)}/${reject.chain}, ${reject.rule}, counter ${reject.packetsBefore}→${reject.packetsAfter})`;
    if (!reached || !ctx.lab.owns(by, reached.dst)) return ` on behalf of ${server} (a REJECT with tcp-reset?)`;
  }
  const where = reached ? hostPort(reached.dst, reached.dstPort) : 'the port';
  const owners = reached ? ctx.lab.ownersOf(reached.dst).map((o) => o.node.name) : [];
  // A shared address (anycast, a VIP): the SYN went to another of its owners than the flow's server.
  if (owners.length > 1 && owners.includes(by)) return ` from its own TCP stack: ${reached!.dst} is shared by ${owners.join(', ')}, and the SYN reached ${by}, not ${server}, where nothing listens on ${where}`;
  const dnat = dnatOf(syn);
  const why = dnat ? `; ${dnat.node}'s DNAT sent the SYN there (${formatTuple({ src: dnat.from.src, dst: dnat.from.dst, sport: dnat.from.srcPort, dport: dnat.from.dstPort })} became ${hostPort(dnat.to.dst, dnat.to.dstPort)}), not to ${server}` : '';
  return ` from its own TCP stack: nothing listens on ${where} there${why}`;
}
