/**
 * Attaching to a lab that containerlab deployed: its containers are found by containerlab's labels
 * (`containerlab=<lab>`, `clab-node-name=<node>`), and each node is reached through its container,
 * never created, changed or removed. Two ways in:
 * - `netns` (the fast path, on the containerlab host): host tools in the container's network
 *   namespace, entered by the container's PID (nsenter), as the docker runtime reaches its own.
 * - `exec`: only through `docker exec`, with the node's own tools, as `kubectl exec` reaches a
 *   clabernetes pod (exec-channel.ts).
 * Only this folder talks to docker.
 */
import type Dockerode from 'dockerode';
import { LabError } from '../../errors.js';
import type { LabPlan, NodePlan } from '../../plan/plan.js';
import { hostTools } from '../../plan/host-tools.js';
import type { Background } from '../../util/exec.js';
import { checkTools } from '../preflight.js';
import { NS_MARKER } from '../proc-scan.js';
import type { ExecOptions, Runtime, RuntimeDeps } from '../runtime.js';
import { execInContainer, interactiveInContainer } from './container-exec.js';
import { connectDocker, pingDocker } from './docker-client.js';
import { execChannelParts } from '../exec-channel.js';
import { dockerExecChannel } from './docker-exec-channel.js';

export const CLAB_LABEL_LAB = 'containerlab';
export const CLAB_LABEL_NODE = 'clab-node-name';

export type AttachVia = 'netns' | 'exec';

/** A node's container as found: its ID, and the PID whose network namespace is the node's. */
export interface AttachedNode {
  node: string;
  container: string;
  /** containerlab's name for it, for messages (clab-<lab>-<node>). */
  name: string;
  pid: number;
}

/**
 * The containers of every node the plan names. A node with no container, or a container that is not
 * running, is an error naming each such node, before anything is started.
 */
export async function findClabNodes(docker: Dockerode, plan: LabPlan): Promise<Map<string, AttachedNode>> {
  await pingDocker(docker);
  const lab = plan.lab.name;
  const listed = await docker.listContainers({ all: true, filters: { label: [`${CLAB_LABEL_LAB}=${lab}`] } });
  const found = new Map<string, AttachedNode>();
  const problems: string[] = [];
  for (const n of plan.nodes) {
    const mine = listed.filter((c) => c.Labels[CLAB_LABEL_NODE] === n.node.name);
    const name = (c: Dockerode.ContainerInfo) => c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12);
    if (mine.length === 0) {
      problems.push(`node ${n.node.name}: no container labelled ${CLAB_LABEL_LAB}=${lab}, ${CLAB_LABEL_NODE}=${n.node.name}`);
      continue;
    }
    if (mine.length > 1) {
      problems.push(`node ${n.node.name}: ${mine.length} containers carry its labels (${mine.map(name).join(', ')})`);
      continue;
    }
    const c = mine[0];
    const info = await docker.getContainer(c.Id).inspect();
    if (!info.State.Running || !info.State.Pid) {
      problems.push(`node ${n.node.name}: container ${name(c)} is ${info.State.Status}, not running`);
      continue;
    }
    found.set(n.node.name, { node: n.node.name, container: c.Id, name: name(c), pid: info.State.Pid });
  }
  if (problems.length) {
    throw new LabError('runtime', `cannot attach to containerlab lab '${lab}':\n  ${problems.join('\n  ')}`, {
      hint: listed.length ? `see: docker ps -a --filter label=${CLAB_LABEL_LAB}=${lab}` : `deploy it first (containerlab deploy -t ${lab}.clab.yml), or check the lab's name`,
    });
  }
  return found;
}

export interface AttachDeps extends RuntimeDeps {
  docker?: Dockerode;
  via?: AttachVia;
}

const refuse = (what: string) => async (): Promise<never> => {
  throw new LabError('runtime', `an attached lab is deployed by containerlab: asymlab ${what}`, { hint: 'use `asymlab up` for labs asymlab builds' });
};

/**
 * The runtime of an attached lab: nodes are found, never created; `removeLab` ends what this
 * runtime started and removes the files it wrote, nothing else. `kind` is docker, for the messages
 * that say where a node's programs come from (its image).
 */
export async function attachClab(plan: LabPlan, deps: AttachDeps): Promise<Runtime> {
  const docker = deps.docker ?? connectDocker();
  const via = deps.via ?? 'netns';
  const nodes = await findClabNodes(docker, plan);
  const of = (n: NodePlan) => nodes.get(n.node.name)!;
  const started = new Set<Background>();
  const track = (bg: Background) => {
    started.add(bg);
    void bg.exited.then(() => started.delete(bg));
    return bg;
  };
  // nsenter by PID enters the container's network namespace only: the host's binaries and files
  const enter = (n: NodePlan, argv: string[]) => ['nsenter', '-t', String(of(n).pid), '-n', '--', ...argv];
  const env = (n: NodePlan, base: NodeJS.ProcessEnv = process.env) => ({ ...base, [NS_MARKER]: n.ns });
  const channel = execChannelParts(dockerExecChannel((n) => of(n).container), deps);

  const runtime: Runtime = {
    kind: 'docker',
    filesystem: 'per-node',

    async preflight(p) {
      if (via === 'exec') return channel.preflight(p);
      if (process.getuid?.() !== 0) throw new LabError('environment', 'attaching through network namespaces needs root', { hint: 'run it with sudo, or use --via exec' });
      await checkTools(['nsenter', ...hostTools(p, 'in-image')]);
    },
    createNodes: refuse('creates no node'),
    createLinks: refuse('creates no link'),

    exec(n, argv, opts: ExecOptions = {}) {
      if (opts.context === 'node') return execInContainer(docker, of(n).container, argv, { node: n.node.name, input: opts.input, timeoutMs: opts.timeoutMs, reject: opts.reject });
      if (via === 'exec') return channel.exec(n, argv, opts);
      return deps.run(enter(n, argv), { node: n.node.name, input: opts.input, timeoutMs: opts.timeoutMs, reject: opts.reject, env: env(n) });
    },

    // a terminal in the node: through its container, whichever way the rest goes
    interactive: (n, argv) => interactiveInContainer(docker, of(n).container, argv),

    spawn(n, argv, opts = {}) {
      if (via === 'exec') return track(channel.spawn(n, argv, opts));
      return track(deps.spawn(enter(n, argv), { node: n.node.name, ...opts, env: env(n, opts.env) }));
    },

    writeFile: (n, path, content) => channel.writeFiles(n, [{ path, content }]),
    writeFiles: (n, files) => channel.writeFiles(n, files),

    // What this runtime brought, and only that: its processes and files.
    async removeLab() {
      await Promise.all([...started].map((bg) => bg.stop('SIGTERM')));
      await channel.cleanup();
    },

    list: async () => [],
  };
  return runtime;
}
