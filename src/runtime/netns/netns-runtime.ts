import { chown, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LabError } from '../../errors.js';
import { insideBase } from '../../lab/lab-name.js';
import { parseResourceName, type LabPlan, type NodePlan } from '../../plan/plan.js';
import { settleChildren } from '../../util/exec.js';
import { deleteNamespaces, endLabProcesses, listNamespaces, netInodesOf } from '../namespaces.js';
import { labsOfProcesses, netInodeOfPath, NS_MARKER, pidFilePids, readProcs } from '../proc-scan.js';
import type { ExecOptions, LabResources, Runtime, RuntimeDeps } from '../runtime.js';
import { createVethLinks, interactiveNet, netArgv } from '../host-net.js';
import { checkTools } from '../preflight.js';
import { FRR_CONF_BASE, FRR_RUN_BASE } from '../../services/frr/paths.js';
import { hostTools } from '../../plan/host-tools.js';

/**
 * Folders of the host where services keep one folder per node, named by its namespace
 * (`shared-host` filesystem: FRR's config and run folders, src/services/frr/paths.ts). A lab's are
 * removed with it, also after a crash, and the pid files in them name daemons to end.
 */
const NODE_FOLDER_BASES = [FRR_CONF_BASE, FRR_RUN_BASE];

/** A lab's per-node folders, found by name (the lab's namespaces may be gone). */
async function labFolders(lab: string): Promise<string[]> {
  const out: string[] = [];
  for (const base of NODE_FOLDER_BASES) {
    for (const e of await readdir(base).catch(() => [] as string[])) if (parseResourceName(e)?.lab === lab) out.push(insideBase(base, e));
  }
  return out;
}

/** frr's uid/gid, looked up once: the daemons drop to it and must own their folders. */
async function frrIds(run: RuntimeDeps['run']): Promise<{ uid: number; gid: number } | undefined> {
  const r = await run(['id', '-u', 'frr'], { reject: false });
  const g = await run(['id', '-g', 'frr'], { reject: false });
  return r.failed || g.failed ? undefined : { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/**
 * The default runtime: one network namespace per node on the host. Nodes share the host's
 * filesystem, so services keep a folder per node (FRR: /etc/frr/<ns>, /var/run/frr/<ns>, daemons
 * told apart by their pathspace). Nothing is put in the host's namespace.
 */
export function createNetnsRuntime(deps: RuntimeDeps): Runtime {
  const { run, spawn } = deps;
  let ids: Promise<{ uid: number; gid: number } | undefined> | undefined;
  // Every child started for a node carries its namespace's name, and so does any daemon it forks:
  // a teardown finds them by it after the name is gone (proc-scan.ts).
  const envs = new Map<string, NodeJS.ProcessEnv>();
  const marked = (ns: string, env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
    if (env) return { ...env, [NS_MARKER]: ns };
    let e = envs.get(ns);
    if (!e) envs.set(ns, (e = { ...process.env, [NS_MARKER]: ns }));
    return e;
  };

  const runtime: Runtime = {
    kind: 'netns',
    filesystem: 'shared-host',

    async preflight(plan) {
      await checkTools(hostTools(plan, 'on-host'));
      if (process.getuid?.() !== 0) {
        throw new LabError('environment', 'asymlab needs root to create network namespaces', { hint: 'run it with sudo' });
      }
    },

    async createNodes(plan: LabPlan) {
      const existing = await listNamespaces(plan.lab.name);
      if (existing.length) {
        throw new LabError('input', `lab '${plan.lab.name}' is already up (${existing.length} namespaces)`, {
          hint: `run: asymlab down ${plan.lab.name}`,
        });
      }
      await run(['ip', '-batch', '-'], { input: plan.nodes.map((n) => `netns add ${n.ns}\n`).join('') });
    },

    createLinks: (plan) => createVethLinks(run, plan),

    // `net` and `node` are one place here: the host's binaries in the node's namespace.
    exec(node: NodePlan, argv: string[], opts: ExecOptions = {}) {
      return run(netArgv(node.ns, argv), { node: node.node.name, input: opts.input, timeoutMs: opts.timeoutMs, reject: opts.reject, env: marked(node.ns) });
    },

    interactive: (node, argv) => interactiveNet(node.ns, argv, marked(node.ns)),

    spawn(node, argv, opts = {}) {
      return spawn(netArgv(node.ns, argv), { node: node.node.name, ...opts, env: marked(node.ns, opts.env) });
    },

    async writeFile(_node, path, content, opts = {}) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
      if (opts.owner === 'frr') {
        ids ??= frrIds(run);
        const id = await ids;
        if (id) {
          await chown(dirname(path), id.uid, id.gid);
          await chown(path, id.uid, id.gid);
        }
      }
    },

    async writeFiles(node, files, opts = {}) {
      for (const f of files) await runtime.writeFile(node, f.path, f.content, opts);
    },

    async removeLab(lab) {
      // After Ctrl-C, a daemon a child was still starting exists once that child has exited.
      await settleChildren();
      const spaces = (await listNamespaces(lab)).filter((n) => !n.link);
      const folders = await labFolders(lab);
      await endLabProcesses({
        lab,
        netInodes: netInodesOf(spaces),
        pidFilePids: pidFilePids(folders),
        hostNetInode: netInodeOfPath('/proc/self/ns/net'),
        exclude: new Set([process.pid]),
      });
      await deleteNamespaces(run, spaces.map((s) => s.name));
      // Services' per-node folders, also those of namespaces a crash left without a namespace.
      for (const f of await labFolders(lab)) await rm(f, { recursive: true, force: true });
    },

    async list(): Promise<LabResources[]> {
      const byLab = new Map<string, string[]>();
      for (const n of (await listNamespaces()).filter((x) => !x.link)) byLab.set(n.lab, [...(byLab.get(n.lab) ?? []), n.node]);
      for (const base of NODE_FOLDER_BASES) {
        for (const e of await readdir(base).catch(() => [] as string[])) {
          const p = parseResourceName(e);
          if (p && !byLab.has(p.lab)) byLab.set(p.lab, []);
        }
      }
      // Processes whose namespace lost its name: nothing else may be left of their lab.
      for (const lab of labsOfProcesses(readProcs(), new Set([process.pid]))) if (!byLab.has(lab)) byLab.set(lab, []);
      return [...byLab].map(([lab, nodes]) => ({ lab, runtime: 'netns' as const, nodes }));
    },
  };
  return runtime;
}
