/**
 * Rules for BFD in the lab format. A BGP neighbour's `bfd: true` needs the same on the other end
 * (a BFD session has two ends, and one that never comes up never drops BGP either). A static
 * route's `bfd: true` is refused: FRR 8.4's staticd has no BFD tracking of next hops (`ip route
 * P NH bfd` came in a later FRR; 8.4's vtysh reads the word as the name of an interface), so the
 * rule names the design that works on 8.4 instead. Pure.
 */
import type { InputProblem } from '../errors.js';
import { canonicalAddress, isAddress } from '../util/ip.js';
import { ownerOf, owns } from './addresses.js';
import type { Lab } from './types.js';

export const STATIC_BFD_HINT =
  "FRR 8.4's staticd cannot track a static route by BFD. What works on 8.4: point the static route at a next hop that is not on a connected subnet (the far end of the path), and learn that address over BGP from a neighbour with bfd: true; when BFD drops the session the next hop becomes unreachable and the route goes (labs/vpn-failover shows it). Or carry the route itself over BGP with bfd: true";

export function validateBfd(lab: Lab): InputProblem[] {
  const out: InputProblem[] = [];
  for (const n of lab.nodes) {
    n.routes.forEach((r, k) => {
      if (r.bfd) out.push({ path: `topology.nodes.${n.name}.routes[${k}].bfd`, message: 'a static route cannot be tracked by BFD with FRR 8.4', hint: STATIC_BFD_HINT });
    });
    n.bgp?.neighbors.forEach((nb, k) => {
      if (!nb.bfd || !isAddress(nb.address)) return;
      const peer = ownerOf(lab.nodes, canonicalAddress(nb.address));
      const back = peer?.bgp?.neighbors.find((x) => isAddress(x.address) && owns(n, x.address));
      if (peer && back && !back.bfd) {
        out.push({
          path: `topology.nodes.${n.name}.bgp.neighbors[${k}].bfd`,
          message: `BFD runs between both ends, but ${peer.name}'s neighbour ${back.address} does not ask for it`,
          hint: `add bfd: true to ${peer.name}'s neighbour ${back.address} too`,
        });
      }
    });
  }
  return out;
}
