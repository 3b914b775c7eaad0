/**
 * containerlab's frr01 on the docker runtime, its two images (which cannot be pulled here) mapped
 * to asymlab's own with the image map: the bound frr.conf and daemons are mounted as containerlab
 * mounts them and never written over, FRR sets its own net.* sysctls (`no ipv6 forwarding`), and
 * the reachability is netns's. A mapped image that is missing is one clear error.
 */
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { upLab } from '../../src/lab/up.js';
import { DEFAULT_NODE_IMAGE, LABEL_LAB } from '../../src/runtime/docker/docker-client.js';
import { loadLab } from '../../src/topology/load.js';
import { repoRoot } from '../helpers/machine.js';
import { traces } from '../helpers/node-fs.js';

const FRR01 = join(repoRoot, 'test/fixtures/containerlab/frr01/frr01.clab.yml');
const MAP = { 'quay.io/frrouting/frr:10.5.1': DEFAULT_NODE_IMAGE, 'wbitt/network-multitool:3.22.2': DEFAULT_NODE_IMAGE };
const docker = new Dockerode();

async function skipReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!(await docker.ping().then(() => true, () => false))) return 'no docker daemon answers';
  if (!(await docker.getImage(DEFAULT_NODE_IMAGE).inspect().then(() => true, () => false))) return `image ${DEFAULT_NODE_IMAGE} is absent (asymlab images build)`;
  return undefined;
}
const reason = await skipReason();
const containersOf = async (lab: string) => docker.listContainers({ all: true, filters: { label: [`${LABEL_LAB}=${lab}`] } });

describe.skipIf(reason !== undefined)(`containerlab's frr01 on docker with --image-map${reason ? ` (skipped: ${reason})` : ''}`, () => {
  it('comes up once OSPF has converged and PC1 pings PC3 at once; down leaves nothing', async () => {
    const lab = { ...(await loadLab(FRR01, { runtime: 'docker' })), name: 'h11-dfrr01' };
    const started = await upLab(lab, { imageMap: MAP });
    try {
      const node = (name: string) => started.plan.nodes.find((n) => n.node.name === name)!;
      const ping = await started.runtime.exec(node('PC1'), ['ping', '-c', '1', '-W', '2', '192.168.13.2'], { reject: false });
      expect(ping.exitCode, ping.stdout + ping.stderr).toBe(0);
      const r1 = node('router1');
      // FRR's config is the bound file, as written; zebra turned IPv6 forwarding off itself
      const conf = await started.runtime.exec(r1, ['cat', '/etc/frr/frr.conf'], { context: 'node' });
      expect(conf.stdout).toContain('frr version 10.5.1');
      const fwd = await started.runtime.exec(r1, ['cat', '/proc/sys/net/ipv6/conf/all/forwarding'], { context: 'node' });
      expect(fwd.stdout.trim()).toBe('0');
      const kernelRo = await started.runtime.exec(r1, ['sh', '-c', 'echo x > /proc/sys/kernel/domainname'], { context: 'node', reject: false });
      expect(kernelRo.exitCode).not.toBe(0);
    } finally {
      await started.down();
    }
    expect(await containersOf('h11-dfrr01')).toEqual([]);
    expect(traces('h11-dfrr01')).toEqual([]);
  });

  it('a mapped image that is not here is one clear error, before anything is made', async () => {
    const lab = { ...(await loadLab(FRR01, { runtime: 'docker' })), name: 'h11-dfrr01-bad' };
    const err = await upLab(lab, { imageMap: { ...MAP, 'quay.io/frrouting/frr:10.5.1': 'asymlab/nope:1' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).kind).toBe('environment');
    expect((err as Error).message).toBe('docker image missing: asymlab/nope:1 (mapped from quay.io/frrouting/frr:10.5.1 by the image map)');
    expect(await containersOf('h11-dfrr01-bad')).toEqual([]);
    expect(traces('h11-dfrr01-bad')).toEqual([]);
  });
});
