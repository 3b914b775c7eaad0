import { readFileSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseResourceName } from '../plan/plan.js';
import type { Runner } from '../util/exec.js';

/**
 * Named network namespaces, shared by both runtimes: the netns runtime owns them, the docker runtime
 * links its containers' namespaces here. Only names of the form asymlab_<lab>_<node> are touched.
 */
export const NETNS_DIR = '/var/run/netns';

export interface NamedNs {
  name: string;
  lab: string;
  node: string;
  /** A link to a container's namespace (docker runtime) rather than a namespace of our own. */
  link: boolean;
}

export async function listNamespaces(lab?: string): Promise<NamedNs[]> {
  let names: string[];
  try {
    names = await readdir(NETNS_DIR);
  } catch {
    return [];
  }
  const out: NamedNs[] = [];
  for (const name of names) {
    const p = parseResourceName(name);
    if (!p || (lab && p.lab !== lab)) continue;
    const st = await lstat(join(NETNS_DIR, name)).catch(() => undefined);
    if (st) out.push({ name, ...p, link: st.isSymbolicLink() });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** PIDs of the processes in a namespace: all of them were started by asymlab, in a namespace it made. */
export async function pidsIn(run: Runner, ns: string): Promise<number[]> {
  const r = await run(['ip', 'netns', 'pids', ns], { reject: false });
  return r.stdout.split(/\s+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 1 && n !== process.pid);
}

/** A zombie counts as gone: its parent (often init, for daemonised FRR) reaps it in its own time. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/s.test(stat);
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs` for whatever is left. Only the PIDs given. */
export async function endProcesses(pids: number[], graceMs = 1500): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + graceMs;
  let left = pids.filter(alive);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    left = left.filter(alive);
  }
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

/** Deletes namespaces in one `ip -batch`; veths inside go with them. */
export async function deleteNamespaces(run: Runner, names: string[]): Promise<void> {
  if (!names.length) return;
  const r = await run(['ip', '-force', '-batch', '-'], { input: names.map((n) => `netns del ${n}\n`).join(''), reject: false });
  // A name that vanished meanwhile is fine; anything else left behind is removed file by file.
  for (const n of names) await rm(join(NETNS_DIR, n), { force: true }).catch(() => undefined);
  void r;
}
