/** Progress is a stream of typed events; library code never prints. The CLI has one formatter per kind. */
export type LabEvent =
  | { kind: 'step'; lab: string; step: string; detail?: string }
  | { kind: 'step-done'; lab: string; step: string; ms: number; detail?: string }
  | { kind: 'wait'; lab: string; what: string; done: number; total: number; pending: string[] }
  | { kind: 'warning'; lab: string; node?: string; message: string }
  | { kind: 'cleanup'; lab: string; detail: string };

export type EventSink = (e: LabEvent) => void;

export const ignoreEvents: EventSink = () => undefined;

/** Times a step and reports its start and end. */
export async function step<T>(emit: EventSink, lab: string, name: string, fn: () => Promise<T>, detail?: (r: T) => string | undefined): Promise<T> {
  const started = performance.now();
  emit({ kind: 'step', lab, step: name });
  const r = await fn();
  emit({ kind: 'step-done', lab, step: name, ms: performance.now() - started, detail: detail?.(r) });
  return r;
}

/**
 * A step runner that records each step's time in `timings` and stops between steps once `signal`
 * is aborted (Ctrl-C): the caller's cleanup then removes what was made.
 */
export function stepTimer(emit: EventSink, lab: string, timings: Record<string, number>, signal?: AbortSignal) {
  return async <T>(name: string, fn: () => Promise<T>, detail?: (r: T) => string | undefined): Promise<T> => {
    const t = performance.now();
    const r = await step(emit, lab, name, fn, detail);
    timings[name] = performance.now() - t;
    signal?.throwIfAborted();
    return r;
  };
}

/** Runs `fn` over items with at most `limit` at once; keeps order of results. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return out;
}
