import type { FrrDaemon } from '../services/frr/catalogue.js';
import { daemonsFromConfig } from '../services/frr/daemons.js';
import { familyOf, hostOf, parsePrefix } from '../util/ip.js';
import type { BgpNeighbor, LabNode } from '../topology/types.js';
import { bfdBlock, bfdNeighborLines } from '../services/frr/bfd.js';

/**
 * The lab profile: BGP timers short enough that a lab converges in seconds and a dead session is
 * noticed in ~3 s (FRR's defaults are 60/180 s and 1.1 s of update coalescing).
 */
export interface FrrProfile {
  keepaliveS: number;
  holdS: number;
  connectRetryS: number;
}

export const LAB_PROFILE: FrrProfile = { keepaliveS: 1, holdS: 3, connectRetryS: 1 };

/** Router id: the configured one, else the first IPv4 loopback, else the first IPv4 interface address (in lab-file order). */
export function routerIdOf(node: LabNode): string {
  if (node.bgp?.routerId) return node.bgp.routerId;
  const v4 = [...node.loopbacks, ...node.interfaces.flatMap((i) => i.addresses)].map(hostOf).filter((a) => familyOf(a) === 4);
  return v4[0] ?? '0.0.0.0';
}

/** A name FRR accepts for a neighbor's policy objects: 100.64.0.2 -> 100_64_0_2 */
function tag(nb: BgpNeighbor): string {
  return nb.address.replace(/[.:]/g, '_');
}

function prefixList(name: string, family: 4 | 6, prefixes: string[], le: boolean): string[] {
  const kw = family === 4 ? 'ip prefix-list' : 'ipv6 prefix-list';
  const max = family === 4 ? 32 : 128;
  const mine = prefixes.filter((p) => familyOf(p) === family);
  if (mine.length === 0) return [`${kw} ${name} seq 5 deny any`];
  return mine.map((p, i) => {
    const pp = parsePrefix(p);
    const tail = le && pp && pp.len < max ? ` le ${max}` : '';
    return `${kw} ${name} seq ${(i + 1) * 5} permit ${p}${tail}`;
  });
}

function neighborPolicy(node: LabNode, nb: BgpNeighbor): { lines: string[]; inMap?: string; outMap?: string } {
  const family = familyOf(nb.address);
  const match = family === 4 ? 'match ip address prefix-list' : 'match ipv6 address prefix-list';
  const lines: string[] = [];
  let inMap: string | undefined;
  let outMap: string | undefined;
  if (nb.accept !== undefined || nb.localPref !== undefined) {
    inMap = `NB-${tag(nb)}-IN`;
    if (nb.accept !== undefined) lines.push(...prefixList(inMap, family, nb.accept, true));
    lines.push(`route-map ${inMap} permit 10`);
    if (nb.accept !== undefined) lines.push(` ${match} ${inMap}`);
    if (nb.localPref !== undefined) lines.push(` set local-preference ${nb.localPref}`);
    lines.push('exit', '!');
  }
  if (nb.advertise !== undefined || nb.prepend || nb.med !== undefined) {
    outMap = `NB-${tag(nb)}-OUT`;
    if (nb.advertise !== undefined) lines.push(...prefixList(outMap, family, nb.advertise, false));
    lines.push(`route-map ${outMap} permit 10`);
    if (nb.advertise !== undefined) lines.push(` ${match} ${outMap}`);
    if (nb.prepend) lines.push(` set as-path prepend ${Array(nb.prepend).fill(node.bgp!.asn).join(' ')}`);
    if (nb.med !== undefined) lines.push(` set metric ${nb.med}`);
    lines.push('exit', '!');
  }
  return { lines, inMap, outMap };
}

