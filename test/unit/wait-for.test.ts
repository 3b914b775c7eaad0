import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { spawnBackground } from '../../src/util/exec.js';
import { isTimeout, notYet, ready, waitFor, waitForLine } from '../../src/util/wait-for.js';

/** A clock that moves only when the wait sleeps: deadlines are tested without real time. */
function fakeClock() {
  let t = 1000;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

describe('waitFor', () => {
  it("returns the probe's value once it is done", async () => {
    let calls = 0;
    const clock = fakeClock();
    const v = await waitFor(() => (++calls < 3 ? notYet(`call ${calls}`) : ready({ calls })), { description: 'three calls', timeoutMs: 1000, intervalMs: 10, ...clock });
    expect(v).toEqual({ calls: 3 });
    expect(clock.slept).toEqual([10, 10]);
  });

  it('fails at the deadline naming what it waited for and what it last saw', async () => {
    const clock = fakeClock();
    let calls = 0;
    const err = await waitFor(() => notYet(`attempt ${++calls}`), { description: 'the moon to rise', timeoutMs: 100, intervalMs: 30, ...clock }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect(isTimeout(err)).toBe(true);
    expect((err as LabError).message).toBe('timed out after 100 ms waiting for the moon to rise; last seen: attempt 5');
    // The last sleep is cut to the deadline: no probe runs past it.
    expect(clock.slept).toEqual([30, 30, 30, 10]);
  });

  it('shares one budget through `deadline`, and probes once even when it has passed', async () => {
    const clock = fakeClock();
    let calls = 0;
    await expect(waitFor(() => (calls++, notYet()), { description: 'late', deadline: clock.now() - 1, ...clock })).rejects.toMatchObject({ kind: 'timeout' });
    expect(calls).toBe(1);
    expect(await waitFor(() => ready('at once'), { description: 'late', deadline: clock.now() - 1, ...clock })).toBe('at once');
  });

  it('ends with the error a probe throws, at once', async () => {
    const clock = fakeClock();
    const boom = new Error('probe broke');
    await expect(waitFor(() => Promise.reject(boom), { description: 'x', timeoutMs: 1000, ...clock })).rejects.toBe(boom);
    expect(clock.slept).toEqual([]);
  });

  it('stops when the signal aborts, also in the middle of a sleep', async () => {
    const before = new AbortController();
    before.abort();
    let calls = 0;
    await expect(waitFor(() => (calls++, notYet()), { description: 'never', signal: before.signal })).rejects.toMatchObject({ kind: 'interrupted', message: 'interrupted while waiting for never' });
    expect(calls).toBe(0);

    // Real timers: a 60 s interval that the abort cuts short.
    const ac = new AbortController();
    const waiting = waitFor(() => notYet(), { description: 'a long interval', intervalMs: 60_000, timeoutMs: 120_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(waiting).rejects.toMatchObject({ kind: 'interrupted' });
  });
});

describe('waitForLine', () => {
  const node = (script: string) => spawnBackground([process.execPath, '-e', script], { captureStdout: true });

  it('returns the matching text once the process prints it, on stdout or stderr', async () => {
    const out = node('setTimeout(() => console.log("{\\"ready\\": true}"), 50); setTimeout(() => {}, 5000)');
    expect(await waitForLine(out, /"ready"/, 10_000, 'a server')).toBe('"ready"');
    await out.stop();
    const err = node('console.error("listening on eth1"); setTimeout(() => {}, 5000)');
    expect(await waitForLine(err, /listening on \S+/, 10_000, 'tcpdump')).toBe('listening on eth1');
    await err.stop();
  });

  it('fails when the process exits first, quoting what it printed', async () => {
    const bg = node('console.error("no such interface"); process.exit(1)');
    await expect(waitForLine(bg, /listening/, 10_000, 'tcpdump on r1:eth9')).rejects.toMatchObject({ kind: 'runtime', message: 'tcpdump on r1:eth9 exited before it was ready: no such interface' });
  });

  it('times out naming the process and its last output', async () => {
    // It keeps saying "starting": once it has said it once (a busy machine may take a while to start
    // node), the short wait below sees it again whatever the load.
    const bg = node('setInterval(() => console.log("starting"), 20); setTimeout(() => {}, 5000)');
    try {
      await waitForLine(bg, /starting/, 120_000, 'the server to start');
      await expect(waitForLine(bg, /ready/, 300, 'a slow server')).rejects.toMatchObject({ kind: 'timeout', message: expect.stringMatching(/waiting for a slow server .*last seen: [\s\S]*starting\s*$/) });
    } finally {
      await bg.stop();
    }
  });
});
