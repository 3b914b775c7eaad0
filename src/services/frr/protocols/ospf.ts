import type { LabNode } from '../../../topology/types.js';
import { covers, familyOf, parsePrefix } from '../../../util/ip.js';
import { blocksOf, configBlocks } from '../config-blocks.js';
import { addressesOn, advertised, dottedArea, interfaceNames, linkStateExpectations, type IgpInterface, type LinkStateSpec } from './link-state.js';
import { parseJson, type ObservedAdjacency, type RoutingProtocol } from './protocol.js';
import type { LabPlan } from '../../../plan/plan.js';

/**
 * OSPFv2 interfaces of a raw config: `ip ospf area A` under the interface, or a `network P area A`
 * of `router ospf` covering its address; passive with `ip ospf passive` (and `passive-interface`,
 * deprecated in 8.4). Only the default VRF. Pure.
 */
export function ospfInterfaces(node: LabNode, config: string): IgpInterface[] {
  const blocks = configBlocks(config);
  const routers = blocksOf(blocks, 'router ospf').filter((r) => !r.args.includes('vrf'));
  if (!routers.length) return [];
  const lines = routers.flatMap((r) => r.block.lines);
  const networks = lines.flatMap((l) => {
    const m = /^network (\S+) area (\S+)/.exec(l);
    const p = m && parsePrefix(m[1]);
    return p ? [{ p, area: dottedArea(m[2]) }] : [];
  });
  const passiveDefault = lines.includes('passive-interface default');
  const out: IgpInterface[] = [];
  for (const name of interfaceNames(node)) {
    const ifLines = blocksOf(blocks, 'interface').find((b) => b.args[0] === name && !b.args.includes('vrf'))?.block.lines ?? [];
    const v4 = addressesOn(node, name).filter((a) => familyOf(a) === 4);
    const own = ifLines.map((l) => /^ip ospf area (\S+)/.exec(l)?.[1]).find((a) => a !== undefined);
    const matched = own !== undefined ? v4.map((a) => ({ a, area: dottedArea(own) })) : v4.flatMap((a) => {
      const nw = networks.find((x) => covers(x.p, parsePrefix(a)!));
      return nw ? [{ a, area: nw.area }] : [];
    });
    if (!matched.length) continue;
    const passive =
      name === 'lo' ||
      ifLines.some((l) => /^ip ospf passive(\s|$)/.test(l)) ||
      lines.includes(`passive-interface ${name}`) ||
      (passiveDefault && !ifLines.includes('no ip ospf passive') && !lines.includes(`no passive-interface ${name}`));
    out.push({ name, area: matched[0].area, passive, prefixes: matched.map((m) => advertised(name, m.a)) });
  }
  return out;
}

interface NeighborDetail {
  ifaceName?: string;
  ifaceAddress?: string;
  nbrState?: string;
  routerDesignatedId?: string;
}

/**
 * OSPF neighbours from `show ip ospf neighbor detail json`. Full is up. So is 2-Way with a
 * DROther neighbour once a DR is elected: on a segment of three or more routers two DROthers stay
 * 2-Way by design (RFC 2328 10.4). Before the election (the interface's wait timer) neighbours
 * are 2-Way/DROther too but with no DR: not up. Pure.
 */
export function parseOspfNeighbors(node: string, output: string): ObservedAdjacency[] {
  const data = parseJson(output) as { neighbors?: Record<string, NeighborDetail[]> } | undefined;
  return Object.entries(data?.neighbors ?? {}).flatMap(([id, list]) =>
    (Array.isArray(list) ? list : []).map((n): ObservedAdjacency => {
      const iface = (n.ifaceName ?? '').split(':')[0];
      const state = n.nbrState ?? 'unknown';
      const drElected = !!n.routerDesignatedId && n.routerDesignatedId !== '0.0.0.0';
      const up = state.startsWith('Full') || (state === '2-Way/DROther' && drElected);
      return { protocol: 'OSPF', node, key: iface, peer: id, label: `OSPF adjacency ${node} ${iface} -> ${id}`, state, up };
    }),
  );
}

const spec: LinkStateSpec = { protocol: 'OSPF', daemon: 'ospfd', interfaces: ospfInterfaces };

/** FRR's OSPF defaults: hello 10 s, dead four hellos; an LSA is re-originated at most every 5 s. */
const DEFAULT_HELLO_S = 10;
const LSA_THROTTLE_MS = 5_000;

/**
 * How long OSPF's timers hold convergence back at least: on a broadcast link (FRR's default network
 * type) no DR is elected before the wait timer, the dead interval, runs out, and the router LSAs
 * that follow are throttled. Point-to-point links wait for neither. Pure.
 */
export function ospfTimersMs(plan: LabPlan): number {
  let worstS = 0;
  for (const n of plan.nodes) {
    if (!n.daemons.includes('ospfd') || n.frrConfigText === undefined) continue;
    for (const { args, block } of blocksOf(configBlocks(n.frrConfigText), 'interface')) {
      if (args[0] === 'lo' || block.lines.includes('ip ospf network point-to-point')) continue;
      const hello = Number(/^ip ospf hello-interval (\d+)/.exec(block.lines.find((l) => l.startsWith('ip ospf hello-interval')) ?? '')?.[1] ?? DEFAULT_HELLO_S);
      const dead = Number(/^ip ospf dead-interval (\d+)/.exec(block.lines.find((l) => l.startsWith('ip ospf dead-interval')) ?? '')?.[1] ?? 4 * hello);
      worstS = Math.max(worstS, dead);
    }
  }
  return worstS ? worstS * 1000 + 2 * LSA_THROTTLE_MS : 0;
}

export const ospf: RoutingProtocol = {
  name: 'OSPF',
  daemon: 'ospfd',
  waiting: 'OSPF neighbours',
  command: 'show ip ospf neighbor detail json',
  hint: 'check both ends of each link: the same area, network type, hello/dead timers, MTU and subnet (show ip ospf interface)',
  expect: (plan) => linkStateExpectations(plan, spec),
  parse: parseOspfNeighbors,
  timersMs: ospfTimersMs,
};
