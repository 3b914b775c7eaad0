/**
 * Drops no NFLOG record names (a raw ruleset): a rule that drops without logging, a chain's
 * policy (iptables counts it, nftables does not), and the no-route counter by its real name.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.js';
import { Conn, EvidenceBuilder, expressRouteLab, flow, VIA_ER } from './helpers/evidence-builder.js';

const WEB = flow('web', '10.9.0.10', 443);
const TUPLE = { srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '10.9.0.10', dstPort: 443 };

/** The SYN out by fw-er, the SYN-ACK back by fw-inet, which drops it without logging. */
function strayAtFwInet(): EvidenceBuilder {
  const b = new EvidenceBuilder(expressRouteLab());
  const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
  b.send(c.syn(), VIA_ER, { copies: 2 });
  b.send(c.synAck(), ['srv', 'cloud', 'fw-inet'], { at: b.t0 + 0.001, copies: 2 });
  b.connection({ ...TUPLE, outcome: 'timeout' });
  return b;
}

describe('a chain policy drop', () => {
  it('is "dropped by filter/FORWARD policy DROP (counter 0→2)" when the policy counter moved and no route counter did', () => {
    const b = strayAtFwInet();
    b.rule('fw-inet', { chain: 'FORWARD', index: 0, rule: ':FORWARD DROP', policy: 'DROP', family: 4, packetsBefore: 0, packetsAfter: 2 });
    b.rule('fw-inet', { chain: 'INPUT', index: 0, rule: ':INPUT ACCEPT', policy: 'ACCEPT', family: 4, packetsBefore: 10, packetsAfter: 30 });
    b.kernel('fw-inet', { 'IpExt.InNoRoutes': 0 }, { 'IpExt.InNoRoutes': 0 });
    const [v] = analyse([WEB], b.build());
    expect(v).toMatchObject({ result: 'dropped', at: 'fw-inet' });
    expect(v.drop).toMatchObject({ reason: 'chain-policy', node: 'fw-inet', table: 'filter', chain: 'FORWARD', counter: { before: 0, after: 2 } });
    expect(v.summary).toBe('SYN-ACK entered fw-inet:eth2 and never left; dropped by filter/FORWARD policy DROP (counter 0→2)');
    expect(v.drop!.facts).toContain('The filter/FORWARD policy DROP on fw-inet counted 0→2 packets: packets no rule of the chain took were dropped, and no rule logs them.');
  });

  it('of nftables, which counts no policy, is inferred and said to be', () => {
    const b = strayAtFwInet();
    b.rule('fw-inet', { table: 'inet filter', chain: 'forward', index: 0, rule: 'policy drop (filter hook forward)', policy: 'drop', hook: 'forward', drops: true, uncounted: true, packetsBefore: 0, packetsAfter: 0 });
    b.rule('fw-inet', { table: 'inet filter', chain: 'forward', index: 1, rule: 'ct state established,related counter accept', drops: false, packetsBefore: 0, packetsAfter: 4 });
    const [v] = analyse([WEB], b.build());
    expect(v.drop).toMatchObject({ reason: 'chain-policy', table: 'inet filter', chain: 'forward' });
    expect(v.drop!.counter).toBeUndefined();
    expect(v.summary).toBe('SYN-ACK entered fw-inet:eth2 and never left; dropped by inet filter/forward policy drop (nftables counts no policy; no counted rule dropped it)');
  });
});

describe('a rule that drops without logging', () => {
  it('is cited with its counter, before the policy, with the conntrack state', () => {
    const b = strayAtFwInet();
    b.rule('fw-inet', { table: 'inet filter', chain: 'forward', index: 0, rule: 'policy drop (filter hook forward)', policy: 'drop', hook: 'forward', drops: true, uncounted: true, packetsBefore: 0, packetsAfter: 0 });
    b.rule('fw-inet', { table: 'inet filter', chain: 'forward', index: 2, rule: 'ct state invalid counter drop', drops: true, packetsBefore: 0, packetsAfter: 2 });
    b.rule('fw-inet', { chain: 'FORWARD', index: 3, rule: '-A FORWARD -j ACCEPT', family: 4, packetsBefore: 0, packetsAfter: 9 });
    const [v] = analyse([WEB], b.build());
    expect(v.drop).toMatchObject({ reason: 'drop-rule', table: 'inet filter', chain: 'forward', ruleIndex: 2, counter: { before: 0, after: 2 }, conntrackEntry: false });
    expect(v.summary).toBe('SYN-ACK entered fw-inet:eth2 and never left; dropped by rule 2 of inet filter/forward (counter 0→2), which logs nothing; fw-inet had no conntrack entry');
    expect(v.drop!.facts).toContain('Without an entry, conntrack classed the SYN-ACK ctstate INVALID, which rule 2 drops.');
  });
});

describe('the no-route counter', () => {
  it('is cited as IpExt.InNoRoutes, its real name', () => {
    const b = new EvidenceBuilder(expressRouteLab('router'));
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), ['client', 'edge', 'fw-er']);
    b.connection({ ...TUPLE, outcome: 'timeout' });
    b.kernel('fw-er', { 'IpExt.InNoRoutes': 0, 'Ip.InNoRoutes': 0 }, { 'IpExt.InNoRoutes': 3, 'Ip.InNoRoutes': 3 });
    const [v] = analyse([WEB], b.build());
    expect(v.drop).toMatchObject({ reason: 'no-route', node: 'fw-er', kernelCounter: { name: 'IpExt.InNoRoutes', before: 0, after: 3 } });
    expect(v.summary).toContain('(IpExt.InNoRoutes 0→3)');
    expect(v.drop!.facts.join('\n')).not.toMatch(/\bIp\.InNoRoutes/);
  });
});
