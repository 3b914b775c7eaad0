import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import type { FirewallBackend } from '../firewall/backend.js';
import type { Capabilities, KindDef } from '../kinds/kind.js';
import { profileOf } from '../kinds/profile.js';
import { MAX_CONFIG_BYTES } from '../topology/file-ref.js';
import { frrDaemonsOf } from '../render/frr.js';
import type { FrrDaemon } from '../services/frr/catalogue.js';
import type { Lab, LabNode } from '../topology/types.js';

/**
 * Per-node facts the engine derives once from the lab: resource names, MACs, the node's kind, the
 * services it runs and what they let it do. Later layers ask these, never the kind's name.
 */
export interface NodePlan {
  node: LabNode;
  /** The node's kind, from src/kinds/. */
  kind: KindDef;
  /** What the node does (forwards, keeps connection state, logs drops): its kind's, and what its services add. */
  capabilities: Capabilities;
  /** Namespace name (and FRR pathspace): asymlab_<lab>_<node>. */
  ns: string;
  /** Deterministic MAC per interface, so a captured frame names the node and interface that sent it. */
  macs: Record<string, string>;
  /** FRR daemons the node runs, in start order (zebra first); empty on a node without FRR. */
  daemons: FrrDaemon[];
  /** Whether the node runs FRR at all (daemons is not empty). */
  frr: boolean;
  /** The text of the node's raw frr-config, read once here: what starts, what runs and what `up` waits for agree. */
  frrConfigText?: string;
  /** The firewall service: the backend that renders, loads and reads the node's ruleset; undefined without one. */
  firewall?: { backend: FirewallBackend };
}

export interface LabPlan {
  lab: Lab;
  nodes: NodePlan[];
}

export function resourceName(lab: string, node: string): string {
  return `asymlab_${lab}_${node}`;
}

/** `_` cannot occur in lab or node names, so the parse is unambiguous. */
export function parseResourceName(name: string): { lab: string; node: string } | undefined {
  const m = /^asymlab_([a-z0-9-]+)_([a-z0-9-]+)$/.exec(name);
  return m ? { lab: m[1], node: m[2] } : undefined;
}

const hex = (n: number) => n.toString(16).padStart(2, '0');

/** Locally administered, unicast: 02:a5:<node hi>:<node lo>:<iface>:01. */
export function macFor(nodeIndex: number, ifaceIndex: number): string {
  return ['02', 'a5', hex((nodeIndex >> 8) & 255), hex(nodeIndex & 255), hex(ifaceIndex & 255), '01'].join(':');
}

export interface PlanOptions {
  /** Reads a raw frr-config; undefined when it cannot be read (a running lab whose file went away). */
  readConfig?: (path: string) => string | undefined;
}

/** Loading checked the file; it is checked again on the open descriptor, so a file swapped since (a FIFO, /dev/zero) is never read. */
function readQuietly(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_CONFIG_BYTES) return undefined;
    return readFileSync(fd, 'utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The plan of a lab. Pure but for reading raw FRR configs (which daemons run depends on them).
 * Every node's kind and firewall backend must be registered: loading checks both.
 */
export function planLab(lab: Lab, opts: PlanOptions = {}): LabPlan {
  const read = opts.readConfig ?? readQuietly;
  return {
    lab,
    nodes: lab.nodes.map((node, ni) => {
      const profile = profileOf(node);
      const frrConfigText = node.frrConfig !== undefined ? read(node.frrConfig) : undefined;
      const daemons = profile.frr ? frrDaemonsOf(node, frrConfigText) : [];
      return {
        node,
        kind: profile.kind,
        capabilities: profile.capabilities,
        ns: resourceName(lab.name, node.name),
        macs: Object.fromEntries(node.interfaces.map((i, ii) => [i.name, macFor(ni, ii)])),
        daemons,
        frr: daemons.length > 0,
        ...(frrConfigText !== undefined ? { frrConfigText } : {}),
        ...(profile.firewall ? { firewall: { backend: profile.firewall } } : {}),
      };
    }),
  };
}
