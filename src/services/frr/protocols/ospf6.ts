import type { LabNode } from '../../../topology/types.js';
import { familyOf } from '../../../util/ip.js';
import { blocksOf, configBlocks } from '../config-blocks.js';
import { addressesOn, advertised, dottedArea, interfaceNames, linkStateExpectations, type IgpInterface, type LinkStateSpec } from './link-state.js';
import { parseJson, type ObservedAdjacency, type RoutingProtocol } from './protocol.js';

/** OSPFv3 interfaces of a raw config: `ipv6 ospf6 area A` under the interface (or the older `interface X area A` in `router ospf6`). Pure. */
export function ospf6Interfaces(node: LabNode, config: string): IgpInterface[] {
  const blocks = configBlocks(config);
  const routers = blocksOf(blocks, 'router ospf6').filter((r) => !r.args.includes('vrf'));
  if (!routers.length) return [];
  const routerLines = routers.flatMap((r) => r.block.lines);
  const out: IgpInterface[] = [];
  for (const name of interfaceNames(node)) {
    const ifLines = blocksOf(blocks, 'interface').find((b) => b.args[0] === name && !b.args.includes('vrf'))?.block.lines ?? [];
    const area =
      ifLines.map((l) => /^ipv6 ospf6 area (\S+)/.exec(l)?.[1]).find((a) => a !== undefined) ??
      routerLines.map((l) => /^interface (\S+) area (\S+)/.exec(l)).find((m) => m?.[1] === name)?.[2];
    if (area === undefined) continue;
    // link-local addresses are never advertised
    const v6 = addressesOn(node, name).filter((a) => familyOf(a) === 6 && !/^fe80:/i.test(a));
    out.push({ name, area: dottedArea(area), passive: name === 'lo' || ifLines.some((l) => /^ipv6 ospf6 passive(\s|$)/.test(l)), prefixes: v6.map((a) => advertised(name, a)) });
  }
  return out;
}

interface Ospf6Neighbor {
  neighborId?: string;
  state?: string;
  /** The neighbour's role on the link. */
  ifState?: string;
  interfaceName?: string;
  /** Our interface's state (Waiting before the DR election). */
  interfaceState?: string;
}

/** OSPFv3 neighbours from `show ipv6 ospf6 neighbor json`: Full is up, and 2-Way between two DROthers (see ospf.ts). Pure. */
export function parseOspf6Neighbors(node: string, output: string): ObservedAdjacency[] {
  const data = parseJson(output) as { neighbors?: Ospf6Neighbor[] } | undefined;
  return (Array.isArray(data?.neighbors) ? data.neighbors : []).map((n): ObservedAdjacency => {
    const iface = n.interfaceName ?? '';
    const state = n.state ?? 'unknown';
    const twoWay = /^(twoway|2-way)$/i.test(state);
    const up = state === 'Full' || (twoWay && n.interfaceState === 'DROther' && n.ifState === 'DROther');
    const id = n.neighborId ?? '?';
    return { protocol: 'OSPFv3', node, key: iface, peer: id, label: `OSPFv3 adjacency ${node} ${iface} -> ${id}`, state, up };
  });
}

const spec: LinkStateSpec = { protocol: 'OSPFv3', daemon: 'ospf6d', interfaces: ospf6Interfaces };

export const ospf6: RoutingProtocol = {
  name: 'OSPFv3',
  daemon: 'ospf6d',
  waiting: 'OSPFv3 neighbours',
  command: 'show ipv6 ospf6 neighbor json',
  hint: 'check both ends of each link: the same area, network type, hello/dead timers and MTU (show ipv6 ospf6 interface)',
  expect: (plan) => linkStateExpectations(plan, spec),
  parse: parseOspf6Neighbors,
};
