/**
 * Why a packet died where it was last seen. The causes are the explainers of explainers/list.ts
 * (an NFLOG rule, the reverse-path filter, a missing route), tried in order; the first that finds
 * its cause explains the drop, and with none the reason is unknown, said as such, with whatever
 * was found. A capture near the node that lost packets makes the placement itself doubtful: the
 * reason is then unknown and `inconclusive` says which capture lost what.
 */
import type { AnalysisLab } from './lab-index.js';
import { EXPLAINERS } from './explainers/list.js';
import { linkDown } from './explainers/link-down.js';
import type { DropExplainer } from './explainers/explainer.js';
import { UNKNOWN_WORDS, unknownFacts, unknownPhrase } from './explainers/unknown.js';
import type { ConnectionTrack, IcmpSighting } from './track.js';
import type { DropEvidence, PacketTrace, RunEvidence, Sighting } from './types.js';

export interface DropSite {
  node: string;
  /** Interface it entered by; undefined when it never left the sender. */
  iface?: string;
  /** The packet as it entered the node (addresses at that hop). */
  entered?: Sighting;
  trace?: PacketTrace;
  /** The label of the dying packet, also when no trace exists (a SYN never sent). */
  packet: string;
  /** An ICMP error the node sent about the packet. */
  icmp?: IcmpSighting;
  /** The destination to look up when no sighting gives it (a SYN that never left the client). */
  dst?: string;
}

export interface DropContext {
  evidence: RunEvidence;
  lab: AnalysisLab;
  track: ConnectionTrack;
}

/** Captures whose loss or damage undermines "it never left `node`": the node's own and its link peers'. */
export function lossyNear(ctx: DropContext, node: string): string[] {
  const out: string[] = [];
  const places = new Set([node, ...ctx.lab.capturesOf(node).map((c) => ctx.lab.peer(c.node, c.iface)?.node)]);
  for (const n of ctx.lab.node(node)?.interfaces ?? []) places.add(ctx.lab.peer(node, n.name)?.node);
  for (const c of ctx.evidence.captures) {
    if (!places.has(c.node) || !ctx.lab.lossy(c)) continue;
    out.push(c.problem ? `capture at ${c.node}:${c.iface} is incomplete (${c.problem})` : `capture at ${c.node}:${c.iface} lost ${c.droppedByKernel} packets`);
  }
  return out;
}

/**
 * Causes that only a timed run's events give (a link an event took down). They are tried before
 * the reverse-path filter and the routes: those are read from tables taken after the flows, when
 * routing may have moved since the packet died (a route withdrawn seconds after the link went).
 */
export const EVENT_EXPLAINERS: readonly DropExplainer[] = [linkDown];
const tablesFrom = EXPLAINERS.findIndex((e) => e.reason === 'rp-filter' || e.reason === 'no-route');
const ALL: readonly DropExplainer[] = [...EXPLAINERS.slice(0, tablesFrom), ...EVENT_EXPLAINERS, ...EXPLAINERS.slice(tablesFrom)];

function explainFromEvidence(ctx: DropContext, site: DropSite): DropEvidence {
  const { node, iface, packet } = site;
  const drop: DropEvidence = { reason: 'unknown', node, ...(iface ? { iface } : {}), packet, facts: [] };
  const note = (fact: string) => void drop.facts.push(fact);
  for (const explainer of ALL) {
    const found = explainer.explain({ ctx, site, note });
    if (!found) continue;
    const { facts, ...fields } = found;
    Object.assign(drop, fields);
    drop.facts.push(...facts);
    return drop;
  }
  drop.facts.push(...unknownFacts({ ctx, site }));
  return drop;
}

/** The why, short, for the one-line summary: "fw-inet had no conntrack entry (ctstate INVALID, rule …, counter 0→3)". */
export function reasonPhrase(drop: DropEvidence, site: DropSite): string {
  const explainer = drop.reason === 'unknown' ? undefined : ALL.find((e) => e.reason === drop.reason);
  return explainer ? explainer.phrase(drop, site) : unknownPhrase(drop);
}

/** The drop at a site, with its reason; unknown (and `inconclusive`) when nearby captures lost packets. */
export function explainDrop(ctx: DropContext, site: DropSite): DropEvidence {
  const drop = explainFromEvidence(ctx, site);
  const lost = lossyNear(ctx, drop.node);
  if (lost.length === 0) return drop;
  drop.inconclusive = lost.join('; ');
  const words = ALL.find((e) => e.reason === drop.reason)?.words;
  if (drop.reason !== 'unknown') drop.facts.push(`The evidence points to ${words ?? UNKNOWN_WORDS}, but it is not concluded: ${drop.inconclusive}.`);
  else drop.facts.push(`Not concluded: ${drop.inconclusive}.`);
  drop.reason = 'unknown';
  return drop;
}
