/**
 * The contract of a firewall backend: how a node's firewall intent (`firewall:`) becomes rules in
 * the kernel, and how their counters come back as evidence. Backends are listed in registry.ts; a
 * node picks one with `firewall: {backend: NAME}` (default iptables), or by its raw-file key.
 *
 * Every drop rule a backend renders logs first to NFLOG group NFLOG_GROUP with the prefix
 * nflogPrefix(node, chain, index, label) (nflog-prefix.ts), where chain and index are those its
 * counters() gives the rule: the analysis reads the prefix from the NFLOG capture and finds the
 * rule's counter by it, whatever the backend.
 */
import type { RuleCounter } from '../analysis/types.js';
import type { InputProblem } from '../errors.js';
import type { Capabilities } from '../kinds/kind.js';
import type { NodePlan } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Runner } from '../util/exec.js';
import type { LabNode } from '../topology/types.js';
import type { RenderContext } from './policy.js';

/** What a backend read of its counters at one moment, as raw text the run folder keeps (evidence/<node>-<when>.json). */
export interface FirewallSnapshot {
  /** The backend that took it. */
  backend: string;
  /** Its dumps by the backend's own names, e.g. iptables: `v4` (iptables-save -c) and `v6` (ip6tables-save -c). */
  dumps: Record<string, string>;
}

export interface FirewallBackend {
  name: string;
  /** Host programs it runs inside a node's network namespace: preflight asks for them. */
  tools: readonly string[];
  /** What a node running it can do besides what its kind does. */
  capabilities: Partial<Capabilities>;
  /** Lab keys naming raw ruleset files loaded as is instead of the rendered ones (`iptables:`, `ip6tables:`). */
  raw?: readonly { key: string; fileOf(node: LabNode): string | undefined }[];
  /** What the lab does not say but should know of the node's ruleset (a family left locked down). `path` is `topology.nodes.<name>`. */
  warnings?(node: LabNode, path: string): InputProblem[];
  /**
   * The node's `firewall:` intent as ruleset files by name (iptables: `v4`, `v6`). Pure; the golden
   * tests keep them as test/golden/<lab>/<node>.<backend>.<name>. `ctx` carries what the plan read
   * for the node (its raw frr-config, whose BGP neighbours INPUT lets in).
   */
  render(node: LabNode, ctx?: RenderContext): Record<string, string>;
  /** argv that checks one rendered file (on stdin) without loading it, for the golden tests. */
  checkArgv(name: string): string[];
  /**
   * How a node loads the ruleset where asymlab is absent (`asymlab export`): the argv that loads
   * one file (rendered, or the raw one under `rawName`) from stdin. A backend without it cannot be exported.
   */
  standalone?: { rawName: string; loadArgv(name: string): string[] };
  /**
   * Checks the node's raw ruleset file before anything of the lab exists (`up`'s check step): the
   * problem, said at the file's key, or undefined. Optional: a backend without it finds out at load.
   */
  check?(run: Runner, n: NodePlan): Promise<{ key: string; message: string; hint: string } | undefined>;
  /** Loads the node's ruleset (its raw file, else the rendered one) into its namespace; throws LabError. */
  load(runtime: Runtime, n: NodePlan): Promise<void>;
  /** The rules' counters now, every family's. */
  snapshot(runtime: Runtime, n: NodePlan): Promise<Record<string, string>>;
  /** Rule counters from the dumps before and after the flows, each with its family. Pure. */
  counters(node: string, before: Record<string, string>, after: Record<string, string>): RuleCounter[];
}
