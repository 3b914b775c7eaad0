/**
 * The transmissions of a long-lived flow and the fate of each. The tracker (track.ts) follows the
 * session's packets and folds the copies of one packet (retransmissions) into one trace; here
 * they are split again, each copy with the path it took alone, because a copy sent before a
 * failover and one sent after it meet different fates. A probe is one copy of a packet carrying
 * messages to the server (protocol.session.probe); its fate is where it went, and for one that
 * arrived, where the server's first answer after it went: delivered both ways, reset (a RST came
 * back), or dropped where the first of the two died. Pure.
 */
import type { FlowResult } from '../topology/types.js';
import type { AnalysisLab } from './lab-index.js';
import { tracePath, type TracedPath } from './trace-path.js';
import type { ConnectionTrack } from './track.js';
import type { PacketTrace, Sighting } from './types.js';

/** One copy of a traced packet, with the path it alone took. */
export interface Copy {
  trace: PacketTrace;
  path: TracedPath;
  /** When it was first seen (at its sender, when captured there). */
  sentAt: number;
  /** When it reached the node it was delivered to. */
  deliveredAt?: number;
}

export interface Probe {
  copy: Copy;
  messages: number[];
  /** The server's first answer after the probe arrived, when the probe arrived. */
  answer?: Copy;
  result: FlowResult;
  /** Where it died, or who reset it. */
  at?: string;
  /** The copy that died (the probe, or its answer). */
  dying?: Copy;
  path: string[];
  returnPath: string[];
}

/** How long after a probe's arrival the server's answer may come and still be the answer to it. */
const ANSWER_WINDOW_S = 1;

/**
 * A trace's copies: by IPv4 id where every sighting has one (each transmission gets its own), else
 * a new copy at each time the sender sent it again.
 */
function splitCopies(t: PacketTrace): Sighting[][] {
  const s = [...t.sightings].sort((a, b) => a.ts - b.ts);
  if (s.length && s.every((x) => x.ipId !== undefined)) {
    const by = new Map<number, Sighting[]>();
    for (const x of s) by.set(x.ipId!, [...(by.get(x.ipId!) ?? []), x]);
    return [...by.values()];
  }
  const origin = t.origin ?? s[0]?.node;
  const out: Sighting[][] = [];
  for (const x of s) {
    if (!out.length || (x.node === origin && x.direction === 'out' && out[out.length - 1].some((y) => y.node === origin && y.direction === 'out'))) out.push([]);
    out[out.length - 1].push(x);
  }
  return out;
}

export function copiesOf(t: PacketTrace, lab: AnalysisLab, origin: string): Copy[] {
  return splitCopies(t).map((sightings) => {
    const path = tracePath(sightings, lab, origin);
    const trace: PacketTrace = {
      ...t,
      sightings: path.sightings,
      delivered: path.deliveredAt !== undefined,
      copies: 1,
      ...(path.lastNode ? { lastNode: path.lastNode } : {}),
      ...(path.lastIface ? { lastIface: path.lastIface } : {}),
    };
    const arrived = path.deliveredAt ? path.sightings.find((x) => x.node === path.deliveredAt && x.direction === 'in')?.ts : undefined;
    return { trace, path, sentAt: path.sightings[0]?.ts ?? 0, ...(arrived !== undefined ? { deliveredAt: arrived } : {}) };
  });
}

/** The fate of one probe from its own path and its answer's. */
function fate(copy: Copy, answer: Copy | undefined, server: string): Pick<Probe, 'result' | 'at' | 'dying' | 'path' | 'returnPath'> {
  const path = copy.path.nodes;
  if (!copy.trace.delivered) return { result: 'dropped', at: copy.trace.lastNode, dying: copy, path, returnPath: [] };
  if (!answer) return { result: 'dropped', at: copy.path.deliveredAt ?? server, dying: copy, path, returnPath: [] };
  const returnPath = answer.path.nodes;
  if (answer.trace.label === 'RST' && answer.trace.delivered) return { result: 'reset', at: answer.trace.origin ?? server, path, returnPath };
  if (!answer.trace.delivered) return { result: 'dropped', at: answer.trace.lastNode, dying: answer, path, returnPath };
  return { result: 'delivered', path, returnPath };
}

/** Every probe of a long-lived flow's session, in the order they were sent. */
export function probesOf(track: ConnectionTrack, lab: AnalysisLab): Probe[] {
  const session = track.protocol.session;
  if (!session || !track.record.session) return [];
  const { client, server } = track.record;
  const forward: { copy: Copy; messages: number[] }[] = [];
  const answers: Copy[] = [];
  for (const t of track.traces) {
    if (t.direction === 'return') answers.push(...copiesOf(t, lab, server));
    else if (session.probe(t)) {
      const messages = session.messages(t, track);
      for (const copy of copiesOf(t, lab, client)) forward.push({ copy, messages });
    }
  }
  answers.sort((a, b) => a.sentAt - b.sentAt);
  forward.sort((a, b) => a.copy.sentAt - b.copy.sentAt);
  // The first answer sent at or after t: a binary search, as a session may have thousands of each.
  const firstFrom = (t: number) => {
    let lo = 0;
    let hi = answers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (answers[mid].sentAt < t) lo = mid + 1;
      else hi = mid;
    }
    return answers[lo];
  };
  return forward.map(({ copy, messages }) => {
    const arrived = copy.deliveredAt;
    const next = arrived === undefined ? undefined : firstFrom(arrived);
    const answer = next && arrived !== undefined && next.sentAt <= arrived + ANSWER_WINDOW_S ? next : undefined;
    return { copy, messages, ...(answer ? { answer } : {}), ...fate(copy, answer, server) };
  });
}
