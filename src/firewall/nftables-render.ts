/**
 * A firewall's intent as nftables: one `inet` table, `asymlab`, for both families. Its filter
 * chains are those of policy.ts, rule for rule, named as iptables names them (INPUT, FORWARD) so
 * the NFLOG prefix keeps one contract: `asymlab:<node>:<chain>:<rule>:<why>`, the rule being its
 * position in the chain as `nft -j list ruleset` lists it. Every rule counts; every drop logs to
 * NFLOG group NFLOG_GROUP and drops in the same rule. NAT and MSS clamping get chains of their
 * own in the same table. Pure.
 */
import type { Firewall, LabNode } from '../topology/types.js';
import { NFLOG_GROUP, nflogPrefix } from './nflog-prefix.js';
import { filterChains, inFamily, type Family, type FilterChain, type PolicyRule, type RenderContext } from './policy.js';

/** The table asymlab renders; a raw `nftables:` file may hold any others. */
export const NFT_TABLE = 'asymlab';

const ND_NAMES: Record<string, string> = {
  'router-solicitation': 'nd-router-solicit',
  'router-advertisement': 'nd-router-advert',
  'neighbour-solicitation': 'nd-neighbor-solicit',
  'neighbour-advertisement': 'nd-neighbor-advert',
};

const ip = (family: Family) => (family === 4 ? 'ip' : 'ip6');
const set = (items: (string | number)[]) => (items.length === 1 ? String(items[0]) : `{ ${items.join(', ')} }`);
const ct = (states: string[]) => states.map((s) => s.toLowerCase()).join(',');

function matchText(rule: PolicyRule): string {
  const m = rule.match;
  const one = rule.families.length === 1 ? rule.families[0] : undefined;
  const parts: string[] = [];
  // A rule of one family whose addresses do not say so itself (nft infers it from `ip saddr`).
  if (one && !m.src && !m.orig?.src && !m.orig?.dst && !m.icmp6) parts.push(`meta nfproto ${one === 4 ? 'ipv4' : 'ipv6'}`);
  if (m.iif) parts.push(`iifname "${m.iif}"`);
  if (m.oif) parts.push(`oifname "${m.oif}"`);
  if (m.src) parts.push(`${ip(one ?? 4)} saddr ${m.src}`);
  if (m.icmp6) parts.push(`icmpv6 type ${set(m.icmp6.map((t) => ND_NAMES[t] ?? t))}`);
  else if (m.proto === 'icmp') parts.push(`meta l4proto ${one === 4 ? 'icmp' : one === 6 ? 'ipv6-icmp' : '{ icmp, ipv6-icmp }'}`);
  else if (m.proto && m.dports?.length) parts.push(`${m.proto} dport ${set(m.dports)}`);
  else if (m.proto) parts.push(`meta l4proto ${m.proto}`);
  if (m.ipProto !== undefined) parts.push(`meta l4proto ${m.ipProto}`);
  if (m.ct) parts.push(`ct state ${ct(m.ct)}`);
  const origFamily = one ?? 4;
  if (m.orig?.src) parts.push(`ct original ${ip(origFamily)} saddr ${m.orig.src}`);
  if (m.orig?.dst) parts.push(`ct original ${ip(origFamily)} daddr ${m.orig.dst}`);
  if (m.orig?.dport !== undefined) parts.push(`ct original proto-dst ${m.orig.dport}`);
  return parts.join(' ');
}

function chainText(node: string, chain: FilterChain, hook: string): string[] {
  const lines = [`\tchain ${chain.name} {`, `\t\ttype filter hook ${hook} priority filter; policy drop;`];
  chain.rules.forEach((rule, i) => {
    const match = matchText(rule);
    const comment = rule.match.comment ? ` comment "${rule.match.comment}"` : '';
    // queue-threshold 1: the kernel otherwise batches NFLOG records (see iptables-render.ts).
    const verdict =
      rule.verdict === 'accept' ? 'accept' : `log prefix "${nflogPrefix(node, chain.name, i + 1, rule.label ?? 'drop')}" group ${NFLOG_GROUP} queue-threshold 1 drop`;
    lines.push(`\t\t${match ? `${match} ` : ''}counter ${verdict}${comment}`);
  });
  lines.push('\t}');
  return lines;
}

/** The address family of a NAT rule: that of its addresses, else both (masquerade). */
function natFamily(...addrs: (string | undefined)[]): Family | undefined {
  return ([4, 6] as const).find((f) => addrs.some((a) => a !== undefined) && inFamily(f, ...addrs));
}

function natChains(fw: Firewall): string[] {
  const pre = fw.dnat.map((d) => {
    const parts = [d.in && `iifname "${d.in}"`, `ip daddr ${d.dst}`, d.proto && (d.dport !== undefined ? `${d.proto} dport ${d.dport}` : `meta l4proto ${d.proto}`)];
    return `${parts.filter(Boolean).join(' ')} counter dnat ip to ${d.to}`;
  });
  const post = fw.snat.map((s) => {
    const to = s.to === 'masquerade' ? undefined : s.to;
    const f = natFamily(s.src, s.dst, to);
    const parts = [s.out && `oifname "${s.out}"`, s.src && `${ip(f ?? 4)} saddr ${s.src}`, s.dst && `${ip(f ?? 4)} daddr ${s.dst}`];
    const action = to === undefined ? 'masquerade' : `snat ${ip(f ?? 4)} to ${to}`;
    return `${parts.filter(Boolean).join(' ')}${parts.some(Boolean) ? ' ' : ''}counter ${action}`;
  });
  const chain = (name: string, hook: string, priority: string, rules: string[]) =>
    rules.length ? [`\tchain ${name} {`, `\t\ttype nat hook ${hook} priority ${priority}; policy accept;`, ...rules.map((r) => `\t\t${r}`), '\t}'] : [];
  return [...chain('PREROUTING', 'prerouting', 'dstnat', pre), ...chain('POSTROUTING', 'postrouting', 'srcnat', post)];
}

/** `clamp-mss:`: the MSS of forwarded SYNs lowered (never raised, as TCPMSS does), before the filter chain sees them (iptables' mangle table). */
function mangleChain(fw: Firewall): string[] {
  if (fw.clampMss === undefined) return [];
  return ['\tchain MANGLE-FORWARD {', '\t\ttype filter hook forward priority mangle; policy accept;', `\t\ttcp flags & (syn | rst) == syn tcp option maxseg size > ${fw.clampMss} counter tcp option maxseg size set ${fw.clampMss}`, '\t}'];
}

/** The `nft -f` input of a firewall: one inet table holding its whole policy. */
export function renderNftables(node: LabNode, ctx: RenderContext = {}): string {
  const fw = node.firewall!;
  const [input, forward] = filterChains(node, ctx);
  return [
    `# asymlab: ${node.name} (nft -f)`,
    `table inet ${NFT_TABLE} {`,
    ...mangleChain(fw),
    ...natChains(fw),
    ...chainText(node.name, input, 'input'),
    ...chainText(node.name, forward, 'forward'),
    '\tchain OUTPUT {',
    '\t\ttype filter hook output priority filter; policy accept;',
    '\t}',
    '}',
    '',
  ].join('\n');
}
