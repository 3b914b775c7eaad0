/**
 * The verdict of a long-lived flow: its phases (phases.ts), each failure phase's drop explained as
 * a short flow's is (the first copy that died in it, placed and explained by the explainers), its
 * messages, and what the phases say together: how long failover took, whether the session
 * survived a path change (and why it could: a firewall that picked it up mid-stream), or why it
 * died (INVALID mid-stream at a firewall that never saw it open; a reset after a mid-stream pickup
 * gave it a new source). The flow's result, `at` and paths are its last phase's: how it ended.
 */
import type { Flow } from '../topology/types.js';
import { failure, siteOf, type FindingBase, type Located } from './connection-verdict.js';
import type { DropContext } from './explain-drop.js';
import { checkExpectation } from './expect.js';
import type { AnalysisLab } from './lab-index.js';
import { conntrackFor, describeConntrack } from './node-state.js';
import { checkPhases, messageVerdicts, splitPhases, type PhaseDraft } from './phases.js';
import { probesOf, type Probe } from './session-probes.js';
import type { ConnectionTrack } from './track.js';
import { formatTuple } from './tuple.js';
import type { FlowVerdict, PhaseVerdict, RunEvidence, Sighting } from './types.js';
import { isAsymmetric, lossWarnings } from './verdict.js';
import { windowOf } from './window.js';

const arrow = (nodes: string[]) => nodes.join(' → ') || '(nothing captured)';

function explainPhase(d: PhaseDraft, ctx: DropContext): PhaseVerdict {
  const { probes, ...rest } = d;
  const when = `+${Math.round(d.fromMs)}–${Math.round(d.toMs)} ms`;
  if (d.result === 'delivered') {
    return { ...rest, summary: `${when}: delivered (${d.transmissions} transmission${d.transmissions === 1 ? '' : 's'}): ${arrow(d.path)}; return via ${arrow(d.returnPath)}` };
  }
  const p = probes[0];
  if (d.result === 'reset' || !p.dying) {
    return { ...rest, summary: `${when}: ${d.at ?? 'the server'} answered with RST; RST path ${arrow(p.answer?.path.nodes ?? [])}` };
  }
  const l: Located = { trace: p.dying.trace, path: p.dying.path };
  const base: FindingBase = { track: ctx.track, path: d.path, returnPath: d.returnPath, warnings: [] };
  const f = failure(ctx, base, d.result, siteOf(l), l);
  return { ...rest, ...(f.at ? { at: f.at } : {}), name: f.at ? `${d.result} at ${f.at}` : d.name, drop: f.drop!, summary: `${when}: ${d.transmissions} transmission${d.transmissions === 1 ? '' : 's'} ${d.result}: ${f.summary}` };
}

/** Where a probe's copy arrived at the server, as the server saw it. */
function atServer(p: Probe | undefined, server: string): Sighting | undefined {
  return p?.copy.path.sightings.find((s) => s.node === server && s.direction === 'in');
}

