import { insideBase } from '../../lab/lab-name.js';
import type { NodePlan } from '../../plan/plan.js';
import { filesystemOf, type Runtime } from '../../runtime/runtime.js';

/** FRR's own folders. On a shared filesystem each node gets one folder below each, named by its namespace. */
export const FRR_CONF_BASE = '/etc/frr';
export const FRR_RUN_BASE = '/var/run/frr';
export const FRR_DAEMON_DIR = '/usr/lib/frr';

/** Where FRR keeps a node's files, in the node's filesystem (`node` context), and how its daemons are told apart. */
export interface FrrPaths {
  confDir: string;
  /** Pid files and vty sockets. */
  runDir: string;
  /** FRR's `-N` pathspace, where many FRR instances share one filesystem. */
  pathspace?: string;
  daemonDir: string;
}

/**
 * FRR's paths for a node, decided from the runtime's one fact about files: where nodes share the
 * host's filesystem (netns), each FRR instance has its own folders and pathspace, named by the
 * node's namespace (which carries lab and node names, so it must stay one folder below FRR's);
 * where every node has its own (docker), FRR's usual paths.
 */
export function frrPaths(runtime: Pick<Runtime, 'filesystem'>, n: NodePlan): FrrPaths {
  if (filesystemOf(runtime, n) === 'per-node') return { confDir: FRR_CONF_BASE, runDir: FRR_RUN_BASE, daemonDir: FRR_DAEMON_DIR };
  return { confDir: insideBase(FRR_CONF_BASE, n.ns), runDir: insideBase(FRR_RUN_BASE, n.ns), pathspace: n.ns, daemonDir: FRR_DAEMON_DIR };
}
