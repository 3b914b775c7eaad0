import type { LabPlan } from '../../../plan/plan.js';
import type { LabNode } from '../../../topology/types.js';
import { contains, familyOf, hostOf, networkText, parsePrefix } from '../../../util/ip.js';
import type { FrrDaemon } from '../catalogue.js';
import { withConfigAddresses } from '../config-addresses.js';
import type { ExpectedAdjacency, ExpectedRoute, ProtocolExpectations } from './protocol.js';

/** An interface a node's config runs a link-state IGP on. */
export interface IgpInterface {
  /** Interface name; `lo` holds the lab's loopbacks. */
  name: string;
  /** What both ends must agree on to form an adjacency (OSPF area); '' where any two ends meet (IS-IS). */
  area: string;
  /** Advertised, but forms no adjacency (loopbacks, `ip ospf passive`, `isis passive`). */
  passive: boolean;
  /** What the interface puts in the protocol: network prefixes, host prefixes for loopbacks. */
  prefixes: string[];
}

/** What a link-state IGP module tells the shared expectation rules. */
export interface LinkStateSpec {
  protocol: string;
  daemon: FrrDaemon;
  /** The interfaces a node's raw config runs the protocol on. Pure. */
  interfaces(node: LabNode, config: string): IgpInterface[];
  /** Whether the node installs every prefix of its area (an IS-IS level-1 router does not: it gets a default). */
  receivesAll?(node: LabNode, config: string): boolean;
}

/** The lab's addresses on an interface (CIDR); `lo` has the loopbacks. */
export function addressesOn(node: LabNode, iface: string): string[] {
  return iface === 'lo' ? node.loopbacks : (node.interfaces.find((i) => i.name === iface)?.addresses ?? []);
}

/** Interfaces that may carry the protocol: the lab's, plus lo when the node has loopbacks. */
export function interfaceNames(node: LabNode): string[] {
  return [...node.interfaces.map((i) => i.name), ...(node.loopbacks.length ? ['lo'] : [])];
}

/** The prefix an address puts in an IGP: its network, or itself as a host route on a loopback. */
export function advertised(iface: string, cidr: string): string {
  if (iface === 'lo') return `${hostOf(cidr)}/${familyOf(cidr) === 4 ? 32 : 128}`;
  const p = parsePrefix(cidr);
  return p ? networkText(p) : cidr;
}

/** Dotted area id: `0` -> 0.0.0.0, dotted stays. */
export function dottedArea(area: string): string {
  if (!/^\d+$/.test(area)) return area;
  const n = Number(area);
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

function componentsOf(members: string[], joins: [string, string][]): string[][] {
  const parent = new Map(members.map((m) => [m, m]));
  const root = (x: string): string => (parent.get(x) === x ? x : root(parent.get(x)!));
  for (const [a, b] of joins) parent.set(root(a), root(b));
  const out = new Map<string, string[]>();
  for (const m of members) out.set(root(m), [...(out.get(root(m)) ?? []), m]);
  return [...out.values()];
}

/**
 * What `up` waits for in a link-state IGP run from raw configs (the lab renders none). Pure.
 * - An adjacency over every link whose two ends both run the protocol, not passive; ends in
 *   different areas are still expected (both ends ask for one), and the note says why it fails.
 * - Intra-area routes only: every router has every prefix the other routers of its area put in,
 *   where they are joined by adjacencies (inter-area and external routes may be summarised or
 *   filtered by policy; the settle rule covers them).
 */
export function linkStateExpectations(plan: LabPlan, spec: LinkStateSpec): ProtocolExpectations {
  // A containerlab router's addresses are in its config, not the lab file: FRR puts them on.
  const nodes = plan.nodes.filter((n) => n.daemons.includes(spec.daemon) && n.frrConfigText !== undefined).map((n) => ({ ...n, node: withConfigAddresses(n.node, n.frrConfigText!) }));
  const ifs = new Map(nodes.map((n) => [n.node.name, spec.interfaces(n.node, n.frrConfigText!)]));
  const at = (node: string, iface: string) => ifs.get(node)?.find((i) => i.name === iface);
  const adjacencies: ExpectedAdjacency[] = [];
  const joins = new Map<string, [string, string][]>();
  for (const { endpoints: [a, b] } of plan.lab.links) {
    const ia = at(a.node, a.iface);
    const ib = at(b.node, b.iface);
    if (!ia || !ib || ia.passive || ib.passive) continue;
    const note = ia.area === ib.area ? undefined : `areas differ: ${a.node} ${a.iface} is in area ${ia.area}, ${b.node} ${b.iface} in area ${ib.area}`;
    for (const [x, y] of [
      [a, b],
      [b, a],
    ]) {
      adjacencies.push({
        protocol: spec.protocol,
        node: x.node,
        key: x.iface,
        peerNode: y.node,
        peer: `${y.node} ${y.iface}`,
        label: `${spec.protocol} adjacency ${x.node} ${x.iface} -> ${y.node} ${y.iface}`,
        absent: `not formed (no neighbour on ${x.node} ${x.iface})`,
        ...(note ? { note } : {}),
      });
    }
    if (!note) joins.set(ia.area, [...(joins.get(ia.area) ?? []), [a.node, b.node]]);
  }
  const routes: ExpectedRoute[] = [];
  const seen = new Set<string>();
  const areas = new Set([...ifs.values()].flatMap((l) => l.map((i) => i.area)));
  for (const area of areas) {
    const members = nodes.filter((n) => ifs.get(n.node.name)!.some((i) => i.area === area)).map((n) => n.node.name);
    for (const component of componentsOf(members, joins.get(area) ?? [])) {
      for (const r of component) {
        const receiver = nodes.find((n) => n.node.name === r)!;
        if (spec.receivesAll && !spec.receivesAll(receiver.node, receiver.frrConfigText!)) continue;
        const own = interfaceNames(receiver.node).flatMap((i) => addressesOn(receiver.node, i)).map(hostOf);
        for (const s of component) {
          if (s === r) continue;
          for (const prefix of ifs.get(s)!.filter((i) => i.area === area).flatMap((i) => i.prefixes)) {
            const p = parsePrefix(prefix);
            if (!p || own.some((a) => contains(p, a)) || seen.has(`${r} ${prefix}`)) continue;
            seen.add(`${r} ${prefix}`);
            routes.push({ node: r, prefix, from: `${s} (${spec.protocol})` });
          }
        }
      }
    }
  }
  return { adjacencies, routes };
}
