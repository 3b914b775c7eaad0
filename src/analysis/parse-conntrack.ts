/**
 * Parser for conntrack-tools' default text output: `conntrack -E -o timestamp` events and
 * `conntrack -L` entries, with or without `-o extended`, `-o id`, `-o ktimestamp`.
 *
 * The line layout (libnetfilter_conntrack's snprintf_default, conntrack.c's event_cb):
 *
 *   [1732446000.123456]\t    [NEW] tcp      6 120 SYN_SENT src=… dst=… sport=… dport=… [UNREPLIED] src=… dst=… sport=… dport=…
 *   ^ -o timestamp        ^ -E only  ^ proto  ^ timeout, state (absent on DESTROY)   ^ orig tuple      ^ reply tuple
 *
 * then optional packets=/bytes=, [ASSURED], mark=, zone=, delta-time=, [start=<ctime>], use=, id=,
 * and, for events a process caused, `[USERSPACE] portid=… progname=…`. With `-o extended` the line
 * starts `ipv4     2 ` after the event type. Older conntrack prints the microseconds left-aligned
 * and unpadded (`%-6ld`), newer zero-padded (`%-.6ld`): both read as an integer count of µs.
 *
 * Lines that are not entries (the "N flow entries have been shown." trailer, blank lines) are skipped.
 */
import type { ConntrackEvent, ConntrackTuple } from './types.js';

const EVENT_TYPES: Record<string, ConntrackEvent['type']> = {
  '[NEW]': 'NEW',
  '[UPDATE]': 'UPDATE',
  '[DESTROY]': 'DESTROY',
};

const L3 = new Set(['ipv4', 'ipv6', 'unknown']);
const TS = /^\[\s*(\d+)\.\s*(\d+)\s*\]$/;

/** Bracketed groups stay whole: `[start=Sun Nov 24 10:00:00 2024]` holds spaces. */
function tokens(line: string): string[] {
  return line.match(/\[[^\]]*\]|\S+/g) ?? [];
}

/** One line; undefined when it is not a conntrack entry. */
export function parseConntrackLine(node: string, line: string): ConntrackEvent | undefined {
  const t = tokens(line.trim());
  let i = 0;
  let ts: number | undefined;
  const m = TS.exec(t[i] ?? '');
  if (m) {
    ts = Number(m[1]) + Number(m[2]) / 1e6;
    i++;
  }
  let type: ConntrackEvent['type'] = 'LIST';
  if (EVENT_TYPES[t[i]]) type = EVENT_TYPES[t[i++]];
  if (L3.has(t[i]) && /^\d+$/.test(t[i + 1] ?? '')) i += 2;
  const proto = t[i];
  if (!proto || !/^[a-z][a-z0-9-]*$/.test(proto) || !/^\d+$/.test(t[i + 1] ?? '')) return undefined;
  i += 2;
  if (/^\d+$/.test(t[i] ?? '')) i++; // timeout, seconds left
  let state: string | undefined;
  if (/^[A-Z][A-Z_]*$/.test(t[i] ?? '')) state = t[i++];

  const tuples: Partial<ConntrackTuple>[] = [];
  const flags: string[] = [];
  for (; i < t.length; i++) {
    const tok = t[i];
    if (tok.startsWith('[')) {
      if (!tok.includes('=')) flags.push(tok);
      continue;
    }
    const eq = tok.indexOf('=');
    if (eq < 0) continue;
    const key = tok.slice(0, eq);
    const value = tok.slice(eq + 1);
    if (key === 'src') tuples.push({ src: value });
    const cur = tuples[tuples.length - 1];
    // Only the first two tuples are orig and reply; keys after them (mark=, use=) are not ours.
    if (!cur || tuples.length > 2) continue;
    if (key === 'dst') cur.dst = value;
    else if (key === 'sport') cur.sport = Number(value);
    else if (key === 'dport') cur.dport = Number(value);
    // ICMP's id is its port to NAT; the first id= of a tuple is it (a later one is the entry's own id).
    else if (key === 'id' && (proto === 'icmp' || proto === 'icmpv6') && cur.id === undefined) cur.id = Number(value);
  }
  const [orig, reply] = tuples;
  if (!orig?.src || !orig.dst || !reply?.src || !reply.dst) return undefined;
  return {
    node,
    ...(ts !== undefined ? { ts } : {}),
    type,
    proto,
    ...(state !== undefined ? { state } : {}),
    orig: orig as ConntrackTuple,
    reply: reply as ConntrackTuple,
    flags,
  };
}

/** Every entry of a `conntrack -E -o timestamp` or `conntrack -L` output, in order. */
export function parseConntrack(node: string, text: string): ConntrackEvent[] {
  const out: ConntrackEvent[] = [];
  for (const line of text.split('\n')) {
    const e = parseConntrackLine(node, line);
    if (e) out.push(e);
  }
  return out;
}
