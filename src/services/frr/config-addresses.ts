import type { LabNode } from '../../topology/types.js';
import { blocksOf, configBlocks } from './config-blocks.js';

/**
 * The addresses a raw FRR config puts on interfaces (`interface eth1` / ` ip address A/L`): zebra
 * sets them, so a containerlab router whose lab file names no address has them all the same. Only
 * the default VRF. Pure.
 */
export function frrConfigAddresses(config: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { args, block } of blocksOf(configBlocks(config), 'interface')) {
    if (!args[0] || args.includes('vrf')) continue;
    for (const line of block.lines) {
      const m = /^ipv?6? address (\S+\/\d+)/.exec(line);
      if (m) out.set(args[0], [...(out.get(args[0]) ?? []), m[1]]);
    }
  }
  return out;
}

/** The node as FRR will make it: its config's interface addresses added to the lab's (lo's to its loopbacks). Pure. */
export function withConfigAddresses(node: LabNode, config: string): LabNode {
  const add = frrConfigAddresses(config);
  if (!add.size) return node;
  const have = new Set([...node.loopbacks, ...node.interfaces.flatMap((i) => i.addresses)]);
  const fresh = (list: string[]) => list.filter((a) => !have.has(a));
  return {
    ...node,
    loopbacks: [...node.loopbacks, ...fresh(add.get('lo') ?? [])],
    interfaces: node.interfaces.map((i) => ({ ...i, addresses: [...i.addresses, ...fresh(add.get(i.name) ?? [])] })),
  };
}
