/**
 * The drawing model: what the report page and `asymlab graph` draw, decided from report.json (or a
 * lab file) by pure functions, before any SVG exists. Tests check this model without a browser.
 */
import type { NodeShape } from '../../kinds/kind.js';

export interface DrawNode {
  id: string;
  /** The kind's name, as report.json gives it: a label, never compared. */
  kind: string;
  /** How it is drawn, from its kind (src/kinds/). */
  shape: NodeShape;
  group?: string;
  ifaces: { name: string; addresses: string[] }[];
  loopbacks: string[];
}

export interface DrawLink {
  /** `a-node:a-iface--b-node:b-iface`: stable, and unique since an interface has one link. */
  id: string;
  a: { node: string; iface: string };
  b: { node: string; iface: string };
}

export interface TopologyModel {
  nodes: DrawNode[];
  links: DrawLink[];
  /** Nodes the layout starts from (the flows' clients): links are oriented away from them. */
  roots: string[];
}

/** One wire a packet crossed: out of `from`:`fromIface`, into `to`:`toIface`. */
export interface PathHop {
  /** The link it crossed, or null when the topology has no link between the two nodes. */
  link: string | null;
  from: string;
  to: string;
  fromIface?: string;
  toIface?: string;
}

export interface DropMark {
  node: string;
  /** The interface the dying packet entered by, when known: the mark sits on that side. */
  iface?: string;
  /** The drop's one-line cause (the verdict's summary). */
  cause: string;
}

/** A flow's paths over the topology: the forward and return hops and where it died. */
export interface PathOverlay {
  flow: string;
  forward: PathHop[];
  back: PathHop[];
  drop: DropMark | null;
}

/** One hop of one copy of one packet, drawn as an arrow between two ladder columns. */
export interface LadderArrow {
  packet: string;
  /** tcpdump-style flags (S, S., .) where the protocol has them. */
  flags?: string;
  /** Payload bytes, as tcpdump's `length`. */
  sizeBytes?: number;
  direction: 'forward' | 'return';
  /** 1 for the first copy, 2 for the first retransmission, … */
  copy: number;
  /** Null when the copy was first seen entering `to` (its sender's capture missed it). */
  from: string | null;
  fromIface?: string;
  /** Null when the copy left `from` and no capture saw it arrive anywhere. */
  to: string | null;
  toIface?: string;
  /** Milliseconds since the connection's first sighting (the time it left `from`, else reached `to`). */
  atMs: number;
  /** Addresses as seen on this wire, `src:port → dst:port`. */
  addresses: string;
  /** Set where the addresses differ from the previous wire: the node that rewrote them and how. */
  nat?: string;
  /** Set on the copy's last arrow when it died: where, and the evidence lines. */
  stop?: LadderStop;
}

export interface LadderStop {
  node: string;
  iface?: string;
  /** Evidence lines (NFLOG record, counter, conntrack state); empty on a repeated copy. */
  evidence: string[];
}

/** A sequence diagram of one connection: one column per node on its paths. */
export interface Ladder {
  flow: string;
  attempt: number;
  title: string;
  columns: string[];
  arrows: LadderArrow[];
}

/**
 * Phases of a long-lived flow (report.json revision 3: the flow's `phases`, src/analysis/phases.ts):
 * e.g. "delivered", "dropped at ce-er", "dropped at fw-inet". The page draws a timeline strip only
 * when a flow carries `phases`.
 */
export interface Phase {
  name: string;
  fromMs: number;
  toMs?: number;
  note?: string;
  /** delivered, dropped, reset…: the strip's colour. */
  result?: string;
  /** A delivered phase after a failure: ms from the event to the first message through again. */
  failoverMs?: number;
}

/** An event of a timed run, on the timeline: when it ran (ms after time 0) and what it was. */
export interface TimelineEvent {
  index: number;
  label: string;
  atMs: number;
  ranMs: number | null;
  ok: boolean;
  error?: string;
}

export interface FlowRow {
  name: string;
  from: string;
  to: string;
  result: string;
  at: string | null;
  pass: boolean;
  expected: string;
  summary: string;
  mismatches: string[];
  warnings: string[];
  /** Omitted when the report says nothing of phases. */
  phases?: Phase[];
  /** Findings across phases and flows (failover times, a session that survived or died). */
  findings?: string[];
}

export interface NodePanel {
  node: string;
  kind: string;
  /** Whether asymlab read its connection table (it keeps connection state). */
  keepsState: boolean;
  ifaces: { name: string; addresses: string[] }[];
  loopbacks: string[];
  config: string[];
  conntrack: string[];
  counters: string[];
  routes: string[];
}

export interface DrawingModel {
  title: string;
  subtitle: string;
  /** `report` for a run, `lab` for `asymlab graph` (topology only). */
  mode: 'report' | 'lab';
  pass: boolean | null;
  topology: TopologyModel;
  paths: PathOverlay[];
  flows: FlowRow[];
  ladders: Ladder[];
  /** Connections not drawn as ladders (past the per-flow cap), by flow. */
  laddersLeftOut: Record<string, number>;
  panels: NodePanel[];
  captures: { node: string; iface: string; file: string; bytes: number }[];
  timings: { step: string; ms: number }[];
  /** Capture-loss and missing-evidence warnings of the whole run, deduplicated. */
  warnings: string[];
  /** Set when report.json predates the topology section: the drawing is built from the paths alone. */
  note?: string;
  /** A timed run's events (report.json revision 3). */
  events?: TimelineEvent[];
}
