/**
 * What happened to one connection attempt: its result, its forward and return paths, and for a
 * failure the packet that died, where, and (through explain-drop) why.
 *
 * The dying packet of a timed-out connection is the first handshake packet that did not arrive:
 * the SYN if it never reached the server, else the SYN-ACK if it never reached the client, else
 * the earliest packet of the connection that was not delivered.
 */
import type { FlowResult } from '../topology/types.js';
import { explainDrop, type DropContext, type DropSite } from './explain-drop.js';
import { formatTuple, icmpName } from './packet-key.js';
import type { TracedPath } from './trace-path.js';
import type { ConnectionTrack, IcmpSighting } from './track.js';
import type { DropEvidence, PacketTrace, Sighting } from './types.js';

export interface ConnectionFinding {
  track: ConnectionTrack;
  result: FlowResult;
  /** Where it died (dropped, unreachable) or who reset it (reset). */
  at?: string;
  drop?: DropEvidence;
  path: string[];
  returnPath: string[];
  /** One line, e.g. "SYN-ACK entered fw-inet:eth2 and never left; fw-inet had no conntrack entry (…)". */
  summary: string;
  warnings: string[];
}

interface Located {
  trace: PacketTrace;
  path: TracedPath;
}

function find(track: ConnectionTrack, pred: (t: PacketTrace) => boolean): Located | undefined {
  const i = track.traces.findIndex(pred);
  return i < 0 ? undefined : { trace: track.traces[i], path: track.paths[i] };
}

/** Where a trace stopped, as a drop site. */
function siteOf(l: Located, icmp?: IcmpSighting): DropSite {
  const node = l.trace.lastNode!;
  const entered = l.path.sightings.find((s) => s.node === node && s.direction === 'in');
  return { node, ...(entered ? { iface: entered.iface, entered } : {}), trace: l.trace, packet: l.trace.label, ...(icmp ? { icmp } : {}) };
}

/** "SYN-ACK entered fw-inet:eth2 and never left", or what stands in for it. */
function placement(l: Located | undefined, site: DropSite, drop: DropEvidence): string {
  const { packet, node, iface } = site;
  if (!l) return `${packet} never left ${node}`;
  if (drop.inconclusive) return `${packet} last seen entering ${node}${iface ? `:${iface}` : ''}`;
  if (l.path.leftLastNode) {
    const out = l.path.sightings.filter((s) => s.node === node && s.direction === 'out').pop();
    return `${packet} left ${node}${out ? ` by ${out.iface}` : ''} and was not seen again`;
  }
  if (!iface) return `${packet} never left ${node}`;
  return `${packet} entered ${node}:${iface} and never left`;
}

/** The why, short: "fw-inet had no conntrack entry (ctstate INVALID, rule …, counter 0→3)". */
export function reasonPhrase(drop: DropEvidence, site: DropSite): string {
  const counter = drop.counter ? `, counter ${drop.counter.before}→${drop.counter.after}` : '';
  const kc = drop.kernelCounter ? ` (${drop.kernelCounter.name} ${drop.kernelCounter.before}→${drop.kernelCounter.after})` : '';
  switch (drop.reason) {
    case 'firewall-rule':
      if (drop.ruleLabel === 'invalid' && drop.conntrackEntry === false) return `${drop.node} had no conntrack entry (ctstate INVALID, rule ${drop.nflogPrefix}${counter})`;
      if (drop.ruleLabel === 'invalid') return `${drop.node} classed it ctstate INVALID despite a conntrack entry (rule ${drop.nflogPrefix}${counter})`;
      return `dropped by rule ${drop.nflogPrefix}${counter ? ` (${counter.slice(2)})` : ''}; ${drop.node} had ${drop.conntrackEntry ? 'a' : 'no'} conntrack entry`;
    case 'no-route': {
      const dst = site.entered?.dst ?? site.dst;
      return `${drop.node} had no route to ${dst ?? 'the destination'}${kc}`;
    }
    case 'rp-filter':
      return `reverse-path filter: ${drop.node}'s route back to ${site.entered?.src ?? 'the source'} does not leave by ${drop.iface}${kc}`;
    default:
      return drop.inconclusive ? `unknown (${drop.inconclusive})` : 'cause unknown (no NFLOG record, no route or rp_filter counter moved)';
  }
}

