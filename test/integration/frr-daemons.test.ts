import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { upLab } from '../../src/lab/up.js';
import { vtyshRun } from '../../src/nodes/frr.js';
import { loadLab } from '../../src/topology/load.js';
import { canBuildLabs, labFile, leftovers, repoRoot, whyNoLabs } from '../helpers/machine.js';

/** FRR daemons running for a node, by name, from /proc (their command line carries -N <namespace>). */
function daemonsRunning(ns: string): string[] {
  const out: string[] = [];
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (argv[0].startsWith('/usr/lib/frr/') && argv.includes(ns)) out.push(argv[0].slice('/usr/lib/frr/'.length));
    } catch {
      /* exited */
    }
  }
  return out.sort();
}

describe.skipIf(!canBuildLabs)(`FRR starts the daemons a raw config needs, and up waits for them${canBuildLabs ? '' : ` — skipped: ${whyNoLabs}`}`, () => {
  it('labs/ospf: ospfd runs on each router, neighbours are Full, routes are in, and the hosts reach each other at once', async () => {
    const started = await upLab(await labFile('labs/ospf/lab.yaml', 'it-ospf'));
    try {
      const node = (name: string) => started.plan.nodes.find((n) => n.node.name === name)!;
      for (const r of ['r1', 'r2', 'r3']) {
        // exactly what the config needs: no bgpd, no staticd
        expect(daemonsRunning(node(r).ns), r).toEqual(['ospfd', 'zebra']);
        const out = await vtyshRun(started.runtime, node(r), ['show ip ospf neighbor json']);
        const neighbours = Object.values((JSON.parse(out.stdout) as { neighbors: Record<string, { nbrState: string }[]> }).neighbors).flat();
        expect(neighbours.length, r).toBe(r === 'r2' ? 2 : 1);
        expect(neighbours.map((n) => n.nbrState.split('/')[0]), r).toEqual(neighbours.map(() => 'Full'));
      }
      const r1Routes = await started.runtime.exec(node('r1'), ['ip', 'route', 'show', 'proto', 'ospf']);
      expect(r1Routes.stdout).toMatch(/^10\.3\.0\.0\/24 (nhid \d+ )?via 100\.64\.12\.2/m);
      const ping = await started.runtime.exec(node('client'), ['ping', '-c', '1', '-W', '2', '10.3.0.10'], { reject: false });
      expect(ping.exitCode, ping.stdout + ping.stderr).toBe(0);
    } finally {
      await started.down();
    }
    expect(leftovers('it-ospf')).toEqual([]);
  });

  it('an OSPF adjacency that can never form (areas differ) times out naming it, and leaves nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asymlab-ospf-'));
    cpSync(join(repoRoot, 'labs/ospf'), dir, { recursive: true });
    // r3 puts its link to r2 in area 1; r2 keeps it in area 0
    const r3 = readFileSync(join(dir, 'r3.conf'), 'utf8');
    writeFileSync(join(dir, 'r3.conf'), r3.replace('interface eth1\n ip ospf area 0', 'interface eth1\n ip ospf area 1'));
    const lab = { ...(await loadLab(join(dir, 'lab.yaml'))), name: 'it-ospf-area' };
    const err = await upLab(lab, { convergeTimeoutMs: 6_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).kind).toBe('timeout');
    expect((err as Error).message).toContain('OSPF adjacency r2 eth2 -> r3 eth1 is not formed');
    expect((err as Error).message).toContain('areas differ: r2 eth2 is in area 0.0.0.0, r3 eth1 in area 0.0.0.1');
    expect(leftovers('it-ospf-area')).toEqual([]);
  });
});
