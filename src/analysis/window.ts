/**
 * Seconds around a connection in which its packets and conntrack events are looked for: tuples
 * are reused once a connection is gone, and teardown (FIN, TIME_WAIT ACKs) outlives the client's
 * measurement.
 */
import type { ConnectionRecord } from './types.js';

export const WINDOW_BEFORE_S = 2;
export const WINDOW_AFTER_S = 10;

/** Epoch seconds from and to which evidence can belong to this attempt. */
export function windowOf(record: Pick<ConnectionRecord, 'startedAt' | 'totalMs'>): { from: number; to: number } {
  return { from: record.startedAt - WINDOW_BEFORE_S, to: record.startedAt + record.totalMs / 1000 + WINDOW_AFTER_S };
}
