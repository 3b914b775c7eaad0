/**
 * The iptables backend: rulesets rendered per family (iptables-render.ts), loaded with the host's
 * iptables-restore and ip6tables-restore inside the node's network namespace (rules live in the
 * namespace, so a docker node's image needs no iptables of its own, and loading and reading
 * counters use one iptables), counters read with iptables-save -c and ip6tables-save -c.
 */
import type { RuleCounter } from '../analysis/types.js';
import { LabError } from '../errors.js';
import { readConfigFile } from '../topology/file-ref.js';
import type { FirewallBackend } from './backend.js';
import { renderIptables } from './iptables-render.js';
import { ruleCounters } from './iptables-save.js';

/** Dump names and their families: the rendered files, the restore and save tools. */
const FAMILIES = [
  { name: 'v4', family: 4, restore: 'iptables-restore', save: 'iptables-save' },
  { name: 'v6', family: 6, restore: 'ip6tables-restore', save: 'ip6tables-save' },
] as const;

export const iptables: FirewallBackend = {
  name: 'iptables',
  tools: FAMILIES.flatMap((f) => [f.restore, f.save]),
  // conntrack decides what passes; every drop rule logs to NFLOG first
  capabilities: { keepsState: true, logsDrops: true },
  raw: { key: 'iptables', fileOf: (node) => node.iptables },

  render: (node) => renderIptables(node),

  checkArgv: (name) => [FAMILIES.find((f) => f.name === name)?.restore ?? 'iptables-restore', '--test'],

  // a raw file is an iptables-save of IPv4, as load() takes it
  standalone: { rawName: 'v4', loadArgv: (name) => [FAMILIES.find((f) => f.name === name)?.restore ?? 'iptables-restore'] },

  async load(runtime, n) {
    const sets: { tool: string; text: string; source: string }[] = [];
    if (n.node.iptables) {
      // a raw file is an iptables-save of IPv4: the IPv6 tables stay open
      sets.push({ tool: 'iptables-restore', text: await readConfigFile(n.node.iptables, `topology.nodes.${n.node.name}.iptables`), source: n.node.iptables });
    } else if (n.node.firewall) {
      const r = renderIptables(n.node);
      sets.push({ tool: 'iptables-restore', text: r.v4, source: `the ruleset rendered for ${n.node.name}` });
      sets.push({ tool: 'ip6tables-restore', text: r.v6, source: `the IPv6 ruleset rendered for ${n.node.name}` });
    }
    for (const s of sets) {
      const r = await runtime.exec(n, [s.tool], { context: 'net', input: s.text, reject: false, timeoutMs: 20_000 });
      if (r.failed) {
        throw new LabError('runtime', `${s.tool} on ${n.node.name} rejected ${s.source}:\n    ${r.stderr.trim().split('\n').slice(-4).join('\n    ')}`, {
          hint: n.node.iptables ? `fix ${n.node.iptables} (it must be iptables-save output)` : 'this is a bug in asymlab: please report it with the lab file',
        });
      }
    }
  },

  async snapshot(runtime, n) {
    const dumps: Record<string, string> = {};
    for (const f of FAMILIES) dumps[f.name] = (await runtime.exec(n, [f.save, '-c'], { context: 'net', reject: false })).stdout;
    return dumps;
  },

  counters(node, before, after) {
    const out: RuleCounter[] = [];
    for (const f of FAMILIES) {
      if (after[f.name] === undefined) continue;
      for (const c of ruleCounters(node, before[f.name] ?? '', after[f.name])) out.push({ ...c, family: f.family });
    }
    return out;
  },
};
