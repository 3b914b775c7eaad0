/**
 * Parsers for the counters and tables taken from each node before and after the flows:
 * `iptables-save -c` (rule packet counters), /proc/net/snmp, /proc/net/netstat and
 * /proc/net/snmp6 (kernel drop counters), `ip -j route` (the routing table) and
 * `sysctl net.ipv4.conf.*.rp_filter` (reverse-path filtering).
 */
import { LabError } from '../errors.js';
import { parseAddress } from '../util/ip.js';
import type { KernelCounters, NodeRoutes, RouteEntry, RuleCounter } from './types.js';

/** One rule (or chain policy, index 0) of an `iptables-save -c` dump: a RuleCounter at one moment. */
export type SavedRule = Omit<RuleCounter, 'node' | 'packetsBefore' | 'packetsAfter'> & { packets: number; bytes: number };

const COUNTER = /^\[(\d+):(\d+)\]\s*/;

/** `--nflog-prefix "a b"` or `--nflog-prefix word`; xtables quotes anything beyond [A-Za-z0-9_-]. */
export function nflogPrefixOf(rule: string): string | undefined {
  const m = /--nflog-prefix\s+(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+))/.exec(rule);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]);
}

/** Every rule and chain policy of an `iptables-save -c` (or ip6tables-save -c) dump, with counters. */
export function parseIptablesSave(text: string): SavedRule[] {
  const out: SavedRule[] = [];
  let table = '';
  const positions = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line === 'COMMIT') continue;
    if (line.startsWith('*')) {
      table = line.slice(1);
      positions.clear();
      continue;
    }
    if (line.startsWith(':')) {
      // :FORWARD DROP [12:720]; user chains show '-' as policy and carry no counter of their own.
      const m = /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?/.exec(line);
      if (m && m[2] !== '-') {
        out.push({ table, chain: m[1], index: 0, rule: `:${m[1]} ${m[2]}`, policy: m[2], packets: Number(m[3] ?? 0), bytes: Number(m[4] ?? 0) });
      }
      continue;
    }
    let rest = line;
    let packets = 0;
    let bytes = 0;
    const c = COUNTER.exec(rest);
    if (c) {
      packets = Number(c[1]);
      bytes = Number(c[2]);
      rest = rest.slice(c[0].length);
    }
    const a = /^-A\s+(\S+)/.exec(rest);
    if (!a) continue;
    // Legacy form: -A CHAIN ... -c <packets> <bytes>
    const legacy = /\s-c\s+(\d+)\s+(\d+)/.exec(rest);
    if (!c && legacy) {
      packets = Number(legacy[1]);
      bytes = Number(legacy[2]);
      rest = rest.replace(legacy[0], '');
    }
    const chain = a[1];
    const index = (positions.get(chain) ?? 0) + 1;
    positions.set(chain, index);
    const prefix = nflogPrefixOf(rest);
    out.push({ table, chain, index, rule: rest, ...(prefix !== undefined ? { nflogPrefix: prefix } : {}), packets, bytes });
  }
  return out;
}

/**
 * Pairs the before and after dumps of one node by table, chain and position. A rule only in
 * `after` counts from 0; one only in `before` is kept with its last count (the ruleset changed).
 */
export function ruleCounters(node: string, before: string, after: string): RuleCounter[] {
  const key = (r: SavedRule) => `${r.table}\0${r.chain}\0${r.index}`;
  const prior = new Map(parseIptablesSave(before).map((r) => [key(r), r]));
  const out: RuleCounter[] = [];
  const toCounter = (r: SavedRule, packetsBefore: number, packetsAfter: number): RuleCounter => ({
    node,
    table: r.table,
    chain: r.chain,
    index: r.index,
    rule: r.rule,
    ...(r.nflogPrefix !== undefined ? { nflogPrefix: r.nflogPrefix } : {}),
    ...(r.policy !== undefined ? { policy: r.policy } : {}),
    packetsBefore,
    packetsAfter,
  });
  for (const r of parseIptablesSave(after)) {
    const b = prior.get(key(r));
    prior.delete(key(r));
    out.push(toCounter(r, b?.packets ?? 0, r.packets));
  }
  for (const b of prior.values()) out.push(toCounter(b, b.packets, b.packets));
  return out;
}

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
  // The kernel keeps InNoRoutes under IpExt (netstat), not Ip (snmp); the analysis asks for Ip.InNoRoutes.
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
