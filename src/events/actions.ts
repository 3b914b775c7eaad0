/**
 * What each kind of event does to a running lab. Everything runs through runtime.exec in the
 * node(s) concerned, as argv (an exec event's command alone goes through `sh -c`, as a node's
 * `exec:` lines do):
 * - link down: `ip link set dev IF down` on both ends (each side sees its carrier go); with
 *   `silent`, both ends keep their carrier and a zero-length queue (`tc qdisc replace dev IF root
 *   pfifo limit 0`) loses every packet either end sends: only hold timers and BFD notice, as
 *   with a failure inside a provider's network. up undoes whichever was done.
 * - node stop: every link of the node carrier-down on its side, its FRR daemons killed by the PIDs
 *   of their pid files (SIGKILL: a crash or power loss says no goodbye). start: links up, FRR
 *   started again from its config. Kernel state (routes, rules, conntrack) stays as it was.
 * - bgp shutdown / enable: `neighbor X shutdown` / `no neighbor X shutdown` through vtysh.
 * - flush-conntrack: `conntrack -F` in the node's namespace.
 * - exec: `sh -c COMMAND` inside the node; a non-zero exit fails the event.
 */
import { frrPaths } from '../services/frr/paths.js';
import type { EventRecord } from '../analysis/types.js';
import { LabError } from '../errors.js';
import type { LabPlan, NodePlan } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import { startFrr } from '../services/frr/start.js';
import { vtyshRun } from '../services/frr/vtysh.js';
import type { ScheduledEvent } from '../topology/types.js';
import type { CommandResult } from '../util/exec.js';
import { canonicalAddress, isAddress } from '../util/ip.js';

/** What an event did: the commands it ran and what they printed. */
export interface EventOutcome {
  commands: string[];
  output?: string;
  interfaces?: EventRecord['interfaces'];
}

/** Links a silent down left in place, so their up removes the queue rather than setting carrier. */
export type SilentLinks = Set<string>;

const linkKey = (e: Extract<ScheduledEvent, { kind: 'link' }>) => e.endpoints.map((x) => `${x.node}:${x.iface}`).sort().join(' ');

function nodeOf(plan: LabPlan, name: string): NodePlan {
  const n = plan.nodes.find((x) => x.node.name === name);
  if (!n) throw new LabError('input', `the event names node '${name}', which is not in lab '${plan.lab.name}'`);
  return n;
}

const shown = (n: NodePlan, argv: string[]) => `[${n.node.name}] ${argv.join(' ')}`;

async function each(runtime: Runtime, steps: { n: NodePlan; argv: string[]; context: 'net' | 'node' }[]): Promise<CommandResult[]> {
  // Both ends of a link at once, so neither end sees the other's change long before its own.
  return Promise.all(steps.map((s) => runtime.exec(s.n, s.argv, { context: s.context, timeoutMs: 20_000 })));
}

/** Every interface of a node that is in a link. */
function linkedInterfaces(plan: LabPlan, node: string): string[] {
  return plan.lab.links.flatMap((l) => l.endpoints.filter((x) => x.node === node).map((x) => x.iface));
}

/** PIDs of the node's FRR daemons, from their pid files (only processes asymlab started there). */
async function frrPids(runtime: Runtime, n: NodePlan): Promise<string[]> {
  const dir = frrPaths(runtime, n).runDir;
  const r = await runtime.exec(n, ['cat', ...n.daemons.map((d) => `${dir}/${d}.pid`)], { context: 'node', reject: false, timeoutMs: 10_000 });
  return r.stdout.split(/\s+/).filter((p) => /^\d+$/.test(p));
}

