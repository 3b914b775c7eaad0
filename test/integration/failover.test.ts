/**
 * Failover in time on real labs: a link goes down under a long-lived TCP connection (netns); the
 * phases match the flow's expect, the failover time comes from the packets, and report.json holds
 * every message's outcome, the phases and the events as they ran. An event that fails stops the
 * run and takes the lab down, naming the event; an exec event whose program the node lacks is
 * refused before anything is sent (docker: the image).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { buildReport, type Report } from '../../src/report/report.js';
import { readRunExtras, writeRunReports } from '../../src/report/run-folder.js';
import { runLab } from '../../src/run/run-lab.js';
import type { Lab } from '../../src/topology/types.js';
import { canBuildLabs, labFile, leftovers, whyNoLabs } from '../helpers/machine.js';

const out = mkdtempSync(join(tmpdir(), 'asymlab-failover-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const LAB = 'test/fixtures/labs/failover-tcp.yaml';

async function report(lab: Lab, dir: string, verdicts: Awaited<ReturnType<typeof runLab>>['verdicts']): Promise<Report> {
  const r = buildReport({ lab: lab.name, file: lab.file, runtime: lab.runtime, startedAt: new Date().toISOString(), durationMs: 0, timings: {} }, verdicts, {}, await readRunExtras(dir, lab));
  await writeRunReports(dir, r, '');
  return JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
}

function dockerReady(): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', 'asymlab/node:latest'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!canBuildLabs)(`failover on real packets${canBuildLabs ? '' : ` — skipped: ${whyNoLabs}`}`, () => {
  it('a link goes down under a long-lived TCP connection: phases as expected, failover timed from the packets, every message in report.json', async () => {
    const lab = await labFile(LAB, 'h9-it-failover');
    const dir = join(out, 'failover');
    const r = await runLab(lab, { outDir: dir });
    expect(leftovers('h9-it-failover')).toEqual([]);
    const v = r.verdicts[0];
    expect(v.mismatches).toEqual([]);
    expect(v.pass).toBe(true);
    const phases = v.phases!;
    // Before: via ra both ways. After: via rb both ways. Between them, whatever the packets met.
    expect(phases[0]).toMatchObject({ result: 'delivered', path: ['client', 'r1', 'ra', 'r2', 'srv'], returnPath: ['srv', 'r2', 'ra', 'r1', 'client'] });
    expect(phases[phases.length - 1]).toMatchObject({ result: 'delivered', path: ['client', 'r1', 'rb', 'r2', 'srv'], returnPath: ['srv', 'r2', 'rb', 'r1', 'client'] });
    // The boundary is the first packet that fared otherwise, after the event ran.
    const event = phases[1].after!;
    expect(event.label).toBe('link r1:eth2–ra:eth1 down');
    expect(phases[1].fromMs).toBeGreaterThanOrEqual(event.atMs);
    // Failover: from the event to the first message through again, measured on the packets.
    const back = phases.find((p) => p.failoverMs !== undefined)!;
    expect(back.failoverFrom?.label).toBe('link r1:eth2–ra:eth1 down');
    expect(back.failoverMs).toBeGreaterThan(0);
    expect(back.failoverMs).toBeLessThanOrEqual(back.fromMs - event.atMs + 100);
    expect(v.findings!.join('\n')).toMatch(/session survived: one connection kept working across the path change/);
    // No firewall, no loss: every message came back (TCP retransmitted what the link lost).
    expect(v.connections[0].session!.messages.every((m) => m.outcome === 'echoed')).toBe(true);

    const rep = await report(lab, dir, r.verdicts);
    const f = rep.flows[0];
    expect(f.messages).toHaveLength(30);
    expect(f.messages!.every((m) => m.outcome === 'echoed' && typeof m.sentMs === 'number' && typeof m.echoedMs === 'number')).toBe(true);
    expect(f.messages![0]).toMatchObject({ index: 0, phase: 0, result: 'delivered' });
    expect(f.phases!.map((p) => p.result)).toEqual(phases.map((p) => p.result));
    expect(rep.timeline!.events).toEqual([expect.objectContaining({ index: 0, kind: 'link', label: 'link r1:eth2–ra:eth1 down', atMs: 1000, ok: true })]);
    expect(rep.timeline!.events[0].startedMs).toBeGreaterThanOrEqual(1000);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/id="phases"[^]*link r1:eth2–ra:eth1 down/);
  }, 120_000);

  it('an event that fails stops the flows, takes the lab down and names the event', async () => {
    const lab = await labFile(LAB, 'h9-it-event-fail');
    lab.events = [{ kind: 'exec', index: 0, atMs: 500, node: 'r1', command: 'ip route del 203.0.113.0/24' }];
    const dir = join(out, 'event-fail');
    const err = await runLab(lab, { outDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).kind).toBe('runtime');
    expect((err as LabError).message).toMatch(/^events\[0\] \(r1 exec: ip route del 203\.0\.113\.0\/24, due \+500 ms, run at \+\d+ ms\) failed: \[r1\] .*sh -c ip route del 203\.0\.113\.0\/24: exit code 2[^]*RTNETLINK answers: No such process/);
    expect(leftovers('h9-it-event-fail')).toEqual([]);
    const timeline = JSON.parse(readFileSync(join(dir, 'evidence', 'timeline.json'), 'utf8')) as { events: { ok: boolean; error?: string }[] };
    expect(timeline.events[0]).toMatchObject({ ok: false, error: expect.stringMatching(/exit code 2/) });
  }, 120_000);

  const docker = dockerReady();
  it.skipIf(!docker)('docker: an exec event whose program the image lacks is refused before anything is sent, and the lab is taken down', async () => {
    const lab = await labFile(LAB, 'h9-it-ev-docker');
    lab.runtime = 'docker';
    lab.events = [{ kind: 'exec', index: 0, atMs: 500, node: 'r1', command: 'h9-no-such-tool --now && ip route show' }];
    const dir = join(out, 'docker');
    const err = await runLab(lab, { outDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).kind).toBe('input');
    expect((err as LabError).message).toMatch(/events\[0\]\.exec: 'h9-no-such-tool' is not found in the image of node r1 \(asymlab\/node:latest\)$/);
    expect(leftovers('h9-it-ev-docker')).toEqual([]);
    // Nothing was sent: no capture was started.
    expect(existsSync(join(dir, 'captures'))).toBe(false);
  }, 180_000);
});
