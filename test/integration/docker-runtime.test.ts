import { readlink } from 'node:fs/promises';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { planLab, type LabPlan, type NodePlan } from '../../src/plan/plan.js';
import { createDockerRuntime } from '../../src/runtime/docker/docker-runtime.js';
import { DEFAULT_NODE_IMAGE } from '../../src/runtime/docker/docker-client.js';
import { listNamespaces, NETNS_DIR } from '../../src/runtime/namespaces.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { frrPaths } from '../../src/services/frr/paths.js';
import type { Lab, LabNode } from '../../src/topology/types.js';
import { CommandError, run, spawnBackground } from '../../src/util/exec.js';

/**
 * The docker runtime against a real daemon and the real node image: two containers, a veth
 * between their linked namespaces made from the host, FRR and iptables inside, clean removal.
 * Lab names are this test's own (dkr-test*), so other engineers' labs are never touched.
 */

const LAB = 'dkr-test';
const docker = new Dockerode();

async function skipReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root';
  try {
    await docker.ping();
  } catch {
    return 'no docker daemon answers (start one: sudo ./scripts/docker-daemon.sh)';
  }
  try {
    await docker.getImage(DEFAULT_NODE_IMAGE).inspect();
  } catch {
    return `image ${DEFAULT_NODE_IMAGE} is absent (build it: asymlab images build)`;
  }
  return undefined;
}

const reason = await skipReason();

function node(name: string, kind: LabNode['kind'], address: string, image?: string): LabNode {
  return { name, kind, image, interfaces: [{ name: 'eth1', addresses: [address] }], loopbacks: [], routes: [], sysctls: {}, exec: [], binds: [] };
}

function lab(name: string, nodes: LabNode[]): Lab {
  return { name, file: '/nonexistent/lab.yml', dir: '/tmp', runtime: 'docker', nodes, links: [], flows: [] };
}

async function labContainers(name: string): Promise<Dockerode.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`asymlab.lab=${name}`] } });
}

async function hostLinks(): Promise<string> {
  return (await run(['ip', '-br', 'link'])).stdout;
}

