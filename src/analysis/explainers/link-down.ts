/**
 * link-down: the packet died at a node one of whose links an event had taken down (a link event,
 * or a node stop on either end) and not yet brought back when the packet came. A silent link
 * keeps its carrier, so the node's route still points into it and every packet is lost there; a
 * carrier-down one drops what the routes still send it until routing moves. Only a timed run has
 * events: without a timeline this explainer finds nothing. It is tried after an NFLOG record and
 * the MTU (EVENT_EXPLAINERS in explain-drop.ts), before the routes, which are read after the run.
 */
import type { EventRecord } from '../types.js';
import type { DropExplainer } from './explainer.js';

/** The interfaces an event stops: its own, and the far ends of their links (whose carrier goes too). */
function stopped(e: EventRecord, peer: (node: string, iface: string) => { node: string; iface: string } | undefined): { node: string; iface: string }[] {
  const own = e.interfaces ?? [];
  return [...own, ...own.map((x) => peer(x.node, x.iface)).filter((x): x is { node: string; iface: string } => x !== undefined)];
}

export const linkDown: DropExplainer = {
  reason: 'link-down',
  words: 'a link an event had taken down',
  explain({ ctx, site }) {
    const timeline = ctx.evidence.timeline;
    const ts = site.entered?.ts ?? site.trace?.sightings.find((s) => s.node === site.node)?.ts;
    if (!timeline || ts === undefined) return undefined;
    const peer = (node: string, iface: string) => ctx.lab.peer(node, iface);
    // The state of each of the node's interfaces when the packet came: the last event that moved it.
    const last = new Map<string, EventRecord>();
    for (const e of timeline.events) {
      if (!e.ok || e.startedAt === undefined || e.startedAt > ts || (e.effect !== 'down' && e.effect !== 'up')) continue;
      for (const x of stopped(e, peer)) if (x.node === site.node) last.set(x.iface, e);
    }
    const down = [...last].filter(([, e]) => e.effect === 'down');
    if (!down.length) return undefined;
    const [iface, e] = down[0];
    const sinceMs = (e.startedAt! - timeline.t0) * 1000;
    const how = e.silent ? 'silently (carrier kept: every packet sent into it is lost)' : e.kind === 'node' ? 'with its node' : 'carrier-down';
    const facts = [
      `${site.node}:${iface} was down when the ${site.packet} came (+${Math.round((ts - timeline.t0) * 1000)} ms): events[${e.index}] (${e.label}) took it down ${how} at +${Math.round(sinceMs)} ms, and no event had brought it back.`,
      ...down.slice(1).map(([i, x]) => `${site.node}:${i} was down too (events[${x.index}], ${x.label}).`),
    ];
    return { reason: 'link-down', node: site.node, facts, linkDown: { iface, event: e.index, label: e.label, sinceMs } };
  },
  phrase(drop) {
    const l = drop.linkDown;
    return l ? `${drop.node}:${l.iface} was down (events[${l.event}]: ${l.label}, since +${Math.round(l.sinceMs)} ms)` : `a link of ${drop.node} was down`;
  },
};
