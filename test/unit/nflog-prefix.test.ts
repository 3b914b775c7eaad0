/** The NFLOG prefix contract: what firewall/iptables-render.ts writes is what the analysis reads back. */
import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '../../src/firewall/iptables-save.js';
import { NFLOG_PREFIX_MAX, nflogPrefix, parseNflogPrefix } from '../../src/firewall/nflog-prefix.js';
import { renderIptables } from '../../src/firewall/iptables-render.js';
import type { LabNode } from '../../src/topology/types.js';

const fw: LabNode = {
  name: 'fw-inet',
  kind: 'router', // a router with a firewall section renders the same rules
  interfaces: [{ name: 'eth1', addresses: ['10.1.0.1/24'] }, { name: 'eth2', addresses: ['192.0.2.1/30'] }],
  loopbacks: [],
  routes: [],
  sysctls: {},
  exec: [],
  binds: [],
  firewall: { inside: ['eth1'], allow: [{ proto: 'tcp', dport: 443 }], snat: [], dnat: [] },
};

describe('NFLOG prefix', () => {
  it('round-trips node, chain, rule and why', () => {
    expect(nflogPrefix('fw-inet', 'FORWARD', 2, 'invalid')).toBe('asymlab:fw-inet:FORWARD:2:invalid');
    expect(parseNflogPrefix('asymlab:fw-inet:FORWARD:2:invalid')).toEqual({ node: 'fw-inet', chain: 'FORWARD', index: 2, label: 'invalid' });
    expect(parseNflogPrefix('asymlab:fw:FORWARD:7:why:with:colons')).toMatchObject({ index: 7, label: 'why:with:colons' });
  });

  it("is cut to what xtables keeps, and a foreign prefix is nobody's", () => {
    expect(nflogPrefix('n'.repeat(24), 'FORWARD', 1, 'x'.repeat(60))).toHaveLength(NFLOG_PREFIX_MAX);
    expect(parseNflogPrefix('IN=eth0 DROP')).toBeUndefined();
    expect(parseNflogPrefix('asymlab:fw:FORWARD:two:invalid')).toBeUndefined();
  });

  it.each([4, 6] as const)('names, in every rendered drop rule (IPv%s), the position the rule has in its chain', (family) => {
    const rules = parseIptablesSave(renderIptables(fw)[family === 4 ? 'v4' : 'v6']).filter((r) => r.nflogPrefix && r.chain === 'FORWARD');
    expect(rules.map((r) => parseNflogPrefix(r.nflogPrefix!)?.label)).toEqual(['invalid', 'default-drop']);
    for (const r of rules) expect(parseNflogPrefix(r.nflogPrefix!)).toEqual({ node: 'fw-inet', chain: r.chain, index: r.index, label: expect.any(String) });
  });

  it.each([4, 6] as const)('names INPUT and its position in the drop rules that guard the firewall itself (IPv%s)', (family) => {
    const rules = parseIptablesSave(renderIptables(fw)[family === 4 ? 'v4' : 'v6']).filter((r) => r.nflogPrefix && r.chain === 'INPUT');
    expect(rules.map((r) => parseNflogPrefix(r.nflogPrefix!))).toEqual([
      { node: 'fw-inet', chain: 'INPUT', index: rules[0].index, label: 'invalid' },
      { node: 'fw-inet', chain: 'INPUT', index: rules[1].index, label: 'default-drop' },
    ]);
    for (const r of rules) expect(parseNflogPrefix(r.nflogPrefix!)?.index).toBe(r.index);
  });
});
