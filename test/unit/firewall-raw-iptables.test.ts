/**
 * Raw iptables rulesets per family: `iptables:` and `ip6tables:` load as is; a family without its
 * file is locked down (the policy of an empty firewall section), and the backend says so in a
 * warning. The files are read from disk; the runtime is a recorder of what would be loaded.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { backendWarnings } from '../../src/firewall/registry.js';
import { planLab } from '../../src/plan/plan.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { loadLab } from '../../src/topology/load.js';

const dir = mkdtempSync(join(tmpdir(), 'asymlab-raw-ipt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const V4 = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';
const V6 = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';
writeFileSync(join(dir, 'v4.rules'), V4);
writeFileSync(join(dir, 'v6.rules'), V6);

async function lab(keys: string, extra = '') {
  const file = join(dir, `lab-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `name: raw\ntopology:\n  nodes:\n    a: {kind: host, interfaces: {eth1: 10.0.0.2/24}}\n    fw:\n      kind: router\n      interfaces: {eth1: 10.0.0.1/24}\n${keys}${extra}\n  links:\n    - endpoints: ["a:eth1", "fw:eth1"]\n`,
  );
  return loadLab(file);
}

/** What load() hands each restore tool. */
async function loaded(keys: string): Promise<{ tool: string; input: string }[]> {
  const calls: { tool: string; input: string }[] = [];
  const runtime = { exec: async (_n: unknown, argv: string[], opts?: { input?: string }) => (calls.push({ tool: argv[0], input: opts?.input ?? '' }), { failed: false, stdout: '', stderr: '' }) } as unknown as Runtime;
  const n = planLab(await lab(keys)).nodes.find((x) => x.node.name === 'fw')!;
  await n.firewall!.backend.load(runtime, n);
  return calls;
}

describe('raw iptables rulesets per family', () => {
  it('load both files as is, and warn of nothing', async () => {
    const l = await lab('      iptables: v4.rules\n      ip6tables: v6.rules\n');
    expect(backendWarnings(l.nodes[1], 'topology.nodes.fw')).toEqual([]);
    expect(await loaded('      iptables: v4.rules\n      ip6tables: v6.rules\n')).toEqual([
      { tool: 'iptables-restore', input: V4 },
      { tool: 'ip6tables-restore', input: V6 },
    ]);
  });

  it('lock the family without a file down, and say so in a warning', async () => {
    const l = await lab('      iptables: v4.rules\n');
    expect(backendWarnings(l.nodes[1], 'topology.nodes.fw')).toEqual([
      {
        path: 'topology.nodes.fw.iptables',
        message: 'fw has iptables: but no ip6tables:, so its IPv6 tables are locked down: every new IPv6 connection to or through fw is dropped (logged as default-drop), its routing peers aside',
        hint: 'add ip6tables: FILE (ip6tables-save output) to give fw IPv6 rules',
      },
    ]);
    const [v4, v6] = await loaded('      iptables: v4.rules\n');
    expect(v4).toEqual({ tool: 'iptables-restore', input: V4 });
    expect(v6.tool).toBe('ip6tables-restore');
    expect(v6.input).toContain(':FORWARD DROP [0:0]');
    expect(v6.input).toContain('--nflog-prefix "asymlab:fw:FORWARD:4:default-drop"');
    expect(v6.input).toContain('--nflog-prefix "asymlab:fw:INPUT:9:default-drop"');
    // an ip6tables: file alone locks IPv4 down instead
    const [lockedV4, rawV6] = await loaded('      ip6tables: v6.rules\n');
    expect(lockedV4.input).toContain('--nflog-prefix "asymlab:fw:INPUT:5:default-drop"');
    expect(rawV6).toEqual({ tool: 'ip6tables-restore', input: V6 });
  });

  it('belong to the iptables backend: ip6tables: with backend nftables is one clear error', async () => {
    const err = await lab('      ip6tables: v6.rules\n', '      firewall: {backend: nftables}\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).problems.map((p) => [p.path, p.message, p.hint])).toEqual([
      ['topology.nodes.fw.ip6tables', 'ip6tables: is a ruleset for the iptables backend, but the node\'s firewall backend is nftables', 'remove ip6tables:, or set firewall: {backend: iptables}'],
    ]);
  });
});
