/**
 * The ladder (sequence diagram) of each connection: one column per node on its paths, one arrow
 * per hop of each copy of each packet, the NAT rewrite where the addresses change, and where a
 * copy died, the stop with the evidence lines. Pure.
 */
import type { PacketTrace, Sighting } from '../../analysis/types.js';
import type { ReportFlow } from '../report.js';
import { splitCopies, type Peers } from './copies.js';
import type { Ladder, LadderArrow } from './model-types.js';

/** Connections drawn per flow; the rest stay in report.json (a flow may make hundreds). */
export const LADDERS_PER_FLOW = 6;

const endpoint = (addr: string, port?: number) => (port === undefined ? addr : addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);
const addresses = (s: Sighting) => `${endpoint(s.src, s.srcPort)} → ${endpoint(s.dst, s.dstPort)}`;

/** What the node between two wires changed, e.g. `fw-er rewrote src 10.1.0.10:20000 → 203.0.113.1:20000`. */
export function natOf(before: Sighting | undefined, after: Sighting): string | undefined {
  if (!before) return undefined;
  const parts: string[] = [];
  if (before.src !== after.src || before.srcPort !== after.srcPort) parts.push(`src ${endpoint(before.src, before.srcPort)} → ${endpoint(after.src, after.srcPort)}`);
  if (before.dst !== after.dst || before.dstPort !== after.dstPort) parts.push(`dst ${endpoint(before.dst, before.dstPort)} → ${endpoint(after.dst, after.dstPort)}`);
  return parts.length ? `${after.node} rewrote ${parts.join(', ')}` : undefined;
}

/**
 * Nodes in ladder order: the forward path left to right, then each other node sequence merged in.
 * A run of new nodes goes between the known nodes around it; a run at the end of a sequence that
 * walks leftwards (a return path) goes to the left of the last known node, so return paths that
 * leave the forward path fan out between the two ends.
 */
export function mergeColumns(base: string[], seqs: { nodes: string[]; leftwards: boolean }[]): string[] {
  const cols = [...new Set(base)];
  for (const { nodes, leftwards } of seqs) {
    let anchor: string | undefined;
    let pending: string[] = [];
    const flush = (next: string | undefined) => {
      if (!pending.length) return;
      const run = pending.filter((n) => !cols.includes(n));
      pending = [];
      if (anchor === undefined && next === undefined) return void cols.push(...run);
      const a = anchor === undefined ? -1 : cols.indexOf(anchor);
      const b = next === undefined ? -1 : cols.indexOf(next);
      if (a >= 0 && b >= 0) {
        // Between the two, in walking order.
        if (a < b) cols.splice(a + 1, 0, ...run);
        else cols.splice(b + 1, 0, ...run.reverse());
      } else if (a >= 0) {
        if (leftwards) cols.splice(a, 0, ...run.reverse());
        else cols.splice(a + 1, 0, ...run);
      } else if (leftwards) cols.splice(b + 1, 0, ...run);
      else cols.splice(b, 0, ...run);
    };
    for (const n of nodes) {
      if (cols.includes(n)) {
        flush(n);
        anchor = n;
      } else if (!pending.includes(n)) pending.push(n);
    }
    flush(undefined);
  }
  return cols;
}

/** The short evidence lines at a stop: the verdict's NFLOG record, counter and conntrack state. */
export function evidenceLines(flow: ReportFlow, trace: PacketTrace, last: Sighting): string[] {
  const d = flow.drop;
  if (d && d.node === last.node && d.packet === trace.label) {
    const lines: string[] = [`dropped: ${d.reason}${d.ruleLabel ? ` (${d.ruleLabel})` : ''}`];
    if (d.nflogPrefix) lines.push(`NFLOG: ${d.nflogPrefix}`);
    if (d.counter) lines.push(`counter: filter/${d.chain ?? '?'} rule ${d.ruleIndex ?? '?'} ${d.counter.before}→${d.counter.after}`);
    if (d.kernelCounter) lines.push(`counter: ${d.kernelCounter.name} ${d.kernelCounter.before}→${d.kernelCounter.after}`);
    if (d.conntrackEntry !== undefined) lines.push(`conntrack: ${d.conntrackEntry ? 'an entry' : 'no entry'} on ${d.node}`);
    if (d.inconclusive) lines.push(`inconclusive: ${d.inconclusive}`);
    if (lines.length === 1) lines.push(...d.facts.slice(0, 3));
    return lines;
  }
  return last.direction === 'in'
    ? [`last seen entering ${last.node}:${last.iface}`]
    : [`left ${last.node}:${last.iface}; no capture saw it arrive`];
}

