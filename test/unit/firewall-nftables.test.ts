/**
 * The nftables backend's pure parts: the `nft -j list ruleset` and `nft -a list ruleset` parsers
 * (counters paired by handle, policies listed but uncounted, rule text as written), and the
 * renderer's contract with the analysis (every drop logs to NFLOG with the prefix of its position).
 * The dumps in test/fixtures/nft/ were taken from nft 1.0.6 with ruleset.nft loaded.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nftErrors } from '../../src/firewall/nft-check.js';
import { parseNftRuleset, nftRuleCounters, nftRuleTexts } from '../../src/firewall/nft-ruleset.js';
import { parseNflogPrefix } from '../../src/firewall/nflog-prefix.js';
import { renderNftables } from '../../src/firewall/nftables-render.js';
import { findBackend } from '../../src/firewall/registry.js';
import type { LabNode } from '../../src/topology/types.js';

const fixture = (f: string) => readFileSync(new URL(`../fixtures/nft/${f}`, import.meta.url), 'utf8');
const before = { json: fixture('before.json'), text: fixture('before.txt') };
const after = { json: fixture('after.json'), text: fixture('after.txt') };

describe('nft ruleset dumps', () => {
  it('list every rule with its position, counter, verdict and text, and every base chain policy uncounted', () => {
    const rules = parseNftRuleset(after.json, after.text);
    expect(rules.map((r) => [r.chain, r.index, r.packets, r.drops, r.uncounted ?? false])).toEqual([
      ['input', 0, 0, true, true],
      ['forward', 0, 0, true, true],
      ['input', 1, 0, false, true],
      ['input', 2, 0, false, true],
      ['forward', 1, 5, false, false],
      ['forward', 2, 2, true, false],
      ['forward', 3, 0, false, true],
      ['forward', 4, 0, false, false],
    ]);
    expect(rules.find((r) => r.chain === 'forward' && r.index === 2)).toMatchObject({ table: 'inet filter', rule: 'ct state invalid counter drop', handle: 6 });
    expect(rules.find((r) => r.chain === 'forward' && r.index === 0)).toMatchObject({ policy: 'drop', hook: 'forward', rule: 'policy drop (filter hook forward)' });
    expect(rules.find((r) => r.index === 4)?.nflogPrefix).toBe('fwd-icmp6 ');
    expect(parseNftRuleset('not json')).toEqual([]);
  });

  it('pair two snapshots by handle', () => {
    const c = nftRuleCounters('fw', before, after);
    expect(c.find((r) => r.chain === 'forward' && r.index === 2)).toMatchObject({ node: 'fw', packetsBefore: 0, packetsAfter: 2, drops: true });
    expect(c.find((r) => r.chain === 'forward' && r.index === 1)).toMatchObject({ packetsBefore: 5, packetsAfter: 5 });
    // the backend reads the same two dumps
    expect(findBackend('nftables')!.counters('fw', before, after)).toEqual(c);
  });

  it('take the text of a rule from its handle comment, without its counter values', () => {
    expect(nftRuleTexts(after.text).get('inet filter forward 8')).toBe('ip6 nexthdr ipv6-icmp counter log prefix "fwd-icmp6 " group 1 accept');
  });

  it("say nft's complaint with the lab's file name", () => {
    const out = '/dev/stdin:4:7-12: Error: Interface does not exist\n  iif "eth9" accept\n      ^^^^^^\n';
    expect(nftErrors(out, '/lab/fw.nft')).toEqual(['/lab/fw.nft:4:7-12: Error: Interface does not exist', '  iif "eth9" accept', '      ^^^^^^']);
  });
});

const fw: LabNode = {
  name: 'fw',
  kind: 'firewall',
  interfaces: [{ name: 'eth1', addresses: ['10.1.0.1/24', '2001:db8:1::1/64'] }, { name: 'eth2', addresses: ['192.0.2.1/30'] }],
  loopbacks: [],
  routes: [],
  sysctls: {},
  exec: [],
  binds: [],
  bgp: { asn: 65001, routerId: '10.1.0.1', networks: [], redistribute: [], neighbors: [{ address: '192.0.2.2', remoteAs: 65002, defaultOriginate: false }] },
  firewall: { inside: ['eth1'], allow: [{ in: 'eth2', proto: 'tcp', dport: 22, to: 'self' }, { proto: 'icmp' }], snat: [], dnat: [] },
};

describe('the nftables renderer', () => {
  const text = renderNftables(fw);
  const rules = (chain: string) => text.split(`chain ${chain} {`)[1].split('\t}')[0].trim().split('\n').slice(1).map((l) => l.trim());

  it('counts every rule, and every drop logs to NFLOG group 1 with the prefix of its own position', () => {
    for (const chain of ['INPUT', 'FORWARD']) {
      rules(chain).forEach((r, i) => {
        expect(r).toMatch(/(^| )counter /);
        const m = /log prefix "([^"]+)" group 1 queue-threshold 1 drop$/.exec(r);
        if (r.endsWith('drop')) expect(parseNflogPrefix(m![1])).toMatchObject({ node: 'fw', chain, index: i + 1 });
      });
    }
  });

  it('lets in its BGP neighbour and what allow names to: self, on INPUT only; ICMP for IPv4 only', () => {
    expect(rules('INPUT')).toContain('ip saddr 192.0.2.2 tcp dport 179 ct state new counter accept comment "bgp peer"');
    expect(rules('INPUT')).toContain('iifname "eth2" meta l4proto tcp ct state new ct original proto-dst 22 counter accept comment "allow[0]"');
    expect(rules('FORWARD').join('\n')).not.toMatch(/allow\[0\]|bgp peer/);
    expect(rules('FORWARD')).toContain('meta nfproto ipv4 meta l4proto icmp ct state new counter accept comment "allow[1]"');
  });
});
