import type { FirewallSnapshot } from '../firewall/backend.js';
import type { LabPlan, NodePlan } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Background } from '../util/exec.js';
import { mapLimit } from '../lab/events.js';

/** What one node's kernel and firewall said at one moment, as raw text for the analysis parsers. */
export interface NodeSnapshot {
  node: string;
  /** /proc/net/snmp, /proc/net/netstat and /proc/net/snmp6, one after another. */
  proc: string;
  /** The firewall backend's rule counters, every family (nodes with a firewall only). */
  firewall?: FirewallSnapshot;
  /** `conntrack -L` (nodes that keep connection state only). */
  conntrack?: string;
  /** `ip -j route` for IPv4 and IPv6. */
  routesV4?: string;
  routesV6?: string;
  /** `sysctl` lines of every interface's rp_filter. */
  rpFilter?: string;
}

async function snapOne(runtime: Runtime, n: NodePlan, full: boolean): Promise<NodeSnapshot> {
  const net = (argv: string[]) => runtime.exec(n, argv, { context: 'net', reject: false }).then((r) => r.stdout);
  const snap: NodeSnapshot = { node: n.node.name, proc: await net(['cat', '/proc/net/snmp', '/proc/net/netstat', '/proc/net/snmp6']) };
  if (n.firewall) snap.firewall = { backend: n.firewall.backend.name, dumps: await n.firewall.backend.snapshot(runtime, n) };
  if (n.capabilities.keepsState) snap.conntrack = await net(['conntrack', '-L']).catch(() => '');
  if (full) {
    snap.routesV4 = await net(['ip', '-4', '-j', 'route', 'show']);
    snap.routesV6 = await net(['ip', '-6', '-j', 'route', 'show']);
    snap.rpFilter = await net(['sysctl', '-a', '--pattern', '^net\\.ipv4\\.conf\\.[^.]+\\.rp_filter$']);
  }
  return snap;
}

/** Counters of every node; with `full`, routes and rp_filter too (taken after the flows). */
export function snapshotLab(plan: LabPlan, runtime: Runtime, full: boolean): Promise<NodeSnapshot[]> {
  return mapLimit(plan.nodes, 8, (n) => snapOne(runtime, n, full));
}

export interface ConntrackWatch {
  node: string;
  bg: Background;
}

/** `conntrack -E` on every node that keeps connection state: the connection table's events while the flows run. */
export function watchConntrack(plan: LabPlan, runtime: Runtime): ConntrackWatch[] {
  return plan.nodes
    .filter((n) => n.capabilities.keepsState)
    .map((n) => ({ node: n.node.name, bg: runtime.spawn(n, ['conntrack', '-E', '-o', 'timestamp'], { captureStdout: true }) }));
}

export async function stopConntrack(watches: ConntrackWatch[]): Promise<{ node: string; text: string }[]> {
  return Promise.all(watches.map(async (w) => ({ node: w.node, text: (await w.bg.stop('SIGTERM')).stdout })));
}
