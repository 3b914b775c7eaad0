import { LabError } from '../errors.js';
import type { Background } from './exec.js';

/**
 * The one way asymlab waits for a condition: a probe, asked again every `intervalMs` until it says
 * done, bounded by a deadline and by an abort signal. Waits are on conditions, never on guesses about
 * speed; what the probe last saw goes into the timeout error, so a wait that fails says where it got.
 */
export type ProbeResult<T> = { done: true; value: T } | { done: false; seen?: string };

export type Probe<T> = () => ProbeResult<T> | Promise<ProbeResult<T>>;

/** The probe's condition holds; `waitFor` returns `value`. */
export function ready<T>(value: T): ProbeResult<T>;
export function ready(): ProbeResult<void>;
export function ready<T>(value?: T): ProbeResult<T | undefined> {
  return { done: true, value };
}

/** Not yet; `seen` says what the probe saw, for progress and the timeout error. */
export function notYet(seen?: string): ProbeResult<never> {
  return { done: false, seen };
}

export interface WaitOptions {
  /** What is awaited, as the timeout error names it: "tcpdump on r1:eth1 to listen". */
  description: string;
  /** Bound from now; or `deadline`, a `performance.now()` time (one budget shared by several waits). */
  timeoutMs?: number;
  deadline?: number;
  /** Between two probes; default 50 ms. */
  intervalMs?: number;
  signal?: AbortSignal;
  /** Side effects as options, so tests can drive the clock. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function isTimeout(e: unknown): e is LabError {
  return e instanceof LabError && e.kind === 'timeout';
}

function interrupted(description: string, signal: AbortSignal): LabError {
  return new LabError('interrupted', `interrupted while waiting for ${description}`, { cause: signal.reason });
}

/** A timer that an abort cuts short (the probe after it then sees the abort). */
export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Asks `probe` until it is done and returns its value. The probe runs at least once, also with a
 * deadline already past. A probe that throws ends the wait with its error (a probe decides itself
 * what is transient). Throws LabError('timeout') naming `description` and what was last seen, or
 * LabError('interrupted') once `signal` aborts.
 */
export async function waitFor<T>(probe: Probe<T>, opts: WaitOptions): Promise<T> {
  const now = opts.now ?? (() => performance.now());
  const sleep = opts.sleep ?? sleepMs;
  const started = now();
  const deadline = opts.deadline ?? started + (opts.timeoutMs ?? Number.POSITIVE_INFINITY);
  const interval = opts.intervalMs ?? 50;
  for (;;) {
    if (opts.signal?.aborted) throw interrupted(opts.description, opts.signal);
    const r = await probe();
    if (r.done) return r.value;
    if (opts.signal?.aborted) throw interrupted(opts.description, opts.signal);
    const left = deadline - now();
    if (left <= 0) {
      const waited = Math.round(now() - started);
      throw new LabError('timeout', `timed out after ${waited} ms waiting for ${opts.description}${r.seen ? `; last seen: ${r.seen}` : ''}`);
    }
    await sleep(Math.min(interval, left), opts.signal);
  }
}

/**
 * Waits until a background process prints a line matching `re` on stdout or stderr: a server's
 * "ready", tcpdump's "listening on". Throws LabError('runtime') if the process exits first,
 * LabError('timeout') after `timeoutMs`; both quote the end of what it printed.
 */
export async function waitForLine(bg: Background, re: RegExp, timeoutMs: number, what: string, opts: { signal?: AbortSignal; intervalMs?: number } = {}): Promise<string> {
  let out = '';
  const onData = (d: Buffer | string) => (out += d.toString());
  bg.child.stdout?.on('data', onData);
  bg.child.stderr?.on('data', onData);
  let exited = false;
  void bg.exited.then(() => (exited = true));
  const tail = () => out.trim().slice(-300);
  try {
    return await waitFor(
      () => {
        const m = re.exec(out);
        if (m) return ready(m[0]);
        if (exited) throw new LabError('runtime', `${what} exited before it was ready: ${tail()}`);
        return notYet(tail() || 'no output yet');
      },
      { description: `${what} to print ${String(re)}`, timeoutMs, intervalMs: opts.intervalMs ?? 10, signal: opts.signal },
    );
  } finally {
    bg.child.stdout?.off('data', onData);
    bg.child.stderr?.off('data', onData);
  }
}
