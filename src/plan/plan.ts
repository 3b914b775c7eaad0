import { runsFrr } from '../render/frr.js';
import type { Lab, LabNode } from '../topology/types.js';

/** Per-node facts the engine derives once from the lab: resource names, MACs, which services run. */
export interface NodePlan {
  node: LabNode;
  /** Namespace name (and FRR pathspace): asymlab_<lab>_<node>. */
  ns: string;
  /** Deterministic MAC per interface, so a captured frame names the node and interface that sent it. */
  macs: Record<string, string>;
  frr: boolean;
  firewall: boolean;
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

export function planLab(lab: Lab): LabPlan {
  return {
    lab,
    nodes: lab.nodes.map((node, ni) => ({
      node,
      ns: resourceName(lab.name, node.name),
      macs: Object.fromEntries(node.interfaces.map((i, ii) => [i.name, macFor(ni, ii)])),
      frr: runsFrr(node),
      firewall: node.firewall !== undefined || node.iptables !== undefined,
    })),
  };
}
