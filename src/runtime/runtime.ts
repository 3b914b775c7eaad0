import type { LabPlan, NodePlan } from '../plan/plan.js';
import type { RuntimeKind } from '../topology/types.js';
import type { Background, CommandResult, Runner, Spawner } from '../util/exec.js';

/**
 * Where a command runs for a node.
 * - `net`: a host binary inside the node's network namespace (tcpdump, flows, conntrack, ip).
 *   Never depends on what an image contains.
 * - `node`: inside the node itself: for netns the same as `net`; for docker, in the container
 *   (FRR daemons and vtysh, the image's iptables).
 */
export type ExecContext = 'net' | 'node';

export interface ExecOptions {
  context?: ExecContext;
  input?: string;
  /** Added to the command's environment (a node's `env:` for its exec lines). */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Resolve with the failed result instead of throwing. */
  reject?: boolean;
}

/**
 * What a node's filesystem is, the one fact services need to place their files.
 * - `shared-host`: every node sees the host's filesystem (netns). A service keeps a folder per
 *   node and tells its instances apart (FRR: /etc/frr/<ns> and the pathspace `-N <ns>`).
 * - `per-node`: every node has a filesystem of its own (docker). Services use their usual paths.
 * A node the plan gives a filesystem of its own (NodePlan.ownFilesystem) has one on every runtime:
 * see filesystemOf.
 */
export type NodeFilesystem = 'shared-host' | 'per-node';

/** The filesystem a node has: the runtime's, or its own where the plan gives it one (netns: a mount namespace). */
export function filesystemOf(runtime: Pick<Runtime, 'filesystem'>, node: Pick<NodePlan, 'ownFilesystem'>): NodeFilesystem {
  return node.ownFilesystem ? 'per-node' : runtime.filesystem;
}

/** What exists of a lab on the machine, found from names and labels alone (no state file needed). */
export interface LabResources {
  lab: string;
  runtime: RuntimeKind;
  nodes: string[];
}

/** Side effects a runtime uses; injected so the engine can be driven by tests or dry runs. */
export interface RuntimeDeps {
  run: Runner;
  spawn: Spawner;
  /** `--image-map`: images the lab names, run on others that are on this machine (docker). */
  imageMap?: Readonly<Record<string, string>>;
}

/**
 * The one runtime interface. netns and docker sit behind it; nothing above src/runtime/ knows which
 * one runs a lab. Both runtimes give every node a named network namespace under /var/run/netns
 * (docker: a link to the container's), so everything that works on the network side (links,
 * addresses, captures, flows) is written once against the namespace name.
 *
 * Every resource carries the lab's name, so `removeLab` and `list` work from the machine's state
 * alone, also after a crash.
 */
export interface Runtime {
  readonly kind: RuntimeKind;

  readonly filesystem: NodeFilesystem;

  /** Checks the machine can run this lab (tools, privileges, daemon, images); throws LabError('environment'). */
  preflight(plan: LabPlan): Promise<void>;

  /** Creates every node's network stack (namespace or container) under its namespace name. */
  createNodes(plan: LabPlan): Promise<void>;

  /**
   * Creates every link of the plan as a veth pair straight into its two nodes' namespaces, MACs
   * from the plan; no end ever exists in the host's namespace. Returns how many.
   */
  createLinks(plan: LabPlan): Promise<number>;

  /** Every command run for a node goes through here (see ExecContext). */
  exec(node: NodePlan, argv: string[], opts?: ExecOptions): Promise<CommandResult>;

  /**
   * Runs argv in the node with this process's stdin, stdout and stderr attached (a terminal:
   * `asymlab exec`), and resolves with its exit code.
   */
  interactive(node: NodePlan, argv: string[], opts?: { context?: ExecContext }): Promise<number>;

  /** A long-running process in the node's network namespace (`net` context). */
  spawn(node: NodePlan, argv: string[], opts?: { env?: NodeJS.ProcessEnv; captureStdout?: boolean }): Background;

  /** Writes a file into the node's filesystem (`node` context), creating folders. */
  writeFile(node: NodePlan, path: string, content: string, opts?: { owner?: string }): Promise<void>;

  /** Several files at once, all with the same owner: one round trip where the runtime has a cost per call. */
  writeFiles(node: NodePlan, files: { path: string; content: string }[], opts?: { owner?: string }): Promise<void>;

  /** Removes everything of the lab this runtime created: processes in its namespaces, namespaces, containers, files. */
  removeLab(lab: string): Promise<void>;

  /** Every lab this runtime has resources of on the machine. */
  list(): Promise<LabResources[]>;
}
