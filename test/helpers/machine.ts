import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadLab } from '../../src/topology/load.js';
import type { Lab } from '../../src/topology/types.js';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const isRoot = process.getuid?.() === 0;
export const hasFrr = existsSync('/usr/lib/frr/zebra');
/** Integration tests build real labs: root, FRR and the compiled flow agent are needed. */
export const canBuildLabs = isRoot && hasFrr && existsSync(resolve(repoRoot, 'dist/traffic/agent.js'));
export const whyNoLabs = !isRoot ? 'not root' : !hasFrr ? 'FRR not installed (scripts/setup.sh)' : 'dist/ not built (npm run build)';

/** A bundled lab under another name, so a test never meets a lab someone else has up. */
export async function labFile(path: string, name: string): Promise<Lab> {
  const lab = await loadLab(resolve(repoRoot, path));
  return { ...lab, name };
}

/** Everything of a lab still on the machine: namespaces, FRR folders, processes in its namespaces. */
export function leftovers(lab: string): string[] {
  const out: string[] = [];
  const prefix = `asymlab_${lab}_`;
  for (const dir of ['/var/run/netns', '/etc/frr', '/var/run/frr']) {
    if (!existsSync(dir)) continue;
    for (const e of readdirSync(dir)) if (e.startsWith(prefix)) out.push(`${dir}/${e}`);
  }
  if (existsSync(`/var/run/asymlab/${lab}`)) out.push(`/var/run/asymlab/${lab}`);
  return out;
}

/** FRR daemons whose pathspace belongs to the lab (their command line carries -N asymlab_<lab>_...). Reads /proc directly: no process per PID. */
export function frrProcesses(lab: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (/\) [ZX] /.test(stat)) continue;
      if (cmd.some((a) => a.startsWith(`asymlab_${lab}_`)) && cmd[0].includes('/frr/')) pids.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/**
 * Waits until `cond` holds. The bound is generous on purpose: a busy machine slows a lab down, and
 * the test is about what happens, not how fast; the condition ends the wait as soon as it holds.
 */
export async function until(cond: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
