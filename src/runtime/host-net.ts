import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { LabPlan } from '../plan/plan.js';
import { CommandError, type Runner } from '../util/exec.js';

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

/** What configures one node's network from the host: sysctls, then an `ip -batch` file of its own. */
export interface NetSetup {
  ns: string;
  node: string;
  /** `key=value` words for `sysctl -w`, each a batch word (isBatchWord). */
  sysctls: string[];
  /** Path of the node's `ip -batch` file, a batch word too. */
  batchFile: string;
}

/**
 * Whether a word can stand in an `ip -batch` line as it is: ip splits lines at blanks, takes quotes
 * as delimiters and drops what follows `#`, so only words without those reach the command whole.
 */
export function isBatchWord(word: string): boolean {
  return /^[A-Za-z0-9_.:/,+=@%-]+$/.test(word);
}

/**
 * The host `ip -batch` lines that configure one node. In batch mode `netns exec` forks this small
 * `ip` and runs the command in the namespace, where Node's own spawn copies all of Node (two of those
 * a node made the addresses step most of a hosts-only lab's `up`). Pure.
 */
export function renderNetSetup(s: NetSetup): string[] {
  const lines = s.sysctls.length ? [`netns exec ${s.ns} sysctl -q -w ${s.sysctls.join(' ')}\n`] : [];
  lines.push(`netns exec ${s.ns} ip -batch ${s.batchFile}\n`);
  return lines;
}

/** `count` runs of about equal size, in order. Pure. */
export function splitEven<T>(items: T[], count: number): T[][] {
  const runs = Math.max(1, Math.min(count, items.length));
  return Array.from({ length: runs }, (_, i) => items.slice(Math.floor((i * items.length) / runs), Math.floor(((i + 1) * items.length) / runs))).filter((r) => r.length);
}

/**
 * Configures nodes through `parallel` host `ip -batch` processes at once, whatever the number of
 * nodes. A batch stops at its first failing line: the error names the node that line was for.
 */
export async function runNetSetups(run: Runner, setups: NetSetup[], parallel: number): Promise<void> {
  await Promise.all(
    splitEven(setups, parallel).map(async (group) => {
      const owners: string[] = [];
      const lines = group.flatMap((s) => renderNetSetup(s).map((l) => (owners.push(s.node), l)));
      const r = await run(['ip', '-batch', '-'], { input: lines.join(''), reject: false });
      if (!r.failed) return;
      const line = Number(/Command failed -:(\d+)/.exec(r.stderr)?.[1]);
      throw new CommandError({ ...r, node: owners[line - 1] ?? r.node });
    }),
  );
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
