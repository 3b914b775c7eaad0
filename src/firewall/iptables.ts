/**
 * The iptables backend: rulesets rendered per family (iptables-render.ts), loaded with the host's
 * iptables-restore and ip6tables-restore inside the node's network namespace (rules live in the
 * namespace, so a docker node's image needs no iptables of its own, and loading and reading
 * counters use one iptables), counters read with iptables-save -c and ip6tables-save -c. Raw files
 * (`iptables:`, `ip6tables:`) are loaded as is; a family without one is locked down, said in a
 * warning when the lab loads.
 */
import type { RuleCounter } from '../analysis/types.js';
import { LabError } from '../errors.js';
import { readConfigFile } from '../topology/file-ref.js';
import type { LabNode } from '../topology/types.js';
import type { FirewallBackend } from './backend.js';
import { LOCKED_DOWN, renderIptables } from './iptables-render.js';
import { ruleCounters } from './iptables-save.js';

/** Dump names and their families: the rendered files, the raw-file keys, the restore and save tools. */
const FAMILIES = [
  { name: 'v4', family: 4, key: 'iptables', restore: 'iptables-restore', save: 'iptables-save' },
  { name: 'v6', family: 6, key: 'ip6tables', restore: 'ip6tables-restore', save: 'ip6tables-save' },
] as const;

const rawFile = (node: LabNode, key: 'iptables' | 'ip6tables') => (key === 'iptables' ? node.iptables : node.ip6tables);

/** The family a node's raw files leave out, when they leave one out: it is locked down. */
function lockedFamily(node: LabNode): (typeof FAMILIES)[number] | undefined {
  const given = FAMILIES.filter((f) => rawFile(node, f.key) !== undefined);
  return given.length === 1 ? FAMILIES.find((f) => f !== given[0]) : undefined;
}

export const iptables: FirewallBackend = {
  name: 'iptables',
  tools: FAMILIES.flatMap((f) => [f.restore, f.save]),
  // conntrack decides what passes; every drop rule logs to NFLOG first
  capabilities: { keepsState: true, logsDrops: true },
  raw: FAMILIES.map((f) => ({ key: f.key, fileOf: (node: LabNode) => rawFile(node, f.key) })),

  render: (node, ctx) => renderIptables(node, ctx),

  checkArgv: (name) => [FAMILIES.find((f) => f.name === name)?.restore ?? 'iptables-restore', '--test'],

  // a raw file is an iptables-save of IPv4, as load() takes it
  standalone: { rawName: 'v4', loadArgv: (name) => [FAMILIES.find((f) => f.name === name)?.restore ?? 'iptables-restore'] },
  warnings(node, path) {
    const locked = lockedFamily(node);
    if (!locked) return [];
    const given = FAMILIES.find((f) => f !== locked)!;
    return [
      {
        path: `${path}.${given.key}`,
        message: `${node.name} has ${given.key}: but no ${locked.key}:, so its IPv${locked.family} tables are locked down: every new IPv${locked.family} connection to or through ${node.name} is dropped (logged as default-drop), its routing peers aside`,
        hint: `add ${locked.key}: FILE (${locked.save} output) to give ${node.name} IPv${locked.family} rules`,
      },
    ];
  },

  async load(runtime, n) {
    const ctx = n.frrConfigText !== undefined ? { frrConfigText: n.frrConfigText } : {};
    const raw = FAMILIES.some((f) => rawFile(n.node, f.key) !== undefined);
    const rendered = renderIptables(raw ? { ...n.node, firewall: LOCKED_DOWN } : n.node, ctx);
    const sets: { tool: string; text: string; source: string; file?: string }[] = [];
    for (const f of FAMILIES) {
      const file = rawFile(n.node, f.key);
      if (file !== undefined) sets.push({ tool: f.restore, text: await readConfigFile(file, `topology.nodes.${n.node.name}.${f.key}`), source: file, file });
      else if (raw) sets.push({ tool: f.restore, text: rendered[f.name], source: `the IPv${f.family} lock-down ruleset of ${n.node.name}` });
      else sets.push({ tool: f.restore, text: rendered[f.name], source: `the ${f.family === 4 ? '' : 'IPv6 '}ruleset rendered for ${n.node.name}` });
    }
    for (const s of sets) {
      const r = await runtime.exec(n, [s.tool], { context: 'net', input: s.text, reject: false, timeoutMs: 20_000 });
      if (r.failed) {
        throw new LabError('runtime', `${s.tool} on ${n.node.name} rejected ${s.source}:\n    ${r.stderr.trim().split('\n').slice(-4).join('\n    ')}`, {
          hint: s.file ? `fix ${s.file} (it must be ${s.tool.replace('-restore', '-save')} output)` : 'this is a bug in asymlab: please report it with the lab file',
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