function arrowsOf(flow: ReportFlow, trace: PacketTrace, dest: string, peers: Peers, t0: number): LadderArrow[] {
  const out: LadderArrow[] = [];
  let explained = false;
  splitCopies(trace.sightings, peers).forEach((c, k) => {
    const base = {
      packet: trace.label,
      ...(trace.flags !== undefined ? { flags: trace.flags } : {}),
      ...(trace.payloadLength !== undefined ? { sizeBytes: trace.payloadLength } : {}),
      direction: trace.direction,
      copy: k + 1,
    };
    const mine: LadderArrow[] = [];
    let wire: Sighting | undefined;
    if (c[0].direction === 'in') {
      mine.push({ ...base, from: null, to: c[0].node, toIface: c[0].iface, atMs: (c[0].ts - t0) * 1000, addresses: addresses(c[0]) });
      wire = c[0];
    }
    c.forEach((s, i) => {
      if (s.direction !== 'out') return;
      const next = c[i + 1]?.direction === 'in' ? c[i + 1] : undefined;
      // The wire before this one, as it entered this node: that is what NAT changed.
      const entered = c[i - 1]?.direction === 'in' && c[i - 1].node === s.node ? c[i - 1] : wire;
      const nat = natOf(entered, s);
      mine.push({
        ...base,
        from: s.node,
        fromIface: s.iface,
        to: next?.node ?? null,
        ...(next ? { toIface: next.iface } : {}),
        atMs: (s.ts - t0) * 1000,
        addresses: addresses(s),
        ...(nat ? { nat } : {}),
      });
      wire = s;
    });
    const last = c[c.length - 1];
    const delivered = last.direction === 'in' && last.node === dest;
    if (!delivered && mine.length) {
      mine[mine.length - 1].stop = { node: last.node, iface: last.iface, evidence: explained ? [] : evidenceLines(flow, trace, last) };
      explained = true;
    }
    out.push(...mine);
  });
  return out;
}

export function laddersOf(flow: ReportFlow, peers: Peers, cap = LADDERS_PER_FLOW): { ladders: Ladder[]; leftOut: number } {
  const attempts = [...new Set([...flow.connections.map((c) => c.attempt), ...flow.packets.map((p) => p.attempt ?? 0)])].sort((a, b) => a - b);
  const ladders = attempts.slice(0, cap).map((attempt): Ladder => {
    const conn = flow.connections.find((c) => c.attempt === attempt);
    const packets = flow.packets.filter((p) => (p.attempt ?? 0) === attempt && p.sightings.length);
    const t0 = Math.min(...packets.flatMap((p) => p.sightings.map((s) => s.ts)));
    const server = conn?.server ?? flow.path[flow.path.length - 1] ?? '';
    const client = conn?.client ?? flow.from;
    const arrows = packets
      .flatMap((p) => arrowsOf(flow, p, p.direction === 'forward' ? server : client, peers, t0))
      .sort((a, b) => a.atMs - b.atMs);
    const seqs = packets.flatMap((p) => splitCopies(p.sightings, peers).map((c) => ({ nodes: c.map((s) => s.node), leftwards: p.direction === 'return' })));
    const columns = mergeColumns(flow.path.length ? flow.path : [client], [{ nodes: flow.returnPath, leftwards: true }, ...seqs, { nodes: [server], leftwards: false }]);
    const title = conn
      ? `${flow.name} #${attempt}: ${endpoint(conn.srcAddress, conn.srcPort)} → ${endpoint(conn.dstAddress, conn.dstPort)}, ${conn.outcome}${conn.errorCode ? ` (${conn.errorCode})` : ''} after ${Math.round(conn.totalMs)} ms`
      : `${flow.name} #${attempt}`;
    return { flow: flow.name, attempt, title, columns, arrows };
  });
  return { ladders, leftOut: Math.max(0, attempts.length - cap) };
}
