/**
 * A firewall that guards itself (INPUT): a connection to its own address that no rule allows is
 * dropped there, and the verdict names the firewall itself as the drop point, with the chain.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.js';
import { Conn, EvidenceBuilder, expressRouteLab, flow } from './helpers/evidence-builder.js';

const DEFAULT_DROP = 'asymlab:fw-inet:INPUT:8:default-drop';

describe("a drop on the firewall's own INPUT", () => {
  it('names the firewall, the chain and the rule, not "never answered"', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const c = Conn.of('10.9.0.10:40000', '192.0.2.1:22');
    b.send(c.syn(), ['srv', 'cloud', 'fw-inet'], { copies: 2, nflog: DEFAULT_DROP });
    b.rule('fw-inet', { chain: 'INPUT', index: 8, rule: `-A INPUT -j NFLOG --nflog-group 1 --nflog-prefix "${DEFAULT_DROP}"`, nflogPrefix: DEFAULT_DROP, family: 4, packetsBefore: 0, packetsAfter: 2 });
    b.connection({ flow: 'scan', client: 'srv', server: 'fw-inet', srcAddress: '10.9.0.10', srcPort: 40000, dstAddress: '192.0.2.1', dstPort: 22, outcome: 'timeout' });
    const [v] = analyse([flow('scan', '192.0.2.1', 22, { result: 'dropped', at: 'fw-inet' }, { from: 'srv', server: 'fw-inet' })], b.build());
    expect(v).toMatchObject({ result: 'dropped', at: 'fw-inet', pass: true, path: ['srv', 'cloud', 'fw-inet'] });
    expect(v.drop).toMatchObject({ reason: 'firewall-rule', node: 'fw-inet', chain: 'INPUT', ruleLabel: 'default-drop', counter: { before: 0, after: 2 } });
    expect(v.summary).toBe(`SYN entered fw-inet:eth2 and never left; fw-inet dropped it on its own INPUT chain: a new connection to fw-inet itself that no rule allows (rule ${DEFAULT_DROP}, counter 0→2)`);
  });
});
