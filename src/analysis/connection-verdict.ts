/**
 * What happened to one connection attempt: its result, its forward and return paths, and for a
 * failure the packet that died, where, and (through explain-drop) why.
 *
 * The flow's protocol decides (FlowProtocol.decide: which packets open and answer a connection,
 * what a reset is); the steps every protocol shares live here: locating a packet, placing where
 * it stopped, walking a request/reply exchange to the first packet that did not arrive, and an
 * ICMP error that answered the request.
 */
import type { FlowResult } from '../topology/types.js';
import { clockTime } from '../util/time.js';
import { explainDrop, reasonPhrase, type DropContext, type DropSite } from './explain-drop.js';
import { icmpName } from './icmp-error.js';
import { icmpErrorTraces, icmpFateFact } from './icmp-fate.js';
import type { TracedPath } from './trace-path.js';
import type { ConnectionTrack, IcmpSighting } from './track.js';
import { formatTuple } from './tuple.js';
import type { DropEvidence, IcmpErrorTrace, PacketTrace, Sighting } from './types.js';

export interface ConnectionFinding {
  track: ConnectionTrack;
  result: FlowResult;
  /** The ICMP errors about the attempt's packets, followed to where they ended. */
  icmpErrors?: IcmpErrorTrace[];
  /** Where it died (dropped, unreachable) or who reset it (reset). */
  at?: string;
  drop?: DropEvidence;
  path: string[];
  returnPath: string[];
  /** One line, e.g. "SYN-ACK entered fw-inet:eth2 and never left; fw-inet had no conntrack entry (…)". */
  summary: string;
  warnings: string[];
}

/** A finding before its result: the paths and the warnings gathered so far. */
export type FindingBase = Pick<ConnectionFinding, 'track' | 'path' | 'returnPath' | 'warnings'>;

/** Drops a firewall's rules made: a packet that reached its own firewall and died there was dropped, not left unanswered. */
const FIREWALL_REASONS = new Set<DropEvidence['reason']>(['firewall-rule', 'drop-rule', 'chain-policy']);

/** One traced packet with the path detail behind it. */
export interface Located {
  trace: PacketTrace;
  path: TracedPath;
}

export function locate(track: ConnectionTrack, pred: (t: PacketTrace) => boolean): Located | undefined {
  const i = track.traces.findIndex(pred);
  return i < 0 ? undefined : { trace: track.traces[i], path: track.paths[i] };
}

export function nodesOf(l: Located | undefined): string[] {
  return l ? l.path.nodes : [];
}

