import { chown, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LabError } from '../../errors.js';
import { parseResourceName, type LabPlan, type NodePlan } from '../../plan/plan.js';
import { deleteNamespaces, endProcesses, listNamespaces, pidsIn } from '../namespaces.js';
import type { ExecOptions, FrrLayout, LabResources, Runtime, RuntimeDeps } from '../runtime.js';
import { checkTools } from '../preflight.js';

const FRR_ETC = '/etc/frr';
const FRR_RUN = '/var/run/frr';

/** frr's uid/gid, looked up once: the daemons drop to it and must own their folders. */
async function frrIds(run: RuntimeDeps['run']): Promise<{ uid: number; gid: number } | undefined> {
  const r = await run(['id', '-u', 'frr'], { reject: false });
  const g = await run(['id', '-g', 'frr'], { reject: false });
  return r.failed || g.failed ? undefined : { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/**
 * The default runtime: one network namespace per node on the host, FRR daemons per namespace with
 * their own pathspace (/etc/frr/<ns>, /var/run/frr/<ns>). Nothing is put in the host's namespace.
 */
export function createNetnsRuntime(deps: RuntimeDeps): Runtime {
  const { run, spawn } = deps;
  let ids: Promise<{ uid: number; gid: number } | undefined> | undefined;

  const runtime: Runtime = {
    kind: 'netns',

    async preflight(plan) {
      const tools = ['ip', 'iptables-restore', 'tcpdump', 'conntrack'];
      const daemons = new Set(plan.nodes.flatMap((n) => n.daemons));
      if (daemons.size) tools.push('vtysh', ...[...daemons].map((d) => `/usr/lib/frr/${d}`));
      await checkTools(tools);
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

    exec(node: NodePlan, argv: string[], opts: ExecOptions = {}) {
      return run(['ip', 'netns', 'exec', node.ns, ...argv], { node: node.node.name, input: opts.input, timeoutMs: opts.timeoutMs, reject: opts.reject });
    },

    spawn(node, argv, opts = {}) {
      return spawn(['ip', 'netns', 'exec', node.ns, ...argv], { node: node.node.name, ...opts });
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

    frrLayout(node): FrrLayout {
      return { confDir: `${FRR_ETC}/${node.ns}`, runDir: `${FRR_RUN}/${node.ns}`, pathspace: node.ns, daemonDir: '/usr/lib/frr' };
    },

    async removeLab(lab) {
      const spaces = (await listNamespaces(lab)).filter((n) => !n.link);
      const pids = (await Promise.all(spaces.map((s) => pidsIn(run, s.name)))).flat();
      await endProcesses(pids);
      await deleteNamespaces(run, spaces.map((s) => s.name));
      // FRR's per-namespace folders, also those of namespaces a crash left without a namespace.
      for (const base of [FRR_ETC, FRR_RUN]) {
        const entries = await readdir(base).catch(() => [] as string[]);
        for (const e of entries) {
          const p = parseResourceName(e);
          if (p && p.lab === lab) await rm(`${base}/${e}`, { recursive: true, force: true });
        }
      }
    },

    async list(): Promise<LabResources[]> {
      const byLab = new Map<string, string[]>();
      for (const n of (await listNamespaces()).filter((x) => !x.link)) byLab.set(n.lab, [...(byLab.get(n.lab) ?? []), n.node]);
      for (const base of [FRR_ETC, FRR_RUN]) {
        for (const e of await readdir(base).catch(() => [] as string[])) {
          const p = parseResourceName(e);
          if (p && !byLab.has(p.lab)) byLab.set(p.lab, []);
        }
      }
      return [...byLab].map(([lab, nodes]) => ({ lab, runtime: 'netns' as const, nodes }));
    },
  };
  return runtime;
}
