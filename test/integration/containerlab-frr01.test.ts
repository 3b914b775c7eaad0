/**
 * containerlab's lab-examples/frr01 (test/fixtures/containerlab/frr01, with its licence), run as it
 * is on netns: three FRR routers in OSPF from their bound frr.conf and daemons files, three PCs
 * configured by exec lines. Renamed in code only, so it never meets another lab.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { upLab } from '../../src/lab/up.js';
import { loadLab } from '../../src/topology/load.js';
import { canBuildLabs, repoRoot, whyNoLabs } from '../helpers/machine.js';
import { traces } from '../helpers/node-fs.js';

const FRR01 = join(repoRoot, 'test/fixtures/containerlab/frr01/frr01.clab.yml');
const NAME = 'h11-frr01';

describe.skipIf(!canBuildLabs)(`containerlab's frr01, unmodified, on netns${canBuildLabs ? '' : ` — skipped: ${whyNoLabs}`}`, () => {
  it('validates with exit 0', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin/asymlab.js'), 'validate', FRR01], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("valid lab 'frr01'");
    expect(r.stderr).not.toMatch(/error/i);
  });

  it('comes up once OSPF has converged: PC1 pings PC3 at once, vtysh answers as in containerlab; down leaves nothing', async () => {
    const lab = { ...(await loadLab(FRR01)), name: NAME };
    const started = await upLab(lab);
    try {
      const node = (name: string) => started.plan.nodes.find((n) => n.node.name === name)!;
      const ping = await started.runtime.exec(node('PC1'), ['ping', '-c', '1', '-W', '2', '192.168.13.2'], { reject: false });
      expect(ping.exitCode, ping.stdout + ping.stderr).toBe(0);
      // FRR reads /etc/frr in the node's own filesystem: plain vtysh, no pathspace
      const ospf = await started.runtime.exec(node('router1'), ['vtysh', '-c', 'show ip ospf neighbor json'], { context: 'node' });
      const neighbours = Object.values((JSON.parse(ospf.stdout) as { neighbors: Record<string, { nbrState: string }[]> }).neighbors).flat();
      expect(neighbours.map((n) => n.nbrState.split('/')[0])).toEqual(['Full', 'Full']);
      const conf = await started.runtime.exec(node('router1'), ['cat', '/etc/frr/frr.conf'], { context: 'node' });
      expect(conf.stdout).toContain('hostname router1');
      // the daemons file starts ospfd and ldpd, not bgpd
      const daemons = await started.runtime.exec(node('router1'), ['sh', '-c', 'ls /var/run/frr/*.pid'], { context: 'node' });
      expect(daemons.stdout).toMatch(/ospfd\.pid/);
      expect(daemons.stdout).toMatch(/ldpd\.pid/);
      expect(daemons.stdout).not.toMatch(/bgpd\.pid/);
    } finally {
      await started.down();
    }
    expect(traces(NAME)).toEqual([]);
  });
});
