/**
 * A drop explainer: one cause a packet can die of, tested against the drop site and the run's
 * evidence. The explainers are tried in the order of list.ts; the first that finds its cause
 * explains the drop, and when none does the drop is unknown (unknown.ts), with what was checked.
 */
import type { DropContext, DropSite } from '../explain-drop.js';
import type { DropEvidence, DropReason } from '../types.js';

export interface ExplainInput {
  ctx: DropContext;
  site: DropSite;
  /** Keeps a fact found while checking, whichever cause wins (e.g. "fw's NFLOG capture has no record of this SYN-ACK"). */
  note(fact: string): void;
}

/** A cause found: its reason, the facts proving it, and the fields of DropEvidence it fills (in this order in the report). */
export type DropFinding = { reason: DropReason; facts: string[] } & Partial<
  Pick<DropEvidence, 'node' | 'nflogPrefix' | 'chain' | 'table' | 'ruleIndex' | 'ruleLabel' | 'counter' | 'conntrackEntry' | 'ctstate' | 'kernelCounter' | 'mtu' | 'icmpFate' | 'linkDown'>
>;

export interface DropExplainer {
  reason: DropReason;
  /** The cause as a noun phrase: "The evidence points to a firewall rule, but …". */
  words: string;
  explain(input: ExplainInput): DropFinding | undefined;
  /** The why, short, for the one-line summary: "fw-inet had no conntrack entry (ctstate INVALID, …)". */
  phrase(drop: DropEvidence, site: DropSite): string;
}

/** "Ip.OutNoRoutes 0→3" */
export function moved(m: { name: string; before: number; after: number }): string {
  return `${m.name} ${m.before}→${m.after}`;
}
