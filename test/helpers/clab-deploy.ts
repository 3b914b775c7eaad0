/**
 * Deploys a containerlab topology file the way containerlab does, without containerlab: one
 * container per node (network none, /proc/sys writable, the node's image and binds, containerlab's labels
 * `containerlab=<lab>` and `clab-node-name=<node>`), veths between them at containerlab's MTU
 * (9500), then each node's `exec` lines run inside it. Tests use it to stand for a deployment
 * something else made, so they depend neither on containerlab nor on asymlab's docker runtime.
 * Veths are created straight into the containers' namespaces, never in the host's.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type Dockerode from 'dockerode';
import { parse } from 'yaml';

export interface ClabNode {
  node: string;
  id: string;
  name: string;
  pid: number;
}

export interface ClabDeployment {
  lab: string;
  nodes: ClabNode[];
  /** Removes every container this deployment created, by ID. */
  remove(): Promise<void>;
}

interface Topology {
  name: string;
  topology: { nodes: Record<string, { image: string; binds?: string[]; exec?: string[] }>; links: { endpoints: string[] }[] };
}

/** Runs `sh -c line` in a container (containerlab runs exec lines in the node), failing with its output. */
async function execIn(docker: Dockerode, id: string, line: string): Promise<void> {
  const exec = await docker.getContainer(id).exec({ Cmd: ['sh', '-c', line], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((r) => stream.once('end', () => r()));
  let info = await exec.inspect();
  for (let i = 0; info.Running && i < 500; i++) {
    await new Promise((r) => setTimeout(r, 10));
    info = await exec.inspect();
  }
  if (info.ExitCode !== 0) throw new Error(`exec '${line}' in ${id.slice(0, 12)} exited ${info.ExitCode}: ${out.slice(-500)}`);
}

export async function deployClabLike(docker: Dockerode, file: string): Promise<ClabDeployment> {
  const topo = parse(readFileSync(file, 'utf8')) as Topology;
  const dir = dirname(file);
  const lab = topo.name;
  const nodes: ClabNode[] = [];
  const remove = async () => {
    await Promise.all(nodes.map((n) => docker.getContainer(n.id).remove({ force: true }).catch(() => undefined)));
  };
  try {
    for (const [node, cfg] of Object.entries(topo.topology.nodes)) {
      const binds = (cfg.binds ?? []).map((b) => {
        const [src, ...rest] = b.split(':');
        return [isAbsolute(src) ? src : resolve(dir, src), ...rest].join(':');
      });
      const c = await docker.createContainer({
        name: `clab-${lab}-${node}`,
        Image: cfg.image,
        Hostname: node,
        Labels: { containerlab: lab, 'clab-node-name': node, 'clab-node-kind': 'linux', 'clab-topo-file': file },
        // containerlab runs linux nodes privileged; this machine refuses that, so: the capabilities a
        // node uses, and /proc/sys writable (systempaths=unconfined), as privileged has it
        HostConfig: { NetworkMode: 'none', CapAdd: ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN'], MaskedPaths: [], ReadonlyPaths: [], Binds: binds },
      });
      nodes.push({ node, id: c.id, name: `clab-${lab}-${node}`, pid: 0 });
      await c.start();
      nodes[nodes.length - 1].pid = (await c.inspect()).State.Pid;
    }
    const pidOf = (node: string) => nodes.find((n) => n.node === node)!.pid;
    for (const l of topo.topology.links) {
      const [a, b] = l.endpoints.map((e) => e.split(':'));
      execFileSync('ip', ['link', 'add', a[1], 'netns', String(pidOf(a[0])), 'mtu', '9500', 'type', 'veth', 'peer', 'name', b[1], 'netns', String(pidOf(b[0])), 'mtu', '9500']);
    }
    for (const n of nodes) {
      execFileSync('nsenter', ['-t', String(n.pid), '-n', 'ip', 'link', 'set', 'lo', 'up']);
    }
    // containerlab brings links up before the exec lines run
    for (const l of topo.topology.links) {
      for (const [node, iface] of l.endpoints.map((e) => e.split(':'))) execFileSync('nsenter', ['-t', String(pidOf(node)), '-n', 'ip', 'link', 'set', iface, 'up']);
    }
    await Promise.all(nodes.map(async (n) => {
      for (const line of topo.topology.nodes[n.node].exec ?? []) await execIn(docker, n.id, line);
    }));
  } catch (e) {
    await remove();
    throw e;
  }
  return { lab, nodes, remove };
}
