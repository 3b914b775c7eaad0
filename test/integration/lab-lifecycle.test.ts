import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { downLab } from '../../src/lab/down.js';
import { upLab } from '../../src/lab/up.js';
import { bgpPeers } from '../../src/nodes/frr.js';
import { loadLab } from '../../src/topology/load.js';
import { canBuildLabs, frrProcesses, labFile, leftovers, whyNoLabs } from '../helpers/machine.js';

describe.skipIf(!canBuildLabs)(`lab lifecycle on netns (real kernel, real FRR)${canBuildLabs ? '' : ` — skipped: ${whyNoLabs}`}`, () => {
  it('brings up 3 routers in eBGP and 2 hosts; a host pings the other; down leaves nothing', async () => {
    const lab = await labFile('labs/basic/three-routers.yaml', 'it-basic');
    const started = await upLab(lab);
    try {
      for (const r of started.plan.nodes.filter((n) => n.frr)) {
        const peers = await bgpPeers(started.runtime, r);
        expect(peers.length).toBeGreaterThan(0);
        expect(peers.every((p) => p.state === 'Established')).toBe(true);
      }
      const client = started.plan.nodes.find((n) => n.node.name === 'client')!;
      const ping = await started.runtime.exec(client, ['ping', '-c', '2', '-i', '0.2', '-W', '2', '10.3.0.10'], { reject: false });
      expect(ping.exitCode, ping.stdout + ping.stderr).toBe(0);
      expect(ping.stdout).toMatch(/2 received/);
      // routes learned over BGP are in the client's first hop
      const r1 = started.plan.nodes.find((n) => n.node.name === 'r1')!;
      const routes = await started.runtime.exec(r1, ['ip', 'route', 'show', 'proto', 'bgp']);
      expect(routes.stdout).toMatch(/10\.3\.0\.0\/24 (nhid \d+ )?via 100\.64\.12\.2/);
    } finally {
      await started.down();
    }
    expect(leftovers('it-basic')).toEqual([]);
    expect(frrProcesses('it-basic')).toEqual([]);
  });

  it('two labs with different names run side by side without touching each other', async () => {
    const a = await upLab(await labFile('labs/basic/asymmetric.yaml', 'it-side-a'));
    const b = await upLab(await labFile('labs/basic/asymmetric.yaml', 'it-side-b'));
    try {
      // same addresses in both, each in its own namespaces
      const ca = a.plan.nodes.find((n) => n.node.name === 'client')!;
      const cb = b.plan.nodes.find((n) => n.node.name === 'client')!;
      expect((await a.runtime.exec(ca, ['ip', '-br', 'addr', 'show', 'eth1'])).stdout).toMatch(/10\.1\.0\.10/);
      expect((await b.runtime.exec(cb, ['ip', '-br', 'addr', 'show', 'eth1'])).stdout).toMatch(/10\.1\.0\.10/);
      await a.down();
      expect(leftovers('it-side-a')).toEqual([]);
      expect(leftovers('it-side-b').length).toBeGreaterThan(0);
      expect((await b.runtime.exec(cb, ['ip', '-br', 'addr', 'show', 'eth1'])).stdout).toMatch(/10\.1\.0\.10/);
    } finally {
      await a.down();
      await b.down();
    }
    expect(leftovers('it-side-b')).toEqual([]);
  });

  it('a failure part-way removes everything it created and keeps the original error', async () => {
    const lab = await labFile('labs/basic/three-routers.yaml', 'it-fail');
    lab.nodes.find((n) => n.name === 'r3')!.exec = ['echo boom >&2; exit 7'];
    const err = await upLab(lab).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect(String((err as Error).message)).toMatch(/exit code 7[\s\S]*boom/);
    expect(leftovers('it-fail')).toEqual([]);
    expect(frrProcesses('it-fail')).toEqual([]);
  });

  it('an abort (Ctrl-C) during up leaves nothing behind', async () => {
    const lab = await labFile('labs/basic/three-routers.yaml', 'it-abort');
    const ac = new AbortController();
    const up = upLab(lab, {
      signal: ac.signal,
      emit: (e) => {
        if (e.kind === 'step-done' && e.step === 'frr') ac.abort();
      },
    });
    const err = await up.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).kind).toBe('interrupted');
    expect(leftovers('it-abort')).toEqual([]);
    expect(frrProcesses('it-abort')).toEqual([]);
  });

  it('an FRR config that vtysh rejects is an input error naming the file, and nothing is created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asymlab-it-'));
    writeFileSync(join(dir, 'r1.conf'), 'router bgp 65001\n neighbor 10.0.0.2 remote-as\n bogus-command here\n');
    writeFileSync(
      join(dir, 'lab.yaml'),
      ['name: it-badfrr', 'topology:', '  nodes:', '    r1: {kind: router, frr-config: r1.conf, interfaces: {eth1: 10.0.0.1/30}}', '    h: {kind: host, interfaces: {eth1: 10.0.0.2/30}}', '  links:', '    - endpoints: ["r1:eth1", "h:eth1"]', ''].join('\n'),
    );
    const lab = await loadLab(join(dir, 'lab.yaml'));
    const err = await upLab(lab).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).kind).toBe('input');
    expect((err as Error).message).toContain(join(dir, 'r1.conf'));
    expect((err as Error).message).toContain('topology.nodes.r1.frr-config');
    expect(leftovers('it-badfrr')).toEqual([]);
  });

  it('down by name works without the lab file, and twice is harmless', async () => {
    const started = await upLab(await labFile('labs/basic/asymmetric.yaml', 'it-down'));
    expect(leftovers('it-down').length).toBeGreaterThan(0);
    expect(await downLab('it-down')).toBe(true);
    expect(leftovers('it-down')).toEqual([]);
    expect(await downLab('it-down')).toBe(false);
    void started;
  });
});
