/**
 * The drop explainers as a list, and the rule that a node's facts come from what it has (an
 * NFLOG capture, a ruleset, conntrack events), never from its kind: a router with a `firewall:`
 * section is explained like a firewall.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.js';
import { EXPLAINERS } from '../../src/analysis/explainers/list.js';
import { back, Conn, EvidenceBuilder, expressRouteLab, flow, VIA_ER } from './helpers/evidence-builder.js';

const INVALID = 'asymlab:fw-inet:FORWARD:2:invalid';
const WEB = flow('web', '10.9.0.10', 443);
const TUPLE = { srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '10.9.0.10', dstPort: 443 };
const FW_ER_ENTRY = '[1732446000.000100]\t    [NEW] tcp      6 120 SYN_SENT src=10.1.0.10 dst=10.9.0.10 sport=40000 dport=443 [UNREPLIED] src=10.9.0.10 dst=10.1.0.10 sport=443 dport=40000';

/** The ExpressRoute incident with both "firewalls" of kind router, each with a firewall section. */
function routersThatFilter(nflog?: string): EvidenceBuilder {
  const b = new EvidenceBuilder(expressRouteLab('router')).firewallSection('fw-inet').firewallSection('fw-er');
  const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
  b.send(c.syn(), VIA_ER, { copies: 2 });
  b.send(c.synAck(), ['srv', 'cloud', 'fw-inet'], { at: b.t0 + 0.001, copies: 2, ...(nflog ? { nflog } : {}) });
  b.conntrack('fw-er', FW_ER_ENTRY);
  b.connection({ ...TUPLE, outcome: 'timeout' });
  return b;
}

describe('drop explainers', () => {
  it('are tried in order: delivery to the wrong owner, an NFLOG rule, a link MTU, the reverse-path filter, a missing route, a rule that drops without logging, a chain policy', () => {
    expect(EXPLAINERS.map((e) => e.reason)).toEqual(['wrong-owner', 'firewall-rule', 'mtu', 'rp-filter', 'no-route', 'drop-rule', 'chain-policy']);
  });

  it('give a router with a firewall section the NFLOG and conntrack explanation', () => {
    const b = routersThatFilter(INVALID);
    b.rule('fw-inet', { chain: 'FORWARD', index: 2, rule: `-A FORWARD -m conntrack --ctstate INVALID -j NFLOG --nflog-prefix "${INVALID}" --nflog-group 1`, nflogPrefix: INVALID, packetsBefore: 0, packetsAfter: 2 });
    const [v] = analyse([WEB], b.build());
    expect(v).toMatchObject({ result: 'dropped', at: 'fw-inet', returnPath: ['srv', 'cloud', 'fw-inet'] });
    expect(v.drop).toMatchObject({ reason: 'firewall-rule', node: 'fw-inet', ruleLabel: 'invalid', counter: { before: 0, after: 2 }, conntrackEntry: false });
    expect(v.summary).toBe(`SYN-ACK entered fw-inet:eth2 and never left; fw-inet had no conntrack entry (ctstate INVALID, rule ${INVALID}, counter 0→2)`);
    // The state is found on the other router that filters, though neither is of kind firewall.
    expect(v.drop!.facts).toContain(
      "The flow's conntrack entry is on fw-er instead: [NEW] tcp SYN_SENT src=10.1.0.10 dst=10.9.0.10 sport=40000 dport=443 [UNREPLIED] src=10.9.0.10 dst=10.1.0.10 sport=443 dport=40000.",
    );
  });

  it("say a filtering router's NFLOG capture has no record of a packet it lost otherwise", () => {
    const [v] = analyse([WEB], routersThatFilter().build());
    expect(v).toMatchObject({ result: 'dropped', at: 'fw-inet' });
    expect(v.drop?.reason).toBe('unknown');
    expect(v.drop!.facts).toContain("fw-inet's NFLOG capture has no record of this SYN-ACK.");
  });

  it('say nothing of NFLOG for a router that does not filter', () => {
    const b = new EvidenceBuilder(expressRouteLab('router'));
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), VIA_ER);
    b.send(c.synAck(), back(VIA_ER).slice(0, 3), { at: b.t0 + 0.001 });
    b.connection({ ...TUPLE, outcome: 'timeout' });
    const [v] = analyse([WEB], b.build());
    expect(v).toMatchObject({ result: 'dropped', at: 'fw-er' });
    expect(v.drop!.facts.join('\n')).not.toMatch(/NFLOG/);
  });
});
