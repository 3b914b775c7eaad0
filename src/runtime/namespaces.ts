import { readFileSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseResourceName } from '../plan/plan.js';
import type { Runner } from '../util/exec.js';
import { isTimeout, notYet, ready, waitFor } from '../util/wait-for.js';
import { labProcesses, netInodeOfPath, readProcs, stateOf, type LabMatch } from './proc-scan.js';

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

/** The inodes of named namespaces: a process whose ns/net has one of them is in that namespace. */
export function netInodesOf(spaces: NamedNs[]): Set<number> {
  return new Set(spaces.map((s) => netInodeOfPath(join(NETNS_DIR, s.name))).filter((i): i is number => i !== undefined));
}

/**
 * Ends every process of a lab that a scan of /proc finds (proc-scan.ts), also those in namespaces
 * that lost their name. A process ended in one round may have forked on its way out: another scan
 * follows a round that found something, at most `rounds` in all.
 */
export async function endLabProcesses(match: LabMatch, rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const pids = labProcesses(readProcs(), match);
    if (!pids.length) return;
    await endProcesses(pids);
  }
}

/** A zombie counts as gone: its parent (often init, for daemonised FRR) reaps it in its own time. */
function alive(pid: number): boolean {
  try {
    const state = stateOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return state !== undefined && state !== 'Z' && state !== 'X';
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
  let left = pids.filter(alive);
  await waitFor(
    () => {
      left = left.filter(alive);
      return left.length ? notYet(`PIDs ${left.join(', ')} alive`) : ready();
    },
    { description: `PIDs ${pids.join(', ')} to exit`, timeoutMs: graceMs, intervalMs: 25 },
  ).catch((e: unknown) => {
    // Past the grace, what is left gets SIGKILL below.
    if (!isTimeout(e)) throw e;
  });
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
  const r = await run(['ip', '-force', '-batch', '-'], { input: names.map((n) => `netns del ${n}\n`).join(''), reject: false, teardown: true });
  // A name that vanished meanwhile is fine; anything else left behind is removed file by file.
  for (const n of names) await rm(join(NETNS_DIR, n), { force: true }).catch(() => undefined);
  void r;
}
