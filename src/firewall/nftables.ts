/**
 * The nftables backend: the intent rendered as one `inet` table (nftables-render.ts), or a raw
 * `nftables:` file (an `nft list ruleset` dump) loaded as is, both with the host's nft inside the
 * node's network namespace. A raw file is checked with `nft -c` before the lab is built
 * (nft-check.ts), so a bad one leaves nothing behind. Counters and handles are read with
 * `nft -j list ruleset`, the rules' text with `nft -a list ruleset` (nft-ruleset.ts).
 */
import { LabError } from '../errors.js';
import { readConfigFile } from '../topology/file-ref.js';
import type { FirewallBackend } from './backend.js';
import { nftCheck } from './nft-check.js';
import { nftRuleCounters } from './nft-ruleset.js';
import { renderNftables } from './nftables-render.js';

export const nftables: FirewallBackend = {
  name: 'nftables',
  tools: ['nft', 'unshare'],
  // conntrack decides what passes; every drop rule it renders logs to NFLOG (log group) first
  capabilities: { keepsState: true, logsDrops: true },
  raw: [{ key: 'nftables', fileOf: (node) => node.nftables }],

  render: (node, ctx) => ({ nft: renderNftables(node, ctx) }),

  checkArgv: () => ['nft', '-c', '-f', '/dev/stdin'],

  // exported labs load the one ruleset (rendered, or the raw dump) with the image's nft
  standalone: { rawName: 'nft', loadArgv: () => ['nft', '-f', '/dev/stdin'] },

  async check(run, n) {
    const file = n.node.nftables;
    if (file === undefined) return undefined;
    const text = await readConfigFile(file, `topology.nodes.${n.node.name}.nftables`);
    const problem = await nftCheck(run, text, file, n.node.interfaces.map((i) => i.name));
    return problem === undefined ? undefined : { key: 'nftables', message: `nft -c rejects ${file}:\n    ${problem}`, hint: 'fix the ruleset (it must be `nft list ruleset` output); `nft -c -f FILE` checks it' };
  },

  async load(runtime, n) {
    const file = n.node.nftables;
    const text = file !== undefined ? await readConfigFile(file, `topology.nodes.${n.node.name}.nftables`) : renderNftables(n.node, n.frrConfigText !== undefined ? { frrConfigText: n.frrConfigText } : {});
    const r = await runtime.exec(n, ['nft', '-f', '/dev/stdin'], { context: 'net', input: text, reject: false, timeoutMs: 20_000 });
    if (r.failed) {
      const said = r.stderr.trim().replaceAll('/dev/stdin', file ?? 'rendered').split('\n').slice(0, 6).join('\n    ');
      throw new LabError('runtime', `nft on ${n.node.name} rejected ${file ?? `the ruleset rendered for ${n.node.name}`}:\n    ${said}`, {
        hint: file ? `fix ${file} (it must be \`nft list ruleset\` output)` : 'this is a bug in asymlab: please report it with the lab file',
      });
    }
  },

  async snapshot(runtime, n) {
    const nft = (argv: string[]) => runtime.exec(n, ['nft', ...argv], { context: 'net', reject: false }).then((r) => r.stdout);
    return { json: await nft(['-j', 'list', 'ruleset']), text: await nft(['-a', 'list', 'ruleset']) };
  },

  counters: (node, before, after) => nftRuleCounters(node, before, after),
};