/** Wall-clock time of a capture, UTC, to the microsecond: 11:00:00.001050. */
export function clockTime(ts: number): string {
  const d = new Date(Math.floor(ts) * 1000);
  const us = Math.round((ts - Math.floor(ts)) * 1e6);
  return `${d.toISOString().slice(11, 19)}.${String(Math.min(us, 999_999)).padStart(6, '0')}`;
}

function endpoints(s: Sighting): string {
  return formatTuple({ src: s.src, dst: s.dst, sport: s.srcPort, dport: s.dstPort });
}

/** The facts the placement rests on: where the captures saw the packet, and where they did not. */
function placementFacts(ctx: DropContext, l: Located | undefined, site: DropSite): string[] {
  const { record } = ctx.track;
  if (!l) {
    const caps = ctx.lab.capturesOf(site.node).map((c) => `${c.node}:${c.iface}`);
    return [
      `No capture shows the ${site.packet} of ${formatTuple(ctx.track.tuples[0])} leaving ${site.node}${caps.length ? ` (captured: ${caps.join(', ')})` : ''}; the client's connect ended ${record.outcome}${record.errorCode ? ` (${record.errorCode})` : ''} after ${Math.round(record.totalMs)} ms.`,
    ];
  }
  const t = l.trace;
  const id = `${t.label} (flags ${t.flags}, seq ${t.seq}, ack ${t.ack}, ${t.payloadLength} bytes; ${t.copies} cop${t.copies === 1 ? 'y' : 'ies'})`;
  const out = [`The ${id} went ${l.path.nodes.join(' → ')}.`];
  const entered = site.entered;
  if (entered) out.push(`It was captured entering ${site.node} on ${entered.iface} at ${clockTime(entered.ts)} as ${endpoints(entered)}.`);
  if (l.path.leftLastNode) {
    const left = l.path.sightings.filter((s) => s.node === site.node && s.direction === 'out').pop()!;
    const peer = ctx.lab.peer(left.node, left.iface);
    const peerCaptured = peer && ctx.lab.capturesOf(peer.node).some((c) => c.iface === peer.iface);
    out.push(
      `It left ${site.node} by ${left.iface} at ${clockTime(left.ts)}${peer ? `, but ${peerCaptured ? `the capture at ${peer.node}:${peer.iface} does not have it` : `${peer.node}:${peer.iface} was not captured`}` : ''}.`,
    );
  } else if (site.node !== t.origin || entered) {
    const caps = ctx.lab.capturesOf(site.node).map((c) => c.iface);
    out.push(`No capture on ${site.node} (${caps.join(', ') || 'none'}) shows it leaving.`);
  }
  return out;
}

function nodesOf(l: Located | undefined): string[] {
  return l ? l.path.nodes : [];
}