function findings(flow: Flow, phases: PhaseVerdict[], drafts: PhaseDraft[], ctx: DropContext, connection: string): string[] {
  const out: string[] = [];
  const { record } = ctx.track;
  for (const p of phases) {
    const from = p.failoverFrom;
    if (p.failoverMs === undefined || !from) continue;
    const then = p.after && p.after.event !== from.event ? `, once ${p.after.label} (+${Math.round(p.after.atMs)} ms)` : '';
    out.push(`failover: messages got through again ${p.failoverMs} ms after ${from.label} (+${Math.round(from.atMs)} ms)${then}, via ${arrow(p.path)}`);
  }
  const delivered = phases.map((p, i) => ({ p, i })).filter(({ p }) => p.result === 'delivered');
  const route = (p: PhaseVerdict) => `${p.path.join(',')}|${p.returnPath.join(',')}`;
  const { from, to } = windowOf(record);
  const pickups = (nodes: string[]) =>
    nodes.flatMap((n) =>
      conntrackFor(ctx.evidence, n, ctx.track.tuples, from, to)
        .filter((e) => e.type === 'NEW' && e.state === 'ESTABLISHED')
        .slice(0, 1)
        .map((e) => `${n}'s conntrack picked the connection up mid-stream (${describeConntrack(e)}): with net.netfilter.nf_conntrack_tcp_loose=1, the kernel's default, a firewall adopts a connection it never saw open`),
    );
  const last = phases[phases.length - 1];
  // The first time the session worked over another route than before.
  const change = delivered.findIndex(({ p }, k) => k > 0 && route(p) !== route(delivered[k - 1].p));
  if (change > 0 && last.result === 'delivered') {
    const [a, b] = [delivered[change - 1].p, delivered[change].p];
    out.push(`session survived: one ${connection} kept working across the path change at +${Math.round(b.fromMs)} ms, from [${a.path.join(', ')}] to [${b.path.join(', ')}]${route(a).split('|')[1] !== route(b).split('|')[1] ? `, returning by [${b.returnPath.join(', ')}]` : ''}`);
    const fresh = [...b.path, ...b.returnPath].filter((n) => !a.path.includes(n) && !a.returnPath.includes(n));
    out.push(...pickups([...new Set(fresh)]));
  }
  if (last.result !== 'delivered' && delivered.length) {
    const cause = phases.find((p, i) => i > delivered[0].i && p.result !== 'delivered')?.after;
    out.push(`the session did not survive${cause ? ` ${cause.label} (+${Math.round(cause.atMs)} ms)` : ''}: it ended ${last.name}`);
    const drop = last.drop;
    if (drop?.reason === 'firewall-rule' && drop.ruleLabel === 'invalid' && drop.conntrackEntry === false) {
      out.push(`INVALID mid-stream at ${drop.node}: it never saw the connection open and does not pick one up mid-stream (as with net.netfilter.nf_conntrack_tcp_loose=0), so it classed the ${drop.packet} INVALID and dropped it`);
    }
    if (last.result === 'reset') {
      const lastDraft = drafts[drafts.length - 1];
      const before = atServer(drafts[delivered[delivered.length - 1].i].probes[0], record.server);
      const after = atServer(lastDraft.probes[0], record.server);
      const moved = before && after && (before.src !== after.src || before.srcPort !== after.srcPort);
      const fresh = lastDraft.path.filter((n) => !delivered[0].p.path.includes(n));
      out.push(...pickups(fresh));
      if (moved) {
        out.push(`${record.server} reset it: the connection now reached it as ${formatTuple({ src: after.src, sport: after.srcPort, dst: after.dst, dport: after.dstPort })} instead of ${formatTuple({ src: before.src, sport: before.srcPort, dst: before.dst, dport: before.dstPort })}, a connection it does not have (another firewall's SNAT)`);
      }
    }
  }
  if (flow.protocol === undefined || flow.protocol === 'tcp') return out;
  return out.map((s) => s.replace('nf_conntrack_tcp_loose=1, the kernel\'s default, a firewall adopts a connection it never saw open', 'UDP and ICMP have no handshake: any firewall takes the next packet as a new connection'));
}

/**
 * A long-lived flow's verdict, or undefined when no transmission of it was captured (the session
 * never got to send: the short-flow verdict of its one connection says why).
 */
export function sessionVerdict(flow: Flow, track: ConnectionTrack, evidence: RunEvidence, lab: AnalysisLab, to: string): FlowVerdict | undefined {
  const probes = probesOf(track, lab);
  const session = track.record.session;
  if (!probes.length || !session) return undefined;
  const t0 = evidence.timeline?.t0 ?? track.record.startedAt;
  const startMs = flow.startMs ?? 0;
  const endMs = startMs + (flow.durationMs ?? session.durationMs);
  const drafts = splitPhases(probes, evidence.timeline, t0 + endMs / 1000);
  const ctx: DropContext = { evidence, lab, track };
  const phases = drafts.map((d) => explainPhase(d, ctx));
  const last = phases[phases.length - 1];
  const path = last.path;
  const returnPath = last.returnPath;
  const asymmetric = isAsymmetric(path, returnPath);
  const { phases: expectedPhases, ...plain } = flow.expect ?? {};
  const mismatches = [...checkExpectation(flow.expect ? plain : undefined, { result: last.result, ...(last.at ? { at: last.at } : {}), path, returnPath, asymmetric }), ...checkPhases(expectedPhases, phases, startMs, endMs)];
  const connection = track.protocol.form.ports && track.protocol.strayReply === 'INVALID' ? 'connection' : '5-tuple';
  const found = findings(flow, phases, drafts, ctx, connection);
  const echoed = session.messages.filter((m) => m.outcome === 'echoed').length;
  const summary = `${session.messages.length} messages, ${echoed} echoed; ${phases.length} phase${phases.length === 1 ? '' : 's'}: ${phases.map((p) => `${p.name} +${Math.round(p.fromMs)} ms`).join(', ')}${found.length ? `; ${found[0]}` : ''}`;
  const touched = [...new Set(phases.flatMap((p) => (p.at ? [p.at] : [])))];
  return {
    name: flow.name,
    from: flow.from,
    to,
    ...(flow.expect ? { expected: flow.expect } : {}),
    result: last.result,
    ...(last.at ? { at: last.at } : {}),
    path,
    returnPath,
    asymmetric,
    ...(last.drop ? { drop: last.drop } : {}),
    connections: [track.record],
    packets: track.traces,
    pass: mismatches.length === 0,
    mismatches,
    warnings: lossWarnings(evidence, lab, [track], [flow.from, ...touched]),
    summary,
    phases,
    messages: messageVerdicts(session.messages, drafts, t0),
    findings: found,
  };
}
