import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { CommandError, interruptChildren, run, settleChildren, spawnBackground } from '../../src/util/exec.js';

// The interrupt is process-wide and for good: this file is its own process (vitest forks one per file).
describe('the command runner after an interrupt (Ctrl-C)', () => {
  it('ends running children by PID, refuses new ones but a teardown, and waits for every child to exit', async () => {
    const running = run(['sleep', '30'], { reject: false }).catch((e: unknown) => e);
    // Ignores SIGTERM once `armed` exists: the settle must end it with SIGKILL after its grace.
    const armed = join(mkdtempSync(join(tmpdir(), 'asymlab-exec-')), 'armed');
    const stubborn = run(['sh', '-c', 'trap "" TERM; touch "$0"; while :; do sleep 0.05; done', armed]).catch((e: unknown) => e);
    const bg = spawnBackground(['sleep', '30']);
    await expect.poll(() => existsSync(armed)).toBe(true);

    interruptChildren();

    // A child cut short fails as interrupted, even where the caller asked for no rejection.
    const cut = await running;
    expect(cut).toBeInstanceOf(CommandError);
    expect((cut as CommandError).kind).toBe('interrupted');
    expect((await bg.exited).signal).toBe('SIGTERM');

    const late = await run(['true']).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(LabError);
    expect((late as LabError).kind).toBe('interrupted');
    expect(() => spawnBackground(['true'])).toThrow(/not started: interrupted/);
    expect((await run(['true'], { teardown: true })).exitCode).toBe(0);

    await settleChildren(300);
    const killed = await stubborn;
    expect((killed as CommandError).kind).toBe('interrupted');
    expect((killed as CommandError).result.signal).toBe('SIGKILL');
  });
});
