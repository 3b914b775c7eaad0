/**
 * BFD for the lab's BGP neighbours (`bfd: true`): bfdd runs a session with the neighbour, and bgpd
 * drops the BGP session as soon as BFD says the path is dead. The lab profile's BFD timers are
 * those of a lab: a packet every 100 ms each way and three missed, so a dead path is seen in
 * ~300 ms (FRR's defaults, 300 ms × 3, would take ~900 ms; BGP's hold time in the lab profile is
 * 3 s). Pure.
 */
import type { LabNode } from '../../topology/types.js';

export const BFD_PROFILE = { name: 'asymlab', transmitMs: 100, receiveMs: 100, multiplier: 3 } as const;

/** Whether the node asks for BFD on any BGP neighbour. */
export function usesBfd(node: LabNode): boolean {
  return node.bgp?.neighbors.some((nb) => nb.bfd) ?? false;
}

/** bfdd's config: the lab profile, when a neighbour uses BFD. */
export function bfdBlock(node: LabNode): string[] {
  if (!usesBfd(node)) return [];
  const p = BFD_PROFILE;
  return ['bfd', ` profile ${p.name}`, `  transmit-interval ${p.transmitMs}`, `  receive-interval ${p.receiveMs}`, `  detect-multiplier ${p.multiplier}`, ' exit', ' !', 'exit', '!'];
}

/** The lines under `router bgp` that put a neighbour under BFD. */
export function bfdNeighborLines(address: string): string[] {
  return [` neighbor ${address} bfd`, ` neighbor ${address} bfd profile ${BFD_PROFILE.name}`];
}
