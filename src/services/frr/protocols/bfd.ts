import type { LabPlan } from '../../../plan/plan.js';
import { ownerOf } from '../../../topology/addresses.js';
import { parseJson, type ExpectedAdjacency, type ObservedAdjacency, type RoutingProtocol } from './protocol.js';

/**
 * BFD sessions `up` waits for: one per BGP neighbour with `bfd: true` (lab-rendered configs). A
 * flow that starts before its BFD session is up would see a failure detected by BGP's hold timer,
 * not by BFD. Raw configs' BFD peers are awaited as every raw adjacency is: all that FRR lists.
 */
export function bfdExpectations(plan: LabPlan): ExpectedAdjacency[] {
  const out: ExpectedAdjacency[] = [];
  for (const n of plan.nodes) {
    if (n.node.frrConfig || !n.node.bgp) continue;
    for (const nb of n.node.bgp.neighbors) {
      if (!nb.bfd) continue;
      const peer = ownerOf(plan.lab.nodes, nb.address)?.name;
      out.push({ protocol: 'BFD', node: n.node.name, key: nb.address, ...(peer ? { peerNode: peer } : {}), peer: nb.address, label: `BFD session ${n.node.name} -> ${nb.address}${peer ? ` (${peer})` : ''}`, absent: 'not configured in FRR' });
    }
  }
  return out;
}

interface BfdPeerJson {
  peer?: string;
  interface?: string;
  status?: string;
}

/** BFD sessions from `show bfd peers json` (FRR 8.4: an array of peers); up is up. Pure. */
export function parseBfdPeers(node: string, output: string): ObservedAdjacency[] {
  const data = parseJson(output);
  return (Array.isArray(data) ? (data as BfdPeerJson[]) : [])
    .filter((p) => typeof p.peer === 'string' && typeof p.status === 'string')
    .map((p) => ({ protocol: 'BFD', node, key: p.peer!, peer: p.peer!, label: `BFD session ${node} -> ${p.peer}${p.interface ? ` (${p.interface})` : ''}`, state: p.status!, up: p.status === 'up' }));
}

export const bfd: RoutingProtocol = {
  name: 'BFD',
  daemon: 'bfdd',
  waiting: 'BFD sessions',
  command: 'show bfd peers json',
  hint: 'both ends of a BGP session need bfd: true; `asymlab exec LAB NODE -- vtysh -c "show bfd peers"` shows each session',
  expect: (plan) => ({ adjacencies: bfdExpectations(plan), routes: [] }),
  parse: parseBfdPeers,
};
