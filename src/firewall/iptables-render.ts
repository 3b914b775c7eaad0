import { NFLOG_GROUP, nflogPrefix } from './nflog-prefix.js';
import { familyOf } from '../util/ip.js';
import type { Firewall, FirewallAllow, LabNode } from '../topology/types.js';

function fam(v: string | undefined): 4 | 6 | undefined {
  return v === undefined ? undefined : familyOf(v);
}

/** Whether a rule with these addresses belongs in this family's ruleset. */
function inFamily(family: 4 | 6, ...addrs: (string | undefined)[]): boolean {
  return addrs.every((a) => fam(a) === undefined || fam(a) === family);
}

function allowMatch(a: FirewallAllow): string {
  const parts: string[] = [];
  if (a.in) parts.push(`-i ${a.in}`);
  if (a.out) parts.push(`-o ${a.out}`);
  if (a.proto) parts.push(`-p ${a.proto}`);
  // Match the connection's original addresses: after DNAT the packet's own destination is the
  // inside address, but the user wrote the address the client connected to.
  parts.push('-m conntrack --ctstate NEW');
  if (a.src) parts.push(`--ctorigsrc ${a.src}`);
  if (a.dst) parts.push(`--ctorigdst ${a.dst}`);
  if (a.dport !== undefined) parts.push(`--ctorigdstport ${a.dport}`);
  return parts.join(' ');
}

function filterTable(node: string, fw: Firewall, family: 4 | 6): string[] {
  const rules: string[] = [];
  const add = (r: string) => rules.push(`-A FORWARD ${r}`);
  const drop = (match: string, label: string) => {
    // --nflog-threshold 1: the kernel otherwise batches records and flushes them once a second, so
    // a drop late in a run never reached the capture and batched records were cut by the snaplen.
    add(`${match}-j NFLOG --nflog-group ${NFLOG_GROUP} --nflog-prefix "${nflogPrefix(node, 'FORWARD', rules.length + 1, label)}" --nflog-threshold 1`);
    add(`${match}-j DROP`);
  };
  // Before the stateful rules, so ICMP errors related to a connection die too: the PMTUD black hole.
  if (fw.dropIcmp) drop(`-p ${family === 4 ? 'icmp' : 'ipv6-icmp'} `, 'drop-icmp');
  add('-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  drop('-m conntrack --ctstate INVALID ', 'invalid');
  for (const i of fw.inside) add(`-i ${i} -m conntrack --ctstate NEW -j ACCEPT`);
  fw.allow.forEach((a, k) => {
    if (inFamily(family, a.src, a.dst) && !(a.proto === 'icmp' && family === 6)) add(`${allowMatch(a)} -m comment --comment "allow[${k}]" -j ACCEPT`);
  });
  drop('', 'default-drop');
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ...rules,
    'COMMIT',
  ];
}

function natTable(fw: Firewall, family: 4 | 6): string[] {
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
 * The iptables-restore input of a firewall, per family. The policy is stateful: established and
 * related traffic passes, new connections pass only from `inside` interfaces or an `allow` rule,
 * and everything else is dropped, each drop rule logging to NFLOG first with a prefix naming the
 * node and rule so the analysis can cite it. INPUT and OUTPUT stay open: the policy is about what
 * the firewall forwards.
 */
export function renderIptables(node: LabNode): { v4: string; v6: string } {
  const fw = node.firewall!;
  const render = (family: 4 | 6) =>
    [`# asymlab: ${node.name} (${family === 4 ? 'iptables' : 'ip6tables'}-restore)`, ...mangleTable(fw), ...natTable(fw, family), ...filterTable(node.name, fw, family), ''].join('\n');
  return { v4: render(4), v6: render(6) };
}