export function connectionFinding(ctx: DropContext): ConnectionFinding {
  const { track } = ctx;
  const { record } = track;
  const warnings: string[] = [];
  const syn = find(track, (t) => t.direction === 'forward' && t.label === 'SYN');
  const synAck = find(track, (t) => t.direction === 'return' && t.label === 'SYN-ACK');
  const rst = find(track, (t) => t.direction === 'return' && t.label === 'RST');
  const path = nodesOf(syn);
  const returnPath = nodesOf(synAck ?? rst);
  const base = { track, path, returnPath, warnings };
  if (track.traces.length === 0 && record.outcome !== 'unreachable') {
    warnings.push(`No packet of ${record.flow} attempt ${record.attempt} (${record.srcAddress}:${record.srcPort} → ${record.dstAddress}:${record.dstPort}) was captured.`);
  }
  if (path.length && path[0] !== record.client) warnings.push(`The SYN of attempt ${record.attempt} was first seen on ${path[0]}, not on the client ${record.client}.`);

  const fail = (result: FlowResult, site: DropSite, l: Located | undefined, lead?: string): ConnectionFinding => {
    const drop = explainDrop(ctx, site);
    drop.facts.unshift(...placementFacts(ctx, l, site));
    const summary = `${lead ?? placement(l, site, drop)}; ${reasonPhrase(drop, site)}`;
    return { ...base, result, at: drop.node, drop, summary };
  };

  switch (record.outcome) {
    case 'connected':
      if (!record.echoed) warnings.push(`Attempt ${record.attempt} connected but the payload did not come back intact.`);
      for (const l of [syn, synAck]) {
        if (l && !l.trace.delivered) warnings.push(`Attempt ${record.attempt} connected, yet its ${l.trace.label} was last captured at ${l.trace.lastNode}: a capture is missing packets.`);
      }
      return { ...base, result: 'delivered', summary: 'delivered' };

    case 'refused':
    case 'error':
      if (record.outcome === 'refused' || rst?.trace.delivered) {
        if (record.outcome === 'error') warnings.push(`The client reported ${record.errorCode ?? 'an error'}; a RST reached it.`);
        const by = rst?.trace.origin ?? record.server;
        const note = by !== record.server ? ` on behalf of ${record.server} (a REJECT with tcp-reset?)` : ' (nothing listening on the port?)';
        const summary = rst ? `${by} answered the SYN with RST${note}; RST path ${rst.path.nodes.join(' → ')}` : 'connection refused; no RST was captured';
        return { ...base, result: 'reset', at: by, summary };
      }
      warnings.push(`The client reported ${record.errorCode ?? 'an error'}, not a timeout; the packets are read as a drop.`);
      break;

    case 'unreachable': {
      const icmp = track.icmp.find((i) => i.quotedDirection === 'forward' && ctx.lab.owns(i.node, i.src)) ?? track.icmp.find((i) => i.quotedDirection === 'forward');
      if (icmp) {
        const sender = ctx.lab.addressOwner(icmp.src) ?? icmp.node;
        const quoted = find(track, (t) => t.direction === 'forward' && (icmp.quotedSeq === undefined || t.seq === icmp.quotedSeq)) ?? syn;
        const entered = quoted?.path.sightings.find((s) => s.node === sender && s.direction === 'in');
        const site: DropSite = { node: sender, packet: quoted?.trace.label ?? 'SYN', icmp, ...(quoted ? { trace: quoted.trace } : {}), ...(entered ? { iface: entered.iface, entered } : {}) };
        const lead = `${sender} answered the ${site.packet}${entered ? ` (in on ${entered.iface})` : ''} with ${icmpName(icmp.version, icmp.type, icmp.code)}`;
        return fail('unreachable', site, quoted, lead);
      }
      if (!syn) {
        const site: DropSite = { node: record.client, packet: 'SYN', dst: record.dstAddress };
        return fail('unreachable', site, undefined, `SYN never left ${record.client} (connect failed: ${record.errorCode ?? 'unreachable'})`);
      }
      warnings.push(`The client got ${record.errorCode ?? 'an ICMP error'} but no ICMP error for the connection was captured.`);
      return fail('unreachable', siteOf(syn), syn);
    }

    case 'timeout':
      break;
  }

  // A drop (timeout, or an error without a RST).
  if (!syn) {
    const site: DropSite = { node: record.client, packet: 'SYN', dst: record.dstAddress };
    return fail('dropped', site, undefined);
  }
  if (!syn.trace.delivered) return fail('dropped', siteOf(syn), syn);
  if (!synAck) {
    const server = syn.trace.lastNode ?? record.server;
    const site: DropSite = { ...siteOf(syn), node: server };
    return fail('dropped', site, syn, `SYN reached ${server}${site.iface ? `:${site.iface}` : ''} but ${server} never answered`);
  }
  if (!synAck.trace.delivered) return fail('dropped', siteOf(synAck), synAck);
  const lost = find(track, (t) => !t.delivered);
  if (lost) return fail('dropped', siteOf(lost), lost);
  warnings.push(`Every captured packet of attempt ${record.attempt} was delivered, yet the client timed out.`);
  const site: DropSite = { node: record.client, packet: 'reply' };
  return fail('dropped', site, undefined, `every packet arrived, yet ${record.client} timed out`);
}
