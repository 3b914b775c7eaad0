/**
 * A long-lived flow's life in phases. Its transmissions (session-probes.ts), in the order they
 * were sent, are split wherever one fares otherwise than the one before it (another result, another
 * place of death, another path either way): phase boundaries come from the packets, never from
 * the event schedule. Each phase is then tied to the last event that ran before its first packet,
 * and a delivered phase after a failure gets its failover time: from that event to the moment its
 * first message was through again. An expected phase is checked against the phase in effect at
 * the end of its window (the phase of the last transmission sent in it). Pure.
 */
import type { PhaseExpect } from '../topology/types.js';
import { checkExpectation } from './expect.js';
import type { Probe } from './session-probes.js';
import type { EventRecord, FlowVerdict, MessageRecord, MessageVerdict, PhaseVerdict, Timeline } from './types.js';

/** A phase before its explanation: its probes and the fields known from them alone. */
export interface PhaseDraft extends Omit<PhaseVerdict, 'summary' | 'drop'> {
  probes: Probe[];
}

const key = (p: Probe) => `${p.result}|${p.at ?? ''}|${p.path.join(',')}|${p.returnPath.join(',')}`;
const ms = (t0: number, ts: number) => Math.round((ts - t0) * 1000 * 10) / 10;

export function phaseName(p: Pick<PhaseVerdict, 'result' | 'at'>): string {
  return p.result === 'delivered' || !p.at ? p.result : `${p.result} at ${p.at}`;
}

/** The last event that ran before `ts` (epoch s). */
function eventBefore(events: EventRecord[], ts: number): EventRecord | undefined {
  return events.filter((e) => e.ok && e.startedAt !== undefined && e.startedAt <= ts).sort((a, b) => a.startedAt! - b.startedAt!).pop();
}

/** Splits probes (sent order) into phases. `endTs`: the flow's last moment, for the last phase's end. */
export function splitPhases(probes: Probe[], timeline: Timeline | undefined, endTs: number): PhaseDraft[] {
  const t0 = timeline?.t0 ?? probes[0]?.copy.sentAt ?? 0;
  const events = timeline?.events ?? [];
  const groups: Probe[][] = [];
  for (const p of probes) {
    const last = groups[groups.length - 1];
    if (last && key(last[last.length - 1]) === key(p)) last.push(p);
    else groups.push([p]);
  }
  // Messages first sent in an earlier phase, grown phase by phase.
  const seen = new Set<number>();
  const drafts = groups.map((g, i): PhaseDraft => {
    const first = g[0];
    const next = groups[i + 1]?.[0];
    const firstSent = new Set<number>();
    for (const p of g) for (const m of p.messages) if (!seen.has(m)) firstSent.add(m);
    for (const m of firstSent) seen.add(m);
    const msgs = [...firstSent].sort((a, b) => a - b);
    const ev = eventBefore(events, first.copy.sentAt);
    return {
      name: phaseName(first),
      fromMs: ms(t0, first.copy.sentAt),
      toMs: ms(t0, next ? next.copy.sentAt : Math.max(endTs, g[g.length - 1].copy.sentAt)),
      result: first.result,
      ...(first.at ? { at: first.at } : {}),
      path: first.path,
      returnPath: first.returnPath,
      transmissions: g.length,
      messages: { first: msgs[0] ?? -1, last: msgs[msgs.length - 1] ?? -1, count: msgs.length },
      ...(ev ? { after: { event: ev.index, label: ev.label, atMs: ms(t0, ev.startedAt!) } } : {}),
      probes: g,
    };
  });
  // Failover: a delivered phase after a failure, timed from the event the failure followed.
  drafts.forEach((d, i) => {
    if (i === 0 || d.result !== 'delivered' || drafts[i - 1].result === 'delivered') return;
    const cause = drafts[i - 1].after ?? d.after;
    if (!cause) return;
    const p = d.probes[0];
    const through = p.answer?.deliveredAt ?? p.copy.deliveredAt ?? p.copy.sentAt;
    d.failoverMs = Math.max(0, Math.round(ms(t0, through) - cause.atMs));
    d.failoverFrom = cause;
  });
  return drafts;
}

/** Every message's outcome and the phase of its first transmission. */
export function messageVerdicts(messages: MessageRecord[], phases: PhaseDraft[], t0: number): MessageVerdict[] {
  const phaseOf = new Map<number, number>();
  phases.forEach((p, i) => {
    for (const probe of p.probes) for (const m of probe.messages) if (!phaseOf.has(m)) phaseOf.set(m, i);
  });
  return messages.map((m) => {
    const i = phaseOf.get(m.index);
    const p = i === undefined ? undefined : phases[i];
    return {
      index: m.index,
      ...(m.sentAt !== undefined ? { sentMs: ms(t0, m.sentAt) } : {}),
      ...(m.echoedAt !== undefined ? { echoedMs: ms(t0, m.echoedAt) } : {}),
      outcome: m.outcome,
      ...(p ? { phase: i, result: p.result, ...(p.at ? { at: p.at } : {}) } : {}),
    };
  });
}

/** Mismatches of the expected phases: each window against the phase in effect at its end. */
export function checkPhases(expected: PhaseExpect[] | undefined, phases: Pick<PhaseVerdict, 'fromMs' | 'toMs' | 'result' | 'at' | 'path' | 'returnPath'>[], flowStartMs: number, flowEndMs: number): string[] {
  if (!expected?.length) return [];
  const out: string[] = [];
  expected.forEach((e, k) => {
    const from = e.fromMs ?? flowStartMs;
    const until = e.untilMs ?? flowEndMs;
    const window = `phases[${k}] (+${from}–${until} ms)`;
    const inEffect = [...phases].reverse().find((p) => p.fromMs < until);
    if (!inEffect || inEffect.toMs <= from) {
      out.push(`${window}: no packet of the flow was sent in that window`);
      return;
    }
    const got = { result: inEffect.result, ...(inEffect.at ? { at: inEffect.at } : {}), path: inEffect.path, returnPath: inEffect.returnPath, asymmetric: false };
    for (const m of checkExpectation({ result: e.result, at: e.at, path: e.path, returnPath: e.returnPath }, got)) out.push(`${window}: ${m} (the phase from +${Math.round(inEffect.fromMs)} ms)`);
  });
  return out;
}

/** What a verdict's `phases` strip needs from a flow verdict: only long-lived flows have them. */
export function hasPhases(v: FlowVerdict): v is FlowVerdict & { phases: PhaseVerdict[] } {
  return Array.isArray(v.phases) && v.phases.length > 0;
}
