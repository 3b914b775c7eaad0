import { bgpPeers, type BgpPeerStatus } from '../nodes/frr.js';
import { planLab } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Lab } from '../topology/types.js';
import { mapLimit } from './events.js';
import { ROUTING_PROTOCOLS } from '../services/frr/protocols/register.js';
import { vtyshRun } from '../services/frr/vtysh.js';
import type { NodePlan } from '../plan/plan.js';

export interface NodeInspection {
  name: string;
  kind: string;
  ns: string;
  up: boolean;
  interfaces: { name: string; state: string; mac: string; addresses: string[] }[];
  routes: { dst: string; via?: string; dev?: string; protocol?: string }[];
  bgp: BgpPeerStatus[];
  /** A router run from a raw config (containerlab's frr.conf, frr-config:): the protocols it runs and their adjacencies as FRR lists them. */
  protocols?: { name: string; adjacencies: { iface: string; peer: string; state: string; up: boolean }[] }[];
}

/** The link-state protocols of a raw config (OSPF, OSPFv3, IS-IS), each with its adjacencies; BGP has its own list. */
async function protocolsOf(runtime: Runtime, n: NodePlan): Promise<NodeInspection['protocols']> {
  const out: NonNullable<NodeInspection['protocols']> = [];
  for (const p of ROUTING_PROTOCOLS.filter((x) => x.daemon !== 'bgpd' && n.daemons.includes(x.daemon))) {
    const r = await vtyshRun(runtime, n, [p.command], { reject: false });
    out.push({ name: p.name, adjacencies: p.parse(n.node.name, r.stdout).map((a) => ({ iface: a.key, peer: a.peer, state: a.state, up: a.up })) });
  }
  return out;
}

interface IpAddr {
  ifname: string;
  operstate: string;
  address?: string;
  addr_info?: { local: string; prefixlen: number; scope?: string }[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
}

/** What a running lab looks like now: per node its interfaces, addresses, routes and BGP sessions. */
export async function inspectLab(lab: Lab, runtime: Runtime): Promise<NodeInspection[]> {
  const plan = planLab(lab);
  return mapLimit(plan.nodes, 8, async (n) => {
    const addr = await runtime.exec(n, ['ip', '-j', 'addr', 'show'], { context: 'net', reject: false });
    if (addr.failed) return { name: n.node.name, kind: n.node.kind, ns: n.ns, up: false, interfaces: [], routes: [], bgp: [] };
    const links = JSON.parse(addr.stdout || '[]') as IpAddr[];
    const routes: NodeInspection['routes'] = [];
    for (const fam of ['-4', '-6']) {
      const r = await runtime.exec(n, ['ip', fam, '-j', 'route', 'show'], { context: 'net', reject: false });
      for (const x of JSON.parse(r.stdout || '[]') as IpRoute[]) {
        if (fam === '-6' && x.dst.startsWith('fe80')) continue;
        routes.push({ dst: x.dst, via: x.gateway, dev: x.dev, protocol: x.protocol });
      }
    }
    return {
      name: n.node.name,
      kind: n.node.kind,
      ns: n.ns,
      up: true,
      interfaces: links.map((l) => ({
        name: l.ifname,
        state: l.operstate,
        mac: l.address ?? '',
        addresses: (l.addr_info ?? []).filter((a) => a.scope !== 'link' && !(l.ifname === 'lo' && a.scope === 'host')).map((a) => `${a.local}/${a.prefixlen}`),
      })),
      routes,
      bgp: n.frr ? await bgpPeers(runtime, n) : [],
      ...(n.frr && n.frrConfigText !== undefined ? { protocols: await protocolsOf(runtime, n) } : {}),
    };
  });
}