/** Where a trace stopped, as a drop site. */
export function siteOf(l: Located, icmp?: IcmpSighting): DropSite {
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
  const id = `${t.label} (${ctx.track.protocol.packets.describe(t)}; ${t.copies} cop${t.copies === 1 ? 'y' : 'ies'})`;
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

/**
 * The start of every finding: the paths, and the warnings any protocol gives (nothing captured;
 * the opening packet first seen away from the client).
 */
export function startFinding(ctx: DropContext, path: string[], returnPath: string[], opening: string): FindingBase {
  const { track } = ctx;
  const { record } = track;
  const warnings: string[] = [];
  if (track.traces.length === 0 && record.outcome !== 'unreachable') {
    warnings.push(`No packet of ${record.flow} attempt ${record.attempt} (${record.srcAddress}:${record.srcPort} → ${record.dstAddress}:${record.dstPort}) was captured.`);
  }
  if (path.length && path[0] !== record.client) warnings.push(`The ${opening} of attempt ${record.attempt} was first seen on ${path[0]}, not on the client ${record.client}.`);
  return { track, path, returnPath, warnings };
}

/** A failed attempt: the drop at `site` explained, placed, and summed up in one line. */
/** `lead` may depend on the drop's explanation: undefined from it keeps the placement. */
export function failure(ctx: DropContext, base: FindingBase, result: FlowResult, site: DropSite, l: Located | undefined, lead?: string | ((drop: DropEvidence) => string | undefined)): ConnectionFinding {
  const drop = explainDrop(ctx, site);
  drop.facts.unshift(...placementFacts(ctx, l, site));
  // Every ICMP error about the attempt is evidence: where it went and where it died (mtu says it already).
  if (drop.reason !== 'mtu') drop.facts.push(...icmpErrorTraces(ctx).map(icmpFateFact));
  const said = typeof lead === 'function' ? lead(drop) : lead;
  const summary = `${said ?? placement(l, site, drop)}; ${reasonPhrase(drop, site)}`;
  return { ...base, result, at: drop.node, drop, summary };
}

/**
 * The client was told the destination is unreachable: the ICMP error that says so (sent by the
 * node owning its source address, else any that quotes a forward packet) names where, else the
 * request never left the client, else the request's last sighting stands in.
 */
export function unreachableFinding(ctx: DropContext, base: FindingBase, request: Located | undefined, requestLabel: string): ConnectionFinding {
  return icmpErrorFinding(ctx, base, request, requestLabel, 'unreachable', () => true);
}

/**
 * An ICMP error answered the request (those `which` accepts): its sender is where the request
 * ended, and `result` what the attempt came to (unreachable, ttl-exceeded).
 */
export function icmpErrorFinding(
  ctx: DropContext,
  base: FindingBase,
  request: Located | undefined,
  requestLabel: string,
  result: FlowResult,
  which: (i: IcmpSighting) => boolean,
): ConnectionFinding {
  const { track } = ctx;
  const { record } = track;
  const errors = track.icmp.filter((i) => i.quotedDirection === 'forward' && which(i));
  const icmp = errors.find((i) => ctx.lab.owns(i.node, i.src)) ?? errors[0];
  if (icmp) {
    const sender = ctx.lab.addressOwner(icmp.src) ?? icmp.node;
    const quoted = locate(track, (t) => t.direction === 'forward' && track.protocol.packets.quotes(icmp, t)) ?? request;
    const entered = quoted?.path.sightings.find((s) => s.node === sender && s.direction === 'in');
    const site: DropSite = { node: sender, packet: quoted?.trace.label ?? requestLabel, icmp, ...(quoted ? { trace: quoted.trace } : {}), ...(entered ? { iface: entered.iface, entered } : {}) };
    const lead = `${sender} answered the ${site.packet}${entered ? ` (in on ${entered.iface})` : ''} with ${icmpName(icmp.version, icmp.type, icmp.code)}${icmp.mtu !== undefined ? ` (mtu ${icmp.mtu})` : ''}`;
    return failure(ctx, base, result, site, quoted, lead);
  }
  if (!request) {
    const site: DropSite = { node: record.client, packet: requestLabel, dst: record.dstAddress };
    return failure(ctx, base, result, site, undefined, `${requestLabel} never left ${record.client} (connect failed: ${record.errorCode ?? result})`);
  }
  base.warnings.push(`The client got ${record.errorCode ?? 'an ICMP error'} but no ICMP error for the connection was captured.`);
  return failure(ctx, base, result, siteOf(request), request);
}

/**
 * A drop in a request/reply exchange: the first packet that did not arrive. The request if the
 * server never saw it, else the reply if the client never saw it (or no reply at all), else the
 * earliest packet of the attempt that was not delivered.
 */
export function droppedFinding(ctx: DropContext, base: FindingBase, request: Located | undefined, reply: Located | undefined, requestLabel: string): ConnectionFinding {
  const { track } = ctx;
  const { record } = track;
  if (!request) {
    const site: DropSite = { node: record.client, packet: requestLabel, dst: record.dstAddress };
    return failure(ctx, base, 'dropped', site, undefined);
  }
  if (!request.trace.delivered) return failure(ctx, base, 'dropped', siteOf(request), request);
  if (!reply) {
    const server = request.trace.lastNode ?? record.server;
    const site: DropSite = { ...siteOf(request), node: server };
    // A firewall that dropped it on its own INPUT did not "not answer": it dropped it, and says so.
    const lead = (drop: DropEvidence) => (FIREWALL_REASONS.has(drop.reason) && drop.node === server ? undefined : `${requestLabel} reached ${server}${site.iface ? `:${site.iface}` : ''} but ${server} never answered`);
    return failure(ctx, base, 'dropped', site, request, lead);
  }
  if (!reply.trace.delivered) return failure(ctx, base, 'dropped', siteOf(reply), reply);
  const lost = locate(track, (t) => !t.delivered);
  if (lost) return failure(ctx, base, 'dropped', siteOf(lost), lost);
  base.warnings.push(`Every captured packet of attempt ${record.attempt} was delivered, yet the client timed out.`);
  const site: DropSite = { node: record.client, packet: 'reply' };
  return failure(ctx, base, 'dropped', site, undefined, `every packet arrived, yet ${record.client} timed out`);
}

/** One attempt's finding, decided by its protocol, with the ICMP errors about it. */
export function connectionFinding(ctx: DropContext): ConnectionFinding {
  const finding = ctx.track.protocol.decide(ctx);
  const errors = ctx.track.icmp.length ? icmpErrorTraces(ctx) : [];
  return errors.length ? { ...finding, icmpErrors: errors } : finding;
}
