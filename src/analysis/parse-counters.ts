/**
 * Parsers for the counters and tables taken from each node before and after the flows:
 * /proc/net/snmp, /proc/net/netstat and /proc/net/snmp6 (kernel drop counters), `ip -j route`
 * (the routing table) and `sysctl net.ipv4.conf.*.rp_filter` (reverse-path filtering). A firewall's
 * rule counters are its backend's (src/firewall/).
 */
import { LabError } from '../errors.js';
import { parseAddress } from '../util/ip.js';
import type { KernelCounters, NodeRoutes, RouteEntry } from './types.js';

/**
 * Kernel SNMP counters as `Section.Name` → value. Reads the paired header/value lines of
 * /proc/net/snmp and /proc/net/netstat (`Ip: Forwarding …` / `Ip: 1 …`) and the one-per-line
 * form of /proc/net/snmp6 (`Ip6InNoRoutes  3` → `Ip6.InNoRoutes`). Texts may be concatenated:
 * pass snmp and netstat together so IpExt.InNoRoutes is also reported as Ip.InNoRoutes.
 */
export function parseKernelCounters(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  let header: { section: string; names: string[] } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const pair = /^([A-Za-z][A-Za-z0-9]*):\s*(.*)$/.exec(line);
    if (pair) {
      const [, section, body] = pair;
      const fields = body.split(/\s+/).filter(Boolean);
      const numeric = fields.length > 0 && fields.every((f) => /^-?\d+$/.test(f));
      if (numeric && header?.section === section) {
        header.names.forEach((name, k) => {
          if (fields[k] !== undefined) out[`${section}.${name}`] = Number(fields[k]);
        });
        header = undefined;
      } else header = numeric ? undefined : { section, names: fields };
      continue;
    }
    const six = /^(Ip6|Icmp6|Udp6|UdpLite6)(\S+)\s+(-?\d+)$/.exec(line);
    if (six) out[`${six[1]}.${six[2]}`] = Number(six[3]);
  }
  // The kernel keeps InNoRoutes under IpExt (netstat), not Ip (snmp), and the analysis cites it so;
  // the alias Ip.InNoRoutes stays for readers that asked for it before.
  if (out['IpExt.InNoRoutes'] !== undefined && out['Ip.InNoRoutes'] === undefined) out['Ip.InNoRoutes'] = out['IpExt.InNoRoutes'];
  return out;
}

export function kernelCounters(node: string, before: string, after: string): KernelCounters {
  return { node, before: parseKernelCounters(before), after: parseKernelCounters(after) };
}

interface IpRouteJson {
  type?: string;
  dst?: string;
  gateway?: string;
  via?: { family?: string; host?: string };
  dev?: string;
  protocol?: string;
  metric?: number;
  prefsrc?: string;
  table?: string;
  nexthops?: { gateway?: string; via?: { host?: string }; dev?: string; weight?: number }[];
}

function normaliseDst(dst: string | undefined): string {
  if (!dst || dst === 'default') return 'default';
  if (dst.includes('/')) return dst;
  const a = parseAddress(dst);
  return a ? `${dst}/${a.version === 4 ? 32 : 128}` : dst;
}

/** `ip -j route` (or `ip -j -6 route`, `… show table all`) → RouteEntry[]; host routes get /32 or /128. */
export function parseIpRouteJson(node: string, text: string): RouteEntry[] {
  if (text.trim() === '') return [];
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (cause) {
    throw new LabError('runtime', `ip -j route on ${node} printed something that is not JSON`, { cause, hint: 'check the iproute2 version (JSON output needs 4.13 or later)' });
  }
  if (!Array.isArray(rows)) throw new LabError('runtime', `ip -j route on ${node} printed JSON that is not a list of routes`);
  return (rows as IpRouteJson[]).map((r) => {
    const e: RouteEntry = { dst: normaliseDst(r.dst) };
    const gw = r.gateway ?? r.via?.host;
    if (gw) e.gateway = gw;
    if (r.dev) e.dev = r.dev;
    if (r.protocol) e.protocol = r.protocol;
    if (r.type && r.type !== 'unicast') e.type = r.type;
    if (r.metric !== undefined) e.metric = r.metric;
    if (r.prefsrc) e.prefsrc = r.prefsrc;
    if (r.table) e.table = r.table;
    if (r.nexthops?.length) {
      e.nexthops = r.nexthops.map((h) => ({
        ...((h.gateway ?? h.via?.host) ? { gateway: h.gateway ?? h.via?.host } : {}),
        ...(h.dev ? { dev: h.dev } : {}),
        ...(h.weight !== undefined ? { weight: h.weight } : {}),
      }));
    }
    return e;
  });
}

/** `sysctl net.ipv4.conf.all.rp_filter …` lines (`net.ipv4.conf.eth0.rp_filter = 1`) → { eth0: 1, all: … }. */
export function parseRpFilter(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/net[./]ipv4[./]conf[./](\S+?)[./]rp_filter\s*=\s*(\d+)/g)) out[m[1]] = Number(m[2]);
  return out;
}

export function nodeRoutes(node: string, ipRouteJson: string[], rpFilterText = ''): NodeRoutes {
  return { node, routes: ipRouteJson.flatMap((t) => parseIpRouteJson(node, t)), rpFilter: parseRpFilter(rpFilterText) };
}
