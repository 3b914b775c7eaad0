import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { claimLab, holderAlive } from '../../src/lab/claim.js';
import { removeState, writeState } from '../../src/lab/state.js';

const base = () => mkdtempSync(join(tmpdir(), 'asymlab-h1-claim-'));

/** A PID that was a process a moment ago and is none now (spawnSync waits for it and reaps it). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

async function rejection(p: Promise<unknown>): Promise<LabError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LabError);
  return e as LabError;
}

describe('claims on lab names', () => {
  it('a second claim fails naming the holder, for up and for down; release lets the next one in', async () => {
    const dir = base();
    const first = await claimLab('l1', 'up', dir);
    expect(JSON.parse(readFileSync(join(dir, 'l1', 'claim'), 'utf8'))).toMatchObject({ pid: process.pid, purpose: 'up' });
    const up = await rejection(claimLab('l1', 'up', dir));
    expect(up.kind).toBe('input');
    expect(up.message).toBe(`lab 'l1' is already being brought up by PID ${process.pid}`);
    const down = await rejection(claimLab('l1', 'down', dir));
    expect(down.message).toMatch(new RegExp(`^lab 'l1' is being brought up by PID ${process.pid}; down does not race it`));
    await first.release();
    expect(existsSync(join(dir, 'l1'))).toBe(false);
    const second = await claimLab('l1', 'down', dir);
    expect((await rejection(claimLab('l1', 'up', dir))).message).toBe(`lab 'l1' is being taken down by PID ${process.pid}`);
    await second.release();
  });

  it('of many claims made at once, exactly one wins', async () => {
    const dir = base();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => claimLab('l2', 'up', dir)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof LabError)).toBe(true);
  });

  it('a claim whose process is dead is taken over; many takers at once still make one winner', async () => {
    const dir = base();
    const pid = deadPid();
    expect(holderAlive({ pid })).toBe(false);
    mkdirSync(join(dir, 'l3'));
    writeFileSync(join(dir, 'l3', 'claim'), JSON.stringify({ pid, purpose: 'up', token: 'dead', since: '' }));
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => claimLab('l3', 'up', dir)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dir, 'l3', 'claim'), 'utf8')).pid).toBe(process.pid);
    expect(existsSync(join(dir, 'l3', 'claim.takeover'))).toBe(false);
  });

  it('a claim by a live PID with another start time (the PID was reused) is stale', async () => {
    expect(holderAlive({ pid: process.pid })).toBe(true);
    expect(holderAlive({ pid: process.pid, startTicks: -1 })).toBe(false);
    expect(holderAlive({ pid: 0 })).toBe(false);
  });

  it('release leaves a claim that is not its own, and keeps the folder of a lab that is up', async () => {
    const dir = base();
    const c = await claimLab('l4', 'up', dir);
    await writeState({ lab: 'l4', file: '/f', runtime: 'netns', startedAt: '', pid: process.pid }, dir);
    await c.release();
    expect(existsSync(join(dir, 'l4', 'state.json'))).toBe(true);
    expect(existsSync(join(dir, 'l4', 'claim'))).toBe(false);
    const d = await claimLab('l4', 'down', dir);
    await c.release(); // the earlier holder releasing twice must not free the new claim
    expect(existsSync(join(dir, 'l4', 'claim'))).toBe(true);
    await removeState('l4', dir);
    expect(existsSync(join(dir, 'l4', 'claim'))).toBe(true);
    expect(existsSync(join(dir, 'l4', 'state.json'))).toBe(false);
    await d.release();
    expect(existsSync(join(dir, 'l4'))).toBe(false);
  });

  it('a takeover cut short by a dead process is reported with the file to remove, not raced', async () => {
    const dir = base();
    const pid = deadPid();
    mkdirSync(join(dir, 'l5'));
    writeFileSync(join(dir, 'l5', 'claim'), JSON.stringify({ pid, purpose: 'up', token: 'a', since: '' }));
    writeFileSync(join(dir, 'l5', 'claim.takeover'), JSON.stringify({ pid, purpose: 'up', token: 'b', since: '' }));
    const e = await rejection(claimLab('l5', 'up', dir));
    expect(e.message).toContain(join(dir, 'l5', 'claim.takeover'));
    expect(e.hint).toContain(`rm ${join(dir, 'l5', 'claim.takeover')}`);
  });

  it('refuses a name that is not a lab name before making any folder', async () => {
    const dir = base();
    const e = await rejection(claimLab('../escape', 'up', dir));
    expect(e.kind).toBe('input');
    expect(existsSync(join(dir, '..', 'escape'))).toBe(false);
  });
});
