import { NFLOG_GROUP, nflogPrefix } from './nflog-prefix.js';
import { filterPolicy, inFamily, type Family, type FilterChain, type PolicyMatch, type RenderContext } from './policy.js';
import type { Firewall, LabNode } from '../topology/types.js';

function matchText(m: PolicyMatch, family: Family): string {
  const parts: string[] = [];
  if (m.iif) parts.push(`-i ${m.iif}`);
  if (m.oif) parts.push(`-o ${m.oif}`);
  if (m.src) parts.push(`-s ${m.src}`);
  if (m.proto) parts.push(`-p ${m.proto === 'icmp' ? (family === 4 ? 'icmp' : 'ipv6-icmp') : m.proto}`);
  if (m.ipProto !== undefined) parts.push(`-p ${m.ipProto}`);
  if (m.dports?.length === 1) parts.push(`--dport ${m.dports[0]}`);
  else if (m.dports?.length) parts.push(`-m multiport --dports ${m.dports.join(',')}`);
  if (m.ct) parts.push(`-m conntrack --ctstate ${m.ct.join(',')}`);
  if (m.orig?.src) parts.push(`--ctorigsrc ${m.orig.src}`);
  if (m.orig?.dst) parts.push(`--ctorigdst ${m.orig.dst}`);
  if (m.orig?.dport !== undefined) parts.push(`--ctorigdstport ${m.orig.dport}`);
  if (m.comment) parts.push(`-m comment --comment "${m.comment}"`);
  return parts.map((p) => `${p} `).join('');
}

/** One chain's rules: a drop is two (NFLOG, then DROP); the prefix names the NFLOG rule's position. */
function chainLines(node: string, chain: FilterChain, family: Family): string[] {
  const lines: string[] = [];
  const add = (r: string) => lines.push(`-A ${chain.name} ${r}`);
  for (const rule of chain.rules) {
    // one rule per ICMPv6 type: iptables matches one type at a time
    const matches = rule.match.icmp6 ? rule.match.icmp6.map((t) => ({ text: matchText({ ...rule.match, icmp6: undefined }, family), type: t })) : [{ text: matchText(rule.match, family) }];
    for (const m of matches) {
      const match = 'type' in m && m.type ? `${m.text}--icmpv6-type ${m.type} ` : m.text;
      if (rule.verdict === 'accept') {
        add(`${match}-j ACCEPT`);
        continue;
      }
      // --nflog-threshold 1: the kernel otherwise batches records and flushes them once a second, so
      // a drop late in a run never reached the capture and batched records were cut by the snaplen.
      add(`${match}-j NFLOG --nflog-group ${NFLOG_GROUP} --nflog-prefix "${nflogPrefix(node, chain.name, lines.length + 1, rule.label ?? 'drop')}" --nflog-threshold 1`);
      add(`${match}-j DROP`);
    }
  }
  return lines;
}

function filterTable(node: LabNode, family: Family, ctx: RenderContext): string[] {
  const chains = filterPolicy(node, family, ctx);
  return ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ...chains.flatMap((c) => chainLines(node.name, c, family)), 'COMMIT'];
}

function natTable(fw: Firewall, family: Family): string[] {
  const rules: string[] = [];
  for (const d of fw.dnat) {
    if (!inFamily(family, d.dst)) continue;
    const parts = ['-A PREROUTING'];
    if (d.in) parts.push(`-i ${d.in}`);
    if (d.proto) parts.push(`-p ${d.proto}`);
    parts.push(`-d ${d.dst}`);
    if (d.dport !== undefined) parts.push(`--dport ${d.dport}`);
    parts.push(`-j DNAT --to-destination ${d.to}`);
    rules.push(parts.join(' '));
  }
  for (const s of fw.snat) {
    if (!inFamily(family, s.src, s.dst, s.to === 'masquerade' ? undefined : s.to)) continue;
    const parts = ['-A POSTROUTING'];
    if (s.out) parts.push(`-o ${s.out}`);
    if (s.src) parts.push(`-s ${s.src}`);
    if (s.dst) parts.push(`-d ${s.dst}`);
    parts.push(s.to === 'masquerade' ? '-j MASQUERADE' : `-j SNAT --to-source ${s.to}`);
    rules.push(parts.join(' '));
  }
  if (rules.length === 0) return [];
  return ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ...rules, 'COMMIT'];
}

/** `clamp-mss:` lowers the MSS a forwarded SYN offers, so neither end sends segments a smaller link ahead would refuse. */
function mangleTable(fw: Firewall): string[] {
  if (fw.clampMss === undefined) return [];
  return [
    '*mangle',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    `-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss ${fw.clampMss}`,
    'COMMIT',
  ];
}

/**
 * The iptables-restore input of a firewall, per family: the policy of policy.ts (stateful FORWARD
 * and INPUT, OUTPUT open), each drop rule logging to NFLOG first with a prefix naming the node,
 * chain and rule so the analysis can cite it; and the NAT and mangle tables.
 */
export function renderIptables(node: LabNode, ctx: RenderContext = {}): { v4: string; v6: string } {
  const fw = node.firewall!;
  const render = (family: Family) =>
    [`# asymlab: ${node.name} (${family === 4 ? 'iptables' : 'ip6tables'}-restore)`, ...mangleTable(fw), ...natTable(fw, family), ...filterTable(node, family, ctx), ''].join('\n');
  return { v4: render(4), v6: render(6) };
}

/** The firewall intent of a node that names no rules: every new connection to or through it dropped, its routing peers let in. */
export const LOCKED_DOWN: Firewall = { inside: [], allow: [], snat: [], dnat: [] };
