import { canonicalAddress, hostOf } from '../util/ip.js';
import type { LabNode } from './types.js';

/** Every address of a node (interfaces and loopbacks), host part only, in canonical spelling. */
export function nodeAddresses(n: LabNode): string[] {
  return [...n.interfaces.flatMap((i) => i.addresses), ...n.loopbacks].map((a) => canonicalAddress(hostOf(a)));
}

/** Whether the node has this address, however it is spelled (2001:DB8:0::1 = 2001:db8::1). */
export function owns(n: LabNode, address: string): boolean {
  const want = canonicalAddress(address);
  return nodeAddresses(n).includes(want);
}

/** The node that has this address. */
export function ownerOf(nodes: LabNode[], address: string): LabNode | undefined {
  return nodes.find((n) => owns(n, address));
}
