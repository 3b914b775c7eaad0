/**
 * Runs a lab's events on the run's clock: each at time 0 + at-ms, in time order (same time: file
 * order), one after another, each recorded with when its commands really started and ended. The
 * first event that fails ends the schedule: the events after it are recorded as not run, and
 * EventFailure names the one that failed; the caller stops the flows and takes the lab down.
 */
import type { EventRecord } from '../analysis/types.js';
import { LabError } from '../errors.js';
import type { LabPlan } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import type { ScheduledEvent } from '../topology/types.js';
import { performEvent, type SilentLinks } from './actions.js';
import { eventEffect, eventLabel, relMs } from './label.js';

export class EventFailure extends LabError {
  readonly records: EventRecord[];
  constructor(message: string, records: EventRecord[], cause: unknown) {
    super('runtime', message, { cause, hint: 'the flows were stopped and the lab taken down; fix the event (or the lab) and run again' });
    this.records = records;
  }
}

function sleepUntil(epochMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const wait = Math.max(0, epochMs - Date.now());
    const timer = setTimeout(done, wait);
    function done() {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** The events in the order they run. */
export function runOrder(events: ScheduledEvent[]): ScheduledEvent[] {
  return [...events].sort((a, b) => a.atMs - b.atMs || a.index - b.index);
}

function baseRecord(e: ScheduledEvent): EventRecord {
  return {
    index: e.index,
    kind: e.kind,
    label: eventLabel(e),
    atMs: e.atMs,
    ok: false,
    effect: eventEffect(e),
    ...(e.kind === 'link' ? { interfaces: e.endpoints.map((x) => ({ node: x.node, iface: x.iface })), ...(e.silent ? { silent: true } : {}) } : { node: e.node }),
  };
}

/**
 * Runs every event at t0Ms + at-ms (t0Ms: epoch ms of time 0). Resolves with the records once
 * all ran; rejects with EventFailure at the first that fails, or with the abort's reason.
 */
export async function runEvents(plan: LabPlan, runtime: Runtime, events: ScheduledEvent[], t0Ms: number, signal?: AbortSignal): Promise<EventRecord[]> {
  const order = runOrder(events);
  const records = order.map(baseRecord);
  const silent: SilentLinks = new Set();
  for (const [i, e] of order.entries()) {
    await sleepUntil(t0Ms + e.atMs, signal);
    const rec = records[i];
    rec.startedAt = Date.now() / 1000;
    try {
      const done = await performEvent(plan, runtime, e, silent);
      rec.endedAt = Date.now() / 1000;
      rec.ok = true;
      rec.commands = done.commands;
      if (done.output) rec.output = done.output;
      if (done.interfaces) rec.interfaces = done.interfaces;
    } catch (err) {
      rec.endedAt = Date.now() / 1000;
      const why = err instanceof Error ? err.message : String(err);
      rec.error = why;
      const at = relMs(rec.startedAt * 1000 - t0Ms);
      throw new EventFailure(`events[${e.index}] (${rec.label}, due ${relMs(e.atMs)}, run at ${at}) failed: ${why}`, records, err);
    }
  }
  return records;
}
