import type { LabPlan, NodePlan } from '../../../plan/plan.js';
import type { Runtime } from '../../../runtime/runtime.js';
import { ownerOf as ownerIn, owns } from '../../../topology/addresses.js';
import { covers, familyOf, networkText, parsePrefix } from '../../../util/ip.js';
import { vtyshRun } from '../vtysh.js';
import { parseJson, type ExpectedAdjacency, type ExpectedRoute, type ObservedAdjacency, type RoutingProtocol } from './protocol.js';

export interface BgpPeerStatus {
  node: string;
  peer: string;
  remoteAs: number;
  state: string;
  prefixesReceived: number;
}

interface SummaryJson {
  [afi: string]: { peers?: Record<string, { remoteAs: number; state: string; pfxRcd?: number; peerState?: string }> };
}

/** BGP sessions in `show bgp summary json` output (all address families merged). Pure. */
export function parseBgpSummary(node: string, output: string): BgpPeerStatus[] {
  const data = parseJson(output) as SummaryJson | undefined;
  if (!data || typeof data !== 'object') return [];
  const out = new Map<string, BgpPeerStatus>();
  for (const afi of Object.values(data)) {
    for (const [peer, p] of Object.entries(afi?.peers ?? {})) {
      const prev = out.get(peer);
      out.set(peer, { node, peer, remoteAs: p.remoteAs, state: p.state, prefixesReceived: (prev?.prefixesReceived ?? 0) + (p.pfxRcd ?? 0) });
    }
  }
  return [...out.values()];
}

/** BGP sessions of a node, from `show bgp summary json`. */
export async function bgpPeers(runtime: Runtime, n: NodePlan): Promise<BgpPeerStatus[]> {
  const r = await vtyshRun(runtime, n, ['show bgp summary json'], { reject: false });
  return r.failed ? [] : parseBgpSummary(n.node.name, r.stdout);
}

function ownerOf(plan: LabPlan, address: string): NodePlan | undefined {
  const owner = ownerIn(plan.lab.nodes, address);
  return plan.nodes.find((n) => n.node === owner);
}

/** An outbound filter lists exact prefixes; an inbound one takes a prefix and everything longer inside it. */
const passes = (filter: string[] | undefined, prefix: string, orLonger: boolean) => {
  if (filter === undefined) return true;
  const p = parsePrefix(prefix);
  return !!p && filter.some((f) => {
    const q = parsePrefix(f);
    return !!q && (orLonger ? covers(q, p) : networkText(q) === networkText(p));
  });
};

export interface ExpectedSession {
  node: string;
  peer: string;
  peerNode?: string;
}

/** Sessions of the lab's own BGP (rendered configs) and the prefixes each carries into the peer's kernel. Pure. */
export function bgpExpectations(plan: LabPlan): { sessions: ExpectedSession[]; routes: ExpectedRoute[] } {
  const sessions: ExpectedSession[] = [];
  const routes: ExpectedRoute[] = [];
  for (const n of plan.nodes) {
    const bgp = n.node.bgp;
    if (!bgp || n.node.frrConfig) continue;
    for (const nb of bgp.neighbors) {
      const peer = ownerOf(plan, nb.address);
      sessions.push({ node: n.node.name, peer: nb.address, peerNode: peer?.node.name });
      const back = peer?.node.bgp?.neighbors.find((x) => owns(n.node, x.address));
      if (!peer || !peer.node.bgp || !back) continue;
      for (const prefix of bgp.networks) {
        if (familyOf(prefix) !== familyOf(nb.address)) continue;
        if (!passes(nb.advertise, prefix, false) || !passes(back.accept, prefix, true)) continue;
        if (peer.node.bgp.networks.includes(prefix)) continue;
        routes.push({ node: peer.node.name, prefix, from: n.node.name });
      }
    }
  }
  return { sessions, routes };
}

const label = (node: string, peer: string) => `BGP session ${node} -> ${peer}`;

export const bgp: RoutingProtocol = {
  name: 'BGP',
  daemon: 'bgpd',
  waiting: 'BGP sessions',
  command: 'show bgp summary json',
  hint: 'check both ends of each session: addresses, remote-as, the link between them; `asymlab inspect` shows what is up',
  expect(plan) {
    const { sessions, routes } = bgpExpectations(plan);
    // A prefix that crossed a session proves that session Established.
    const carried = new Set(routes.flatMap((r) => [`${r.from}>${r.node}`, `${r.node}>${r.from}`]));
    const adjacencies = sessions.map(
      (s): ExpectedAdjacency => ({
        protocol: 'BGP',
        node: s.node,
        key: s.peer,
        peerNode: s.peerNode,
        peer: s.peer,
        label: `${label(s.node, s.peer)}${s.peerNode ? ` (${s.peerNode})` : ''}`,
        absent: 'not configured in FRR',
        provenByRoutes: !!s.peerNode && carried.has(`${s.node}>${s.peerNode}`),
      }),
    );
    return { adjacencies, routes };
  },
  parse(node, output) {
    return parseBgpSummary(node, output).map((p): ObservedAdjacency => ({ protocol: 'BGP', node, key: p.peer, peer: p.peer, label: label(node, p.peer), state: p.state, up: p.state === 'Established' }));
  },
};
