import type { LabNode } from '../../../topology/types.js';
import { familyOf, networkText, parsePrefix } from '../../../util/ip.js';
import { blocksOf, configBlocks } from '../config-blocks.js';
import { addressesOn, interfaceNames, linkStateExpectations, type IgpInterface, type LinkStateSpec } from './link-state.js';
import { parseJson, type ObservedAdjacency, type RoutingProtocol } from './protocol.js';

/**
 * IS-IS interfaces of a raw config: `ip router isis TAG` (IPv4 prefixes) and `ipv6 router isis
 * TAG` (IPv6) under the interface, passive with `isis passive`. Levels and areas are not compared:
 * two level-2 capable routers meet whatever their areas. Pure.
 */
export function isisInterfaces(node: LabNode, config: string): IgpInterface[] {
  const blocks = configBlocks(config);
  const tags = new Set(blocksOf(blocks, 'router isis').filter((r) => !r.args.includes('vrf')).map((r) => r.args[0]));
  const out: IgpInterface[] = [];
  for (const name of interfaceNames(node)) {
    const ifLines = blocksOf(blocks, 'interface').find((b) => b.args[0] === name && !b.args.includes('vrf'))?.block.lines ?? [];
    const on = (af: 'ip' | 'ipv6') => ifLines.some((l) => {
      const m = new RegExp(`^${af} router isis (\\S+)`).exec(l);
      return !!m && tags.has(m[1]);
    });
    const v4 = on('ip');
    const v6 = on('ipv6');
    if (!v4 && !v6) continue;
    const addrs = addressesOn(node, name).filter((a) => (familyOf(a) === 4 ? v4 : v6 && !/^fe80:/i.test(a)));
    // IS-IS advertises an interface's prefix as configured, loopbacks included
    const prefixes = addrs.map((a) => networkText(parsePrefix(a)!));
    out.push({ name, area: '', passive: name === 'lo' || ifLines.includes('isis passive'), prefixes });
  }
  return out;
}

/** A level-1-only router gets its area's routes and a default, not the whole domain's. */
function receivesAll(_node: LabNode, config: string): boolean {
  const types = blocksOf(configBlocks(config), 'router isis').map((r) => r.block.lines.map((l) => /^is-type (\S+)/.exec(l)?.[1]).find((t) => t !== undefined) ?? 'level-1-2');
  return types.some((t) => t !== 'level-1');
}

interface IsisCircuit {
  adj?: string;
  interface?: string;
  level?: number;
  state?: string;
}

/** IS-IS adjacencies from `show isis neighbor json` (FRR 8.4: areas[].circuits[]); Up is up. Pure. */
export function parseIsisNeighbors(node: string, output: string): ObservedAdjacency[] {
  const data = parseJson(output) as { areas?: { area?: string; circuits?: IsisCircuit[] }[] } | undefined;
  return (Array.isArray(data?.areas) ? data.areas : []).flatMap((a) =>
    (Array.isArray(a.circuits) ? a.circuits : [])
      // FRR lists an empty circuit (no interface) for every area
      .filter((c) => c.interface !== undefined && c.state !== undefined)
      .map((c): ObservedAdjacency => {
        const peer = c.adj ?? '?';
        return { protocol: 'IS-IS', node, key: c.interface!, peer, label: `IS-IS adjacency ${node} ${c.interface} -> ${peer} (level ${c.level ?? '?'})`, state: c.state!, up: c.state === 'Up' };
      }),
  );
}

const spec: LinkStateSpec = { protocol: 'IS-IS', daemon: 'isisd', interfaces: isisInterfaces, receivesAll };

export const isis: RoutingProtocol = {
  name: 'IS-IS',
  daemon: 'isisd',
  waiting: 'IS-IS adjacencies',
  command: 'show isis neighbor json',
  hint: 'check both ends of each link: the same levels (and area for level 1), network type and MTU; FRR regenerates LSPs at most every lsp-gen-interval (30 s by default)',
  expect: (plan) => linkStateExpectations(plan, spec),
  parse: parseIsisNeighbors,
};
