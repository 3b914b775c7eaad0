/**
 * Which packets of a long-lived flow carry which of its messages, per protocol. TCP writes
 * fixed-length lines, so message i is bytes i×n to (i+1)×n-1 after the client's initial sequence
 * number (from the SYN; without one, the first data captured is taken as message 0's); however the
 * kernel cut, merged or retransmitted them, a segment's seq and length say which it carries. A
 * UDP request is named by its digest, an ICMP echo request by its seq.
 */
import type { ConnectionTrack } from '../analysis/track.js';
import type { PacketTrace } from '../analysis/types.js';
import type { SessionPackets } from './protocol.js';

/** Byte 0 of the client's stream: the SYN's seq + 1, else the lowest data seq captured. Once per track. */
const streamStart = new WeakMap<ConnectionTrack, number>();
function baseOf(track: ConnectionTrack): number {
  let base = streamStart.get(track);
  if (base === undefined) {
    const syn = track.traces.find((x) => x.direction === 'forward' && x.label === 'SYN');
    const data = track.traces.filter((x) => x.direction === 'forward' && (x.payloadLength ?? 0) > 0 && x.seq !== undefined).map((x) => x.seq!);
    base = syn?.seq !== undefined ? (syn.seq + 1) >>> 0 : data.reduce((a, b) => Math.min(a, b), Infinity);
    streamStart.set(track, base);
  }
  return base;
}

export const tcpSessionPackets: SessionPackets = {
  probe: (t) => t.direction === 'forward' && (t.payloadLength ?? 0) > 0,
  messages(t, track) {
    const s = track.record.session;
    if (!s || !t.payloadLength || t.seq === undefined) return [];
    const rel = (t.seq - baseOf(track)) >>> 0;
    const first = Math.floor(rel / s.messageBytes);
    const last = Math.floor((rel + t.payloadLength - 1) / s.messageBytes);
    const out: number[] = [];
    for (let i = first; i <= last && i < s.messages.length; i++) out.push(i);
    return out;
  },
};

/** Messages by what names them (UDP: the request's digest; ICMP: the seq), built once per track. */
function indexBy(cache: WeakMap<ConnectionTrack, Map<number, number[]>>, track: ConnectionTrack, key: (m: NonNullable<ConnectionTrack['record']['session']>['messages'][number]) => number | undefined): Map<number, number[]> {
  let ix = cache.get(track);
  if (!ix) {
    ix = new Map();
    for (const m of track.record.session?.messages ?? []) {
      const k = key(m);
      if (k !== undefined) ix.set(k, [...(ix.get(k) ?? []), m.index]);
    }
    cache.set(track, ix);
  }
  return ix;
}
const byDigest = new WeakMap<ConnectionTrack, Map<number, number[]>>();
const bySeq = new WeakMap<ConnectionTrack, Map<number, number[]>>();

export const udpSessionPackets: SessionPackets = {
  probe: (t) => t.direction === 'forward' && t.label === 'REQUEST',
  messages: (t: PacketTrace, track) => (t.payloadDigest === undefined ? [] : (indexBy(byDigest, track, (m) => m.payloadDigests?.[0]).get(t.payloadDigest) ?? [])),
};

export const icmpSessionPackets: SessionPackets = {
  probe: (t) => t.direction === 'forward' && t.label === 'ECHO-REQUEST',
  messages: (t, track) => (t.seq === undefined ? [] : (indexBy(bySeq, track, (m) => m.seq).get(t.seq) ?? [])),
};
