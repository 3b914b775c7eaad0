import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { LabPlan } from '../plan/plan.js';
import type { Runner } from '../util/exec.js';

/**
 * The network side both runtimes share: every node has a named namespace under /var/run/netns
 * (netns: its own; docker: a link to its container's), so `net` context commands and links are
 * made from the host the same way for both.
 */

/**
 * The argv that runs a host binary in a node's namespace. `ip` switches namespace itself with
 * `-n`: one process instead of `ip netns exec`'s two (1.9 ms against 3.4 ms a call here), and
 * `ip` is most of what runs on the network side.
 */
export function netArgv(ns: string, argv: string[]): string[] {
  return argv[0] === 'ip' ? ['ip', '-n', ns, ...argv.slice(1)] : ['ip', 'netns', 'exec', ns, ...argv];
}

/** One `ip -batch` line per link: a veth pair created straight into its two namespaces. Pure. */
export function renderLinkBatch(plan: LabPlan): string[] {
  const byName = new Map(plan.nodes.map((n) => [n.node.name, n]));
  return plan.lab.links.map(({ endpoints: [a, b] }) => {
    const na = byName.get(a.node)!;
    const nb = byName.get(b.node)!;
    return `link add ${a.iface} netns ${na.ns} address ${na.macs[a.iface]} type veth peer name ${b.iface} netns ${nb.ns} address ${nb.macs[b.iface]}\n`;
  });
}

/** Every link of the lab by one `ip -batch` on the host, whatever the number of links. */
export async function createVethLinks(run: Runner, plan: LabPlan): Promise<number> {
  const lines = renderLinkBatch(plan);
  if (lines.length) await run(['ip', '-batch', '-'], { input: lines.join('') });
  return lines.length;
}

/** A host binary in the namespace with this process's terminal attached; resolves with its exit code (127: not found). */
export function interactiveNet(ns: string, argv: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  const [cmd, ...args] = netArgv(ns, argv);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env: env ?? process.env });
    // A shell's convention for a command a signal ended: 128 + its number.
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
    child.on('error', () => resolve(127));
  });
}
