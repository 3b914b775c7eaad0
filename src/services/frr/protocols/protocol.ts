import type { LabPlan } from '../../../plan/plan.js';
import type { FrrDaemon } from '../catalogue.js';

/** A prefix `up` waits for in a node's kernel table. */
export interface ExpectedRoute {
  /** The node whose kernel table must hold the prefix. */
  node: string;
  prefix: string;
  /** Who originates it: a node name (BGP), `r1 (static)`, `r3 (OSPF)`. */
  from: string;
}

/** An adjacency (BGP session, OSPF neighbour, IS-IS adjacency) `up` waits for. */
export interface ExpectedAdjacency {
  protocol: string;
  node: string;
  /** What ties it to an observed adjacency of the same node: the peer address (BGP), the local interface (IGPs). */
  key: string;
  peerNode?: string;
  /** How progress names the other end: `100.64.0.2` (BGP), `r2 eth1` (IGPs). */
  peer: string;
  /** How a timeout names it: `BGP session r1 -> 100.64.0.2 (r2)`. */
  label: string;
  /** Its state when FRR does not list it at all. */
  absent: string;
  /** What in the configs explains it, said when it does not come up (areas differ). */
  note?: string;
  /** An expected route crosses it: once the routes are in, it is proven up and needs no vtysh. */
  provenByRoutes?: boolean;
}

/** An adjacency as FRR reports it now. */
export interface ObservedAdjacency {
  protocol: string;
  node: string;
  key: string;
  /** The other end as FRR names it: peer address, neighbour's router id or system id. */
  peer: string;
  label: string;
  state: string;
  /** Established (BGP), Full (OSPF), Up (IS-IS): as far as this adjacency goes, converged. */
  up: boolean;
}

export interface ProtocolExpectations {
  adjacencies: ExpectedAdjacency[];
  routes: ExpectedRoute[];
}

/**
 * What convergence knows of one routing protocol: what to wait for (pure, from the plan) and how to
 * read a node's adjacencies (one vtysh command whose JSON output `parse` reads; pure).
 */
export interface RoutingProtocol {
  /** `BGP`, `OSPF`. */
  name: string;
  /** The daemon that runs it: nodes running it are the ones asked. */
  daemon: FrrDaemon;
  /** How progress names what is awaited: `BGP sessions`. */
  waiting: string;
  /** Lists a node's adjacencies as JSON. */
  command: string;
  expect(plan: LabPlan): ProtocolExpectations;
  /** A node's adjacencies from `command`'s output; none when it is not the JSON expected. */
  parse(node: string, output: string): ObservedAdjacency[];
  /** Where to look when it does not converge. */
  hint: string;
  /**
   * The least time the protocol's own timers take before it can converge (OSPF: a broadcast link
   * elects its DR only when the wait timer, the dead interval, runs out); `up`'s default timeout
   * grows by it. Pure.
   */
  timersMs?(plan: LabPlan): number;
}

/** JSON.parse that says undefined instead of throwing (a daemon still starting prints text). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
