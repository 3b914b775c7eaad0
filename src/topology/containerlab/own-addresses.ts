/**
 * The addresses a containerlab node puts on itself: its exec lines (`ip addr add A dev eth1`) and
 * its FRR config (`interface eth1` / ` ip address A`). The lab learns them, so a flow finds its
 * server, the rules check them and the analysis knows their owner, but asymlab does not add them
 * (the node does: adding them first would make its own command fail). Pure.
 */
import { frrConfigAddresses } from '../../services/frr/config-addresses.js';
import type { LabNode } from '../types.js';

const IP_ADDR_ADD = /\bip\s+(?:-[46]\s+)?a(?:d|dd|ddr|ddre|ddres|ddress)?\s+add\s+(\S+\/\d+)\b[^;&|]*?\bdev\s+(\S+)/g;

/** `ip addr add A/L dev IF` in exec lines, interface by interface. */
export function execAddresses(lines: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of lines) for (const m of line.matchAll(IP_ADDR_ADD)) out.set(m[2], [...(out.get(m[2]) ?? []), m[1]]);
  return out;
}

/** The node with addresses it configures itself added to its link interfaces, as `selfAddresses`. */
export function withOwnAddresses(node: LabNode, found: Map<string, string[]>): LabNode {
  if (!found.size) return node;
  return {
    ...node,
    interfaces: node.interfaces.map((i) => {
      const add = (found.get(i.name) ?? []).filter((a) => !i.addresses.includes(a));
      return add.length ? { ...i, addresses: [...i.addresses, ...add], selfAddresses: [...(i.selfAddresses ?? []), ...add] } : i;
    }),
  };
}

/** The addresses of a raw FRR config, for withOwnAddresses. */
export const frrAddresses = frrConfigAddresses;
