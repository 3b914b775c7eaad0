import { mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { isAbsolute, join, posix, resolve } from 'node:path';
import type Dockerode from 'dockerode';
import { LabError } from '../../errors.js';
import type { LabPlan, NodePlan } from '../../plan/plan.js';
import { settleChildren } from '../../util/exec.js';
import { endLabProcesses, listNamespaces, NETNS_DIR } from '../namespaces.js';
import { netInodeOfPath, NS_MARKER } from '../proc-scan.js';
import { checkTools } from '../preflight.js';
import { hostTools } from '../../plan/host-tools.js';
import type { ExecOptions, LabResources, Runtime, RuntimeDeps } from '../runtime.js';
import { createVethLinks, interactiveNet, netArgv } from '../host-net.js';
import { execInContainer, interactiveInContainer } from './container-exec.js';
import { missingInImage } from './image-files.js';
import { connectDocker, DEFAULT_NODE_IMAGE, imageExists, isNotFound, LABEL_LAB, LABEL_NODE, pingDocker } from './docker-client.js';
import { buildTar } from './tar.js';

export interface DockerRuntimeDeps extends RuntimeDeps {
  docker?: Dockerode;
  /** Where cleanup errors go (they never replace the error that caused the cleanup). */
  warn?: (message: string) => void;
}

/** Keeps a container alive with nothing running in it; FRR and the rest are started by exec. */
const KEEP_ALIVE = ['sleep', 'infinity'];
const CAPS = ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN'];

export function imageOf(node: NodePlan): string {
  return node.node.image ?? DEFAULT_NODE_IMAGE;
}

/** containerlab-style binds, `host:container[:opts]`, with the host path resolved against the lab's folder. */
export function bindsOf(plan: LabPlan, node: NodePlan): string[] {
  return node.node.binds.map((b) => {
    const [host, ...rest] = b.split(':');
    return [isAbsolute(host) ? host : resolve(plan.lab.dir, host), ...rest].join(':');
  });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The docker runtime: one container per node (NetworkMode none, labelled with its lab and node),
 * its network namespace linked under /var/run/netns as the node's namespace, the way containerlab
 * does, so links, addresses, captures and flows run from the host exactly as for netns. `node`
 * context commands (FRR, the image's iptables) run inside the container through the docker API.
 */
export function createDockerRuntime(deps: DockerRuntimeDeps): Runtime {
  const { run, spawn } = deps;
  const docker = deps.docker ?? connectDocker();
  const warn = deps.warn ?? ((m: string) => process.emitWarning(m, 'AsymlabCleanupWarning'));

  /** No daemon, no running containers: list and removeLab then work from the namespace links alone. */
  async function daemonUp(): Promise<boolean> {
    return docker.ping().then(
      () => true,
      () => false,
    );
  }

  async function labContainers(lab?: string): Promise<Dockerode.ContainerInfo[]> {
    return docker.listContainers({ all: true, filters: { label: lab ? [`${LABEL_LAB}=${lab}`] : [LABEL_LAB] } });
  }

  /** Removes containers and namespace links by name; every failure is warned about, none thrown. */
  async function removeQuietly(containers: string[], links: string[]): Promise<void> {
    await Promise.all(
      containers.map((c) =>
        docker
          .getContainer(c)
          .remove({ force: true, v: true })
          .catch((err: unknown) => {
            if (!isNotFound(err)) warn(`cleanup: could not remove container ${c}: ${message(err)}`);
          }),
      ),
    );
    for (const l of links) await rm(join(NETNS_DIR, l), { force: true }).catch((err: unknown) => warn(`cleanup: could not remove ${NETNS_DIR}/${l}: ${message(err)}`));
  }

  async function createNode(plan: LabPlan, n: NodePlan, created: string[], linked: string[]): Promise<void> {
    const binds = bindsOf(plan, n);
    const container = await docker.createContainer({
      name: n.ns,
      Image: imageOf(n),
      Hostname: n.node.name,
      Cmd: KEEP_ALIVE,
      Labels: { [LABEL_LAB]: plan.lab.name, [LABEL_NODE]: n.node.name },
      HostConfig: { NetworkMode: 'none', CapAdd: CAPS, Init: true, ...(binds.length ? { Binds: binds } : {}) },
    });
    created.push(n.ns);
    await container.start();
    const pid = (await container.inspect()).State.Pid;
    if (!pid) throw new LabError('runtime', `[${n.node.name}] container ${n.ns} started but has no process`, { hint: `see: docker logs ${n.ns}` });
    await symlink(`/proc/${pid}/ns/net`, join(NETNS_DIR, n.ns));
    linked.push(n.ns);
  }

  const runtime: Runtime = {
    kind: 'docker',
    filesystem: 'per-node',

    async preflight(plan) {
      // vtysh on the host checks raw FRR configs before anything is created (vtysh -C)
      await checkTools(hostTools(plan, 'in-image'));
      if (process.getuid?.() !== 0) {
        throw new LabError('environment', 'asymlab needs root to link container namespaces under /var/run/netns', { hint: 'run it with sudo' });
      }
      await pingDocker(docker);
      const images = [...new Set(plan.nodes.map(imageOf))];
      const missing: string[] = [];
      for (const img of images) if (!(await imageExists(docker, img))) missing.push(img);
      if (missing.length) {
        const ours = missing.includes(DEFAULT_NODE_IMAGE);
        const others = missing.filter((m) => m !== DEFAULT_NODE_IMAGE);
        const hints = [ours ? 'asymlab images build' : '', others.length ? `docker pull ${others.join(' ')} (or build them)` : ''].filter(Boolean);
        throw new LabError('environment', `docker image${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}`, { hint: `run: ${hints.join('; ')}` });
      }
      // Our image has every FRR daemon; another image must have those its nodes run.
      for (const img of images.filter((i) => i !== DEFAULT_NODE_IMAGE)) {
        const daemons = [...new Set(plan.nodes.filter((n) => imageOf(n) === img).flatMap((n) => n.daemons))];
        if (!daemons.length) continue;
        const lacks = await missingInImage(docker, img, daemons.map((d) => `/usr/lib/frr/${d}`), plan.lab.name);
        if (lacks.length) {
          throw new LabError('environment', `docker image ${img} lacks ${lacks.join(', ')}, needed by the FRR configs of its nodes`, { hint: 'use an image with FRR 8.4 or later and those daemons (frrouting/frr has them all)' });
        }
      }
    },

    async createNodes(plan: LabPlan) {
      const lab = plan.lab.name;
      const existing = await labContainers(lab);
      // Any namespace of the lab counts, also a netns-runtime one: the names would collide.
      const spaces = await listNamespaces(lab);
      if (existing.length || spaces.length) {
        throw new LabError('input', `lab '${lab}' is already up (${existing.length} containers, ${spaces.length} namespaces)`, {
          hint: `run: asymlab down ${lab}`,
        });
      }
      await mkdir(NETNS_DIR, { recursive: true });
      const created: string[] = [];
      const linked: string[] = [];
      const results = await Promise.allSettled(plan.nodes.map((n) => createNode(plan, n, created, linked)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (!failed) return;
      // Also any container the daemon made though its create call failed on our side: the lab had
      // none before, so every container carrying its label is ours.
      const labelled = await labContainers(lab).catch(() => [] as Dockerode.ContainerInfo[]);
      await removeQuietly([...new Set([...created, ...labelled.map((c) => c.Names[0]?.slice(1) ?? c.Id)])], linked);
      const err: unknown = failed.reason;
      if (err instanceof LabError) throw err;
      throw new LabError('runtime', `could not create the containers of lab '${lab}': ${message(err)}`, { cause: err });
    },

    // The containers' namespaces are linked under /var/run/netns: links are made from the host as for netns.
    createLinks: (plan) => createVethLinks(run, plan),

    exec(node: NodePlan, argv: string[], opts: ExecOptions = {}) {
      if (opts.context === 'node') {
        return execInContainer(docker, node.ns, argv, { node: node.node.name, input: opts.input, timeoutMs: opts.timeoutMs, reject: opts.reject });
      }
      const env = { ...process.env, [NS_MARKER]: node.ns };
      return run(netArgv(node.ns, argv), { node: node.node.name, input: opts.input, timeoutMs: opts.timeoutMs, reject: opts.reject, env });
    },

    interactive(node, argv, opts = {}) {
      if (opts.context === 'node') return interactiveInContainer(docker, node.ns, argv);
      return interactiveNet(node.ns, argv, { ...process.env, [NS_MARKER]: node.ns });
    },

    spawn(node, argv, opts = {}) {
      // The marker finds host processes of the lab after its container is gone (proc-scan.ts).
      return spawn(netArgv(node.ns, argv), { node: node.node.name, ...opts, env: { ...(opts.env ?? process.env), [NS_MARKER]: node.ns } });
    },

    async writeFile(node, path, content, opts = {}) {
      if (!posix.isAbsolute(path)) throw new LabError('runtime', `[${node.node.name}] writeFile needs an absolute path, got '${path}'`);
      const dir = posix.dirname(path);
      const ctx = { context: 'node' as const, timeoutMs: 20_000 };
      await runtime.exec(node, ['mkdir', '-p', dir], ctx);
      const tar = buildTar([{ name: posix.basename(path), content, mode: 0o644 }]);
      try {
        await docker.getContainer(node.ns).putArchive(tar, { path: dir });
      } catch (err) {
        throw new LabError('runtime', `[${node.node.name}] could not write ${path} into container ${node.ns}: ${message(err)}`, { cause: err });
      }
      // `user:` is the user and its login group, as the netns runtime's frr:frr.
      if (opts.owner) await runtime.exec(node, ['chown', `${opts.owner}:`, dir, path], ctx);
    },

    async writeFiles(node, files, opts = {}) {
      const bad = files.find((f) => !posix.isAbsolute(f.path));
      if (bad) throw new LabError('runtime', `[${node.node.name}] writeFiles needs absolute paths, got '${bad.path}'`);
      const dirs = [...new Set(files.map((f) => posix.dirname(f.path)))];
      const ctx = { context: 'node' as const, timeoutMs: 20_000 };
      // One mkdir, one archive unpacked at /, one chown: a docker exec costs tens of milliseconds.
      await runtime.exec(node, ['mkdir', '-p', ...dirs], ctx);
      const tar = buildTar(files.map((f) => ({ name: f.path.slice(1), content: f.content, mode: 0o644 })));
      try {
        await docker.getContainer(node.ns).putArchive(tar, { path: '/' });
      } catch (err) {
        throw new LabError('runtime', `[${node.node.name}] could not write ${files.map((f) => f.path).join(', ')} into container ${node.ns}: ${message(err)}`, { cause: err });
      }
      if (opts.owner) await runtime.exec(node, ['chown', `${opts.owner}:`, ...dirs, ...files.map((f) => f.path)], ctx);
    },

    async removeLab(lab) {
      const links = (await listNamespaces(lab)).filter((n) => n.link);
      const up = await daemonUp();
      const containers = up ? await labContainers(lab) : [];
      // Host processes started in a container's namespace (captures, flows) keep it alive after
      // the container: end them by PID. Found through links that still point at one of the lab's
      // containers (a stale link's PID may be reused by any process) or by their marker, and only
      // processes of the host's pid namespace: the container's own go with the container.
      const live = new Set(await Promise.all(containers.filter((c) => c.State === 'running').map(async (c) => (await docker.getContainer(c.Id).inspect()).State.Pid)));
      const hostPidNs = await readlink('/proc/self/ns/pid');
      const netInodes = new Set<number>();
      for (const l of links) {
        const target = await readlink(join(NETNS_DIR, l.name)).catch(() => '');
        const m = /^\/proc\/(\d+)\/ns\/net$/.exec(target);
        const inode = m && live.has(Number(m[1])) ? netInodeOfPath(target) : undefined;
        if (inode !== undefined) netInodes.add(inode);
      }
      // After Ctrl-C, whatever a child was still starting exists once it has exited.
      await settleChildren();
      await endLabProcesses({ lab, netInodes, pidNs: hostPidNs, exclude: new Set([process.pid]) });
      if (containers.length) await removeQuietly(containers.map((c) => c.Id), []);
      const errors: string[] = [];
      for (const l of links) await rm(join(NETNS_DIR, l.name), { force: true }).catch((err: unknown) => errors.push(`${l.name}: ${message(err)}`));
      const left = up ? await labContainers(lab) : [];
      if (left.length || errors.length) {
        throw new LabError('runtime', `lab '${lab}' not fully removed: ${[...left.map((c) => `container ${c.Names[0]}`), ...errors].join(', ')}`, {
          hint: `see: docker ps -a --filter label=${LABEL_LAB}=${lab}`,
        });
      }
    },

    async list(): Promise<LabResources[]> {
      const byLab = new Map<string, Set<string>>();
      const add = (lab: string, node?: string) => {
        const s = byLab.get(lab) ?? new Set<string>();
        if (node) s.add(node);
        byLab.set(lab, s);
      };
      if (await daemonUp()) for (const c of await labContainers()) add(c.Labels[LABEL_LAB], c.Labels[LABEL_NODE]);
      // Links whose container is gone (a crash, a manual docker rm) still belong to the lab.
      for (const l of (await listNamespaces()).filter((x) => x.link)) add(l.lab, l.node);
      return [...byLab].map(([lab, nodes]) => ({ lab, runtime: 'docker' as const, nodes: [...nodes].sort() }));
    },
  };
  return runtime;
}