/** The config of each daemon, in the order of the integrated file. Pure. */
function renderParts(node: LabNode, profile: FrrProfile): { staticd: string[]; bgpd: string[]; bfdd: string[] } {
  const staticd: string[] = [];
  for (const r of node.routes) {
    const kw = familyOf(r.to) === 4 ? 'ip route' : 'ipv6 route';
    staticd.push(`${kw} ${r.to}${r.via ? ` ${r.via}` : ''}${r.dev ? ` ${r.dev}` : ''}`);
  }
  if (node.routes.length) staticd.push('!');
  const out: string[] = [];
  const bgp = node.bgp;
  if (bgp) {
    const policies = bgp.neighbors.map((nb) => neighborPolicy(node, nb));
    for (const p of policies) out.push(...p.lines);
    out.push(
      `router bgp ${bgp.asn}`,
      ` bgp router-id ${routerIdOf(node)}`,
      // Each neighbor is activated in its own family only: by default FRR also activates IPv6
      // neighbors for IPv4 unicast, which would carry IPv4 routes past that neighbor's filters.
      ' no bgp default ipv4-unicast',
      // Labs advertise what they declare: no policy is needed for eBGP, and an originated
      // network need not be in the RIB (stub prefixes are often wider than the loopback).
      ' no bgp ebgp-requires-policy',
      ' no bgp network import-check',
      ' bgp bestpath as-path multipath-relax',
      ` timers bgp ${profile.keepaliveS} ${profile.holdS}`,
      ' coalesce-time 0',
    );
    for (const nb of bgp.neighbors) {
      out.push(` neighbor ${nb.address} remote-as ${nb.remoteAs}`, ` neighbor ${nb.address} timers connect ${profile.connectRetryS}`, ` neighbor ${nb.address} advertisement-interval 0`);
      if (nb.bfd) out.push(...bfdNeighborLines(nb.address));
    }
    for (const family of [4, 6] as const) {
      const nbs = bgp.neighbors.map((nb, i) => ({ nb, p: policies[i] })).filter(({ nb }) => familyOf(nb.address) === family);
      const nets = bgp.networks.filter((n) => familyOf(n) === family);
      if (nbs.length === 0 && nets.length === 0) continue;
      out.push(' !', ` address-family ${family === 4 ? 'ipv4' : 'ipv6'} unicast`);
      for (const n of nets) out.push(`  network ${n}`);
      for (const r of bgp.redistribute) out.push(`  redistribute ${r}`);
      for (const { nb, p } of nbs) {
        out.push(`  neighbor ${nb.address} activate`);
        if (p.inMap) out.push(`  neighbor ${nb.address} route-map ${p.inMap} in`);
        if (p.outMap) out.push(`  neighbor ${nb.address} route-map ${p.outMap} out`);
        if (nb.defaultOriginate) out.push(`  neighbor ${nb.address} default-originate`);
      }
      out.push(' exit-address-family');
    }
    out.push('exit', '!');
  }
  return { staticd, bgpd: out, bfdd: bfdBlock(node) };
}

/** The integrated frr.conf of a node: static routes (staticd) and BGP (bgpd). Pure. */
export function renderFrr(node: LabNode, profile: FrrProfile = LAB_PROFILE): string {
  // Forwarding is the kernel's, set by sysctls; FRR is not asked to change it.
  const { staticd, bgpd, bfdd } = renderParts(node, profile);
  return ['frr version 8.4', 'frr defaults traditional', `hostname ${node.name}`, 'service integrated-vtysh-config', '!', ...staticd, ...bfdd, ...bgpd, 'end', ''].join('\n');
}

/**
 * The same config split per daemon, for `-f` at start: each daemon reads its whole config before
 * it starts its peers, so no session starts half-configured (loaded line by line through vtysh, a
 * neighbor came up Idle with no address family and sessions took ~4 s instead of ~1 s), and no
 * vtysh process is needed per router.
 */
export function renderFrrDaemons(node: LabNode, profile: FrrProfile = LAB_PROFILE): Record<'zebra' | 'staticd' | 'bgpd' | 'bfdd', string> {
  const { staticd, bgpd, bfdd } = renderParts(node, profile);
  const file = (body: string[]) => ['frr version 8.4', `hostname ${node.name}`, '!', ...body, 'end', ''].join('\n');
  return { zebra: file([]), staticd: file(staticd), bgpd: file(bgpd), bfdd: file(bfdd) };
}

/**
 * The daemons a node that runs FRR (its kind decides: src/kinds/) starts, in start order: those its
 * config needs (zebra always), read from the raw config when it has one, from ours rendered
 * otherwise (staticd with static routes, bgpd with BGP). A raw config that cannot be read gets
 * zebra: starting it reads the file again and fails with the reason.
 */
export function frrDaemonsOf(node: LabNode, rawConfig?: string): FrrDaemon[] {
  if (node.frrConfig !== undefined) return rawConfig === undefined ? ['zebra'] : daemonsFromConfig(rawConfig);
  return daemonsFromConfig(renderFrr(node));
}