export async function performEvent(plan: LabPlan, runtime: Runtime, e: ScheduledEvent, silent: SilentLinks): Promise<EventOutcome> {
  switch (e.kind) {
    case 'link': {
      const key = linkKey(e);
      const wasSilent = silent.has(key);
      const ends = e.endpoints.map((ep) => ({ n: nodeOf(plan, ep.node), iface: ep.iface }));
      const argvOf = (iface: string) =>
        e.state === 'down'
          ? e.silent
            ? ['tc', 'qdisc', 'replace', 'dev', iface, 'root', 'pfifo', 'limit', '0']
            : ['ip', 'link', 'set', 'dev', iface, 'down']
          : wasSilent
            ? ['tc', 'qdisc', 'del', 'dev', iface, 'root']
            : ['ip', 'link', 'set', 'dev', iface, 'up'];
      const steps = ends.map(({ n, iface }) => ({ n, argv: argvOf(iface), context: 'net' as const }));
      await each(runtime, steps);
      if (e.state === 'down' && e.silent) silent.add(key);
      if (e.state === 'up') silent.delete(key);
      return { commands: steps.map((s) => shown(s.n, s.argv)), interfaces: e.endpoints.map((x) => ({ node: x.node, iface: x.iface })) };
    }
    case 'node': {
      const n = nodeOf(plan, e.node);
      const ifaces = linkedInterfaces(plan, e.node);
      const commands: string[] = [];
      const links = ifaces.map((iface) => ({ n, argv: ['ip', 'link', 'set', 'dev', iface, e.action === 'stop' ? 'down' : 'up'], context: 'net' as const }));
      if (e.action === 'stop') {
        await each(runtime, links);
        commands.push(...links.map((s) => shown(n, s.argv)));
        if (n.frr) {
          const pids = await frrPids(runtime, n);
          if (pids.length) {
            // The shell's own kill: an image need not have procps.
            const argv = ['sh', '-c', 'kill -KILL "$@"', 'sh', ...pids];
            await runtime.exec(n, argv, { context: 'node', timeoutMs: 10_000 });
            commands.push(shown(n, argv));
          }
        }
      } else {
        await each(runtime, links);
        commands.push(...links.map((s) => shown(n, s.argv)));
        if (n.frr) {
          await startFrr(runtime, n);
          commands.push(`[${n.node.name}] start FRR (${n.daemons.join(', ')})`);
        }
      }
      return { commands, interfaces: ifaces.map((iface) => ({ node: e.node, iface })) };
    }
    case 'bgp': {
      const n = nodeOf(plan, e.node);
      const asn = n.node.bgp?.asn;
      // The neighbour as the node's bgp: section writes it (validated as an address there).
      const nb = n.node.bgp?.neighbors.find((x) => isAddress(x.address) && isAddress(e.neighbor) && canonicalAddress(x.address) === canonicalAddress(e.neighbor));
      if (asn === undefined || !nb) throw new LabError('input', `${e.node} has no BGP neighbour ${e.neighbor}`);
      const lines = ['configure terminal', `router bgp ${asn}`, `${e.action === 'shutdown' ? '' : 'no '}neighbor ${nb.address} shutdown`];
      const r = await vtyshRun(runtime, n, lines);
      // vtysh says why it refused a line on stdout and may still exit 0.
      if (/^%/m.test(r.stdout)) throw new LabError('runtime', `[${e.node}] vtysh refused: ${r.stdout.trim().split('\n').slice(-3).join(' ')}`);
      return { commands: [`[${e.node}] vtysh -c '${lines.join("' -c '")}'`] };
    }
    case 'flush-conntrack': {
      const n = nodeOf(plan, e.node);
      const argv = ['conntrack', '-F'];
      await runtime.exec(n, argv, { context: 'net', timeoutMs: 10_000 });
      return { commands: [shown(n, argv)] };
    }
    case 'exec': {
      const n = nodeOf(plan, e.node);
      const argv = ['sh', '-c', e.command];
      const r = await runtime.exec(n, argv, { context: 'node', timeoutMs: 60_000 });
      const output = `${r.stdout}${r.stderr}`.trim();
      return { commands: [shown(n, argv)], ...(output ? { output: output.slice(-2000) } : {}) };
    }
  }
}
