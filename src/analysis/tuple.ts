/**
 * Connection tuples (addresses and ports, or whatever a protocol puts in the port fields), as
 * conntrack writes them and as a protocol reads them off a packet. Pure.
 */
import { addressKey } from '../net/lab-index.js';
import type { ConntrackTuple } from './types.js';

export function tupleKey(t: ConntrackTuple): string {
  return `${addressKey(t.src)}|${t.sport ?? ''}|${addressKey(t.dst)}|${t.dport ?? ''}`;
}

export function reverse(t: ConntrackTuple): ConntrackTuple {
  return { src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
}

export function formatTuple(t: ConntrackTuple): string {
  const ep = (a: string, port?: number) => (port === undefined ? a : a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);
  return `${ep(t.src, t.sport)} → ${ep(t.dst, t.dport)}`;
}