describe.skipIf(reason !== undefined)(`docker runtime${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const runtime: Runtime = createDockerRuntime({ run, spawn: spawnBackground, docker });
  const plan: LabPlan = planLab(lab(LAB, [node('a', 'router', '10.99.0.1/30'), node('b', 'host', '10.99.0.2/30')]));
  const [a, b] = plan.nodes as [NodePlan, NodePlan];
  let linksBefore = '';

  beforeAll(async () => {
    await runtime.removeLab(LAB);
    await runtime.removeLab(`${LAB}-fail`);
    linksBefore = await hostLinks();
  });

  afterAll(async () => {
    await runtime.removeLab(LAB);
    await runtime.removeLab(`${LAB}-fail`);
  });

  it('passes preflight and brings two nodes up with linked namespaces', async () => {
    await runtime.preflight(plan);
    const t0 = performance.now();
    await runtime.createNodes(plan);
    console.info(`docker runtime: 2-node bring-up ${Math.round(performance.now() - t0)} ms`);

    const spaces = await listNamespaces(LAB);
    expect(spaces.map((s) => [s.node, s.link])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    const containers = await labContainers(LAB);
    expect(containers.map((c) => c.Names[0]).sort()).toEqual([`/${a.ns}`, `/${b.ns}`]);
    for (const c of containers) {
      const info = await docker.getContainer(c.Id).inspect();
      expect(info.HostConfig.NetworkMode).toBe('none');
      expect(info.Config.Hostname).toBe(c.Labels['asymlab.node']);
      expect(await readlink(`${NETNS_DIR}/${c.Names[0].slice(1)}`)).toBe(`/proc/${info.State.Pid}/ns/net`);
    }
    // From the host, inside the container's namespace: only its loopback, no docker network.
    const links = await runtime.exec(a, ['ip', '-br', 'link']);
    expect(links.stdout).toMatch(/^lo\s/m);
    expect(links.stdout.trim().split('\n')).toHaveLength(1);
    expect(await runtime.list()).toContainEqual({ lab: LAB, runtime: 'docker', nodes: ['a', 'b'] });
  });

  it('refuses to create the lab twice', async () => {
    await expect(runtime.createNodes(plan)).rejects.toMatchObject({ kind: 'input' });
  });

  it('links the nodes from the host and pings across', async () => {
    await run(['ip', 'link', 'add', 'eth1', 'netns', a.ns, 'type', 'veth', 'peer', 'name', 'eth1', 'netns', b.ns]);
    for (const [n, addr] of [[a, '10.99.0.1/30'], [b, '10.99.0.2/30']] as const) {
      await runtime.exec(n, ['ip', 'addr', 'add', addr, 'dev', 'eth1']);
      await runtime.exec(n, ['ip', 'link', 'set', 'eth1', 'up']);
    }
    expect(await hostLinks()).toBe(linksBefore);
    // The image's ping, inside the container (the host may have none).
    const ping = await runtime.exec(a, ['ping', '-c', '2', '-i', '0.2', '-W', '2', '10.99.0.2'], { context: 'node', timeoutMs: 10_000 });
    expect(ping.stdout).toMatch(/2 received/);
    // TCP from a host binary in a's namespace (bash's /dev/tcp) to the image's nc in b.
    const listener = runtime.exec(b, ['nc', '-l', '-d', '-p', '7000'], { context: 'node', timeoutMs: 10_000, reject: false });
    await new Promise((r) => setTimeout(r, 300));
    await runtime.exec(a, ['bash', '-c', 'echo over-tcp >/dev/tcp/10.99.0.2/7000']);
    expect((await listener).stdout).toBe('over-tcp\n');
  });

  it('runs commands inside the container with the runner result shape', async () => {
    const os = await runtime.exec(a, ['cat', '/etc/os-release'], { context: 'node' });
    expect(os).toMatchObject({ exitCode: 0, signal: null, failed: false, node: 'a', stderr: '' });
    expect(os.stdout).toMatch(/bookworm/);
    expect(os.argv).toEqual(['docker', 'exec', a.ns, 'cat', '/etc/os-release']);
    expect((await runtime.exec(a, ['vtysh', '--help'], { context: 'node' })).stdout).toMatch(/vtysh/i);

    expect((await runtime.exec(a, ['cat'], { context: 'node', input: 'via stdin\n' })).stdout).toBe('via stdin\n');
    const both = await runtime.exec(a, ['sh', '-c', 'echo out; echo err >&2; exit 3'], { context: 'node', reject: false });
    expect(both).toMatchObject({ stdout: 'out\n', stderr: 'err\n', exitCode: 3, failed: true });
    await expect(runtime.exec(a, ['false'], { context: 'node' })).rejects.toBeInstanceOf(CommandError);
    const missing = await runtime.exec(a, ['no-such-binary'], { context: 'node', reject: false });
    expect(missing.failed).toBe(true);
    expect([126, 127]).toContain(missing.exitCode);

    const slow = await runtime.exec(a, ['sleep', '30'], { context: 'node', timeoutMs: 300, reject: false });
    expect(slow).toMatchObject({ signal: 'SIGTERM', exitCode: null, failed: true });
    expect(slow.durationMs).toBeLessThan(5000);
  });

  it('writes files into the container, creating folders and setting the owner', async () => {
    await runtime.writeFile(a, '/tmp/deep/er/note.txt', 'hello\nworld\n');
    expect((await runtime.exec(a, ['cat', '/tmp/deep/er/note.txt'], { context: 'node' })).stdout).toBe('hello\nworld\n');
    const layout = frrPaths(runtime, a);
    expect(layout).toEqual({ confDir: '/etc/frr', runDir: '/var/run/frr', daemonDir: '/usr/lib/frr' });
    await runtime.writeFile(a, `${layout.runDir}/.asymlab`, 'a\n', { owner: 'frr' });
    const owner = await runtime.exec(a, ['stat', '-c', '%U:%G %a', layout.runDir, `${layout.runDir}/.asymlab`], { context: 'node' });
    expect(owner.stdout).toBe('frr:frr 755\nfrr:frr 644\n');
  });

  it('runs FRR in the container without a pathspace', async () => {
    const layout = frrPaths(runtime, a);
    const conf = 'frr defaults traditional\nhostname a\n!\nip route 192.0.2.0/24 10.99.0.2\n!\n';
    await runtime.writeFile(a, `${layout.confDir}/frr.conf`, conf, { owner: 'frr' });
    await runtime.writeFile(a, `${layout.confDir}/vtysh.conf`, 'service integrated-vtysh-config\n', { owner: 'frr' });
    await runtime.writeFile(a, `${layout.runDir}/.asymlab`, 'a\n', { owner: 'frr' });
    for (const d of ['zebra', 'staticd']) {
      const r = await runtime.exec(a, [`${layout.daemonDir}/${d}`, '-d', '-A', '127.0.0.1', '-F', 'traditional'], { context: 'node', timeoutMs: 20_000 });
      expect(r.durationMs).toBeLessThan(15_000);
    }
    await runtime.exec(a, ['vtysh', '-b'], { context: 'node', timeoutMs: 20_000 });
    const routes = await runtime.exec(a, ['vtysh', '-c', 'show ip route static'], { context: 'node', timeoutMs: 10_000 });
    expect(routes.stdout).toMatch(/192\.0\.2\.0\/24/);
    // The kernel of the node's namespace, seen from the host, has the route FRR installed.
    expect((await runtime.exec(a, ['ip', 'route', 'show', '192.0.2.0/24'])).stdout).toMatch(/via 10\.99\.0\.2/);
  });

  it("loads iptables rules with the image's iptables-restore, visible from the host", async () => {
    const rules = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -p tcp --dport 7000 -j ACCEPT\nCOMMIT\n';
    await runtime.exec(a, ['iptables-restore'], { context: 'node', input: rules });
    expect((await runtime.exec(a, ['iptables-save'], { context: 'node' })).stdout).toMatch(/-A FORWARD -p tcp -m tcp --dport 7000 -j ACCEPT/);
    expect((await runtime.exec(a, ['iptables', '-S', 'FORWARD'])).stdout).toMatch(/--dport 7000 -j ACCEPT/);
  });

  it('removes the lab: containers, links, and host processes in its namespaces', async () => {
    const capture = runtime.spawn(b, ['sleep', '60']);
    await new Promise((r) => setTimeout(r, 200));
    expect(capture.child.exitCode).toBeNull();
    const t0 = performance.now();
    await runtime.removeLab(LAB);
    console.info(`docker runtime: 2-node removal ${Math.round(performance.now() - t0)} ms`);
    const ended = await capture.exited;
    expect(ended.signal ?? ended.exitCode).toBeTruthy();
    expect(await labContainers(LAB)).toEqual([]);
    expect(await listNamespaces(LAB)).toEqual([]);
    expect((await runtime.list()).find((l) => l.lab === LAB)).toBeUndefined();
    expect(await hostLinks()).toBe(linksBefore);
    await runtime.removeLab(LAB); // idempotent
  });

  it('leaves nothing behind when a node fails to come up', async () => {
    const bad = planLab(lab(`${LAB}-fail`, [node('good', 'host', '10.99.1.1/30'), node('bad', 'host', '10.99.1.2/30', 'asymlab/no-such-image:none')]));
    const warnings: string[] = [];
    const rt = createDockerRuntime({ run, spawn: spawnBackground, docker, warn: (m) => warnings.push(m) });
    await expect(rt.preflight(bad)).rejects.toThrow(/missing: asymlab\/no-such-image:none/);
    const err = await rt.createNodes(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect(String((err as Error).message)).toMatch(/no-such-image/);
    expect(await labContainers(`${LAB}-fail`)).toEqual([]);
    expect(await listNamespaces(`${LAB}-fail`)).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
