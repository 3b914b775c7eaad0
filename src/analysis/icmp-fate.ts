/**
 * Where the ICMP errors about a connection went. Each error is evidence for the flow it quotes,
 * whatever that flow's protocol (track.ts ties it by the quote): this follows every one of them
 * from the node that sent it, hop by hop, to the node it was for or to where it died, and names
 * the NFLOG rule that logged it there, if one did. Copies along the same path with the same fate
 * (one per retransmission of the packet they quote) are counted as one. Pure.
 */
import { parseNflogPrefix } from '../firewall/nflog-prefix.js';
import { isIcmpError, icmpName } from './icmp-error.js';
import type { DropContext } from './explain-drop.js';
import { ruleCounterFor } from './node-state.js';
import { tracePath } from './trace-path.js';
import type { IcmpSighting } from './track.js';
import type { IcmpErrorTrace, PacketTrace } from './types.js';

/** One error as sent: its kind, its IPv4 id (kept by every hop and by NAT), and what it quotes. */
const errorKey = (i: IcmpSighting) => `${i.version}|${i.type}|${i.code}|${i.ipId ?? ''}|${i.quotedDirection}|${i.quotedSeq ?? ''}|${i.quotedDigest ?? ''}`;

/** NFLOG records of the error on `node`: same kind, and the same IPv4 id where there is one. */
function nflogOf(ctx: DropContext, node: string, first: IcmpSighting): string | undefined {
  for (const cap of ctx.evidence.nflog) {
    if (cap.node !== node) continue;
    for (const p of cap.packets) {
      if (!isIcmpError(p) || p.icmp!.type !== first.type || p.icmp!.code !== first.code) continue;
      if (first.ipId !== undefined && p.ip?.id !== first.ipId) continue;
      if (p.nflog?.prefix) return p.nflog.prefix;
    }
  }
  return undefined;
}

/**
 * The packet an error is about, of the traces its quote fits (a short quote fits several: TCP's
 * ACK and data segment share a seq): best one of the quoted length that ended at the error's
 * sender, then one of that length, then one that ended there, then the first.
 */
function aboutOf(ctx: DropContext, i: IcmpSighting, sender: string): PacketTrace | undefined {
  const fits = ctx.track.traces.filter((t) => t.direction === i.quotedDirection && ctx.track.protocol.packets.quotes(i, t));
  const score = (t: PacketTrace) => (i.quotedLength !== undefined && t.payloadLength === i.quotedLength ? 2 : 0) + (t.lastNode === sender ? 1 : 0);
  return fits.reduce<PacketTrace | undefined>((best, t) => (!best || score(t) > score(best) ? t : best), undefined);
}

export function icmpErrorTraces(ctx: DropContext): IcmpErrorTrace[] {
  const groups = new Map<string, IcmpSighting[]>();
  for (const i of ctx.track.icmp) groups.set(errorKey(i), [...(groups.get(errorKey(i)) ?? []), i]);
  const out = new Map<string, IcmpErrorTrace>();
  for (const sightings of groups.values()) {
    const first = sightings[0];
    const owner = ctx.lab.addressOwner(first.src);
    const path = tracePath(sightings, ctx.lab, owner);
    const sender = owner ?? path.origin ?? first.node;
    const about = aboutOf(ctx, first, sender);
    const t: IcmpErrorTrace = {
      name: icmpName(first.version, first.type, first.code),
      sender,
      about: about?.label ?? (first.quotedDirection === 'forward' ? 'request' : 'reply'),
      ...(first.mtu !== undefined ? { mtu: first.mtu } : {}),
      src: first.src,
      dst: first.dst,
      path: path.nodes,
      delivered: path.deliveredAt !== undefined,
      copies: 1,
    };
    if (!t.delivered && path.lastNode) {
      t.diedAt = path.lastNode;
      if (path.lastIface) t.iface = path.lastIface;
      const prefix = nflogOf(ctx, path.lastNode, first);
      if (prefix) {
        t.nflogPrefix = prefix;
        const rule = parseNflogPrefix(prefix);
        const c = ruleCounterFor(ctx.evidence, path.lastNode, prefix, rule?.chain, rule?.index, first.version);
        if (c) t.counter = { before: c.packetsBefore, after: c.packetsAfter };
      }
    }
    const same = `${t.name}|${t.mtu}|${t.sender}|${t.about}|${t.path.join(',')}|${t.delivered}|${t.nflogPrefix ?? ''}`;
    const seen = out.get(same);
    if (seen) seen.copies++;
    else out.set(same, t);
  }
  return [...out.values()];
}

/** "its ICMP fragmentation needed (mtu 1300) died at fw:eth2 (rule asymlab:fw:FORWARD:1:drop-icmp)" */
export function icmpFatePhrase(t: IcmpErrorTrace): string {
  const what = `${t.name}${t.mtu !== undefined ? ` (mtu ${t.mtu})` : ''}`;
  if (t.delivered) return `${what} from ${t.sender} reached ${t.path[t.path.length - 1]}`;
  if (!t.diedAt) return `${what} from ${t.sender} was not captured past it`;
  return `${what} from ${t.sender} died at ${t.diedAt}${t.iface ? `:${t.iface}` : ''}${t.nflogPrefix ? ` (rule ${t.nflogPrefix})` : ''}`;
}

/** One sentence per error: who sent it about which packet, the way it went, where it ended and why. */
export function icmpFateFact(t: IcmpErrorTrace): string {
  const what = `${t.name}${t.mtu !== undefined ? ` (mtu ${t.mtu})` : ''}`;
  const copies = t.copies > 1 ? ` (${t.copies} of them)` : '';
  const way = t.path.length ? `it went ${t.path.join(' → ')}` : 'no capture shows where it went';
  let end: string;
  if (t.delivered) end = `and reached ${t.path[t.path.length - 1]}`;
  else if (!t.diedAt) end = 'and was not seen arriving';
  else {
    const counter = t.counter ? `, counter ${t.counter.before}→${t.counter.after}` : '';
    end = `and died at ${t.diedAt}${t.iface ? `:${t.iface}` : ''}${t.nflogPrefix ? `, logged by NFLOG rule ${t.nflogPrefix}${counter}` : ' (no NFLOG record names a rule)'}`;
  }
  return `${t.sender} sent ${what} about the ${t.about}${copies} (${t.src} → ${t.dst}); ${way} ${end}.`;
}
