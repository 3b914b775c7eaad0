/**
 * Who reset a connection: a plain host's own TCP stack (nothing listening behind a DNAT) is said
 * as such, a firewall's REJECT that counted is cited, and only a firewall with no such evidence
 * keeps the question mark.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.js';
import { Conn, EvidenceBuilder, expressRouteLab, flow } from './helpers/evidence-builder.js';

/** client → 192.0.2.5:443, fw-er's own address, which its DNAT sends on to srv (10.9.0.10); srv answers RST. */
function dnatToClosedPort(): EvidenceBuilder {
  const b = new EvidenceBuilder(expressRouteLab());
  const c = Conn.of('10.1.0.10:40000', '192.0.2.5:443');
  b.send(c.syn(), ['client', 'edge', 'fw-er', 'cloud', 'srv'], { nat: { 'fw-er': { dst: '10.9.0.10' } } });
  b.send(c.rst({ src: '10.9.0.10' }), ['srv', 'cloud', 'fw-er', 'edge', 'client'], { nat: { 'fw-er': { src: '192.0.2.5' } } });
  b.connection({ server: 'fw-er', srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '192.0.2.5', dstPort: 443, outcome: 'refused', errorCode: 'ECONNREFUSED' });
  return b;
}
const VIP = flow('web', '192.0.2.5', 443, { result: 'reset' }, { server: 'fw-er' });

describe('a RST', () => {
  it("from a plain host behind a DNAT is its own TCP stack's: nothing listens there", () => {
    const [v] = analyse([VIP], dnatToClosedPort().build());
    expect(v).toMatchObject({ result: 'reset', at: 'srv', pass: true });
    expect(v.summary).toBe(
      "srv answered the SYN with RST from its own TCP stack: nothing listens on 10.9.0.10:443 there; fw-er's DNAT sent the SYN there (10.1.0.10:40000 → 192.0.2.5:443 became 10.9.0.10:443), not to fw-er; RST path srv → cloud → fw-er → edge → client",
    );
    expect(v.summary).not.toMatch(/REJECT/);
  });

  it('from a firewall with a REJECT rule that counted cites the rule', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), ['client', 'edge', 'fw-er']);
    b.send(c.rst(), ['fw-er', 'edge', 'client']);
    b.rule('fw-er', { chain: 'FORWARD', index: 3, rule: '-A FORWARD -p tcp -j REJECT --reject-with tcp-reset', family: 4, packetsBefore: 0, packetsAfter: 1 });
    b.connection({ srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '10.9.0.10', dstPort: 443, outcome: 'refused', errorCode: 'ECONNREFUSED' });
    const [v] = analyse([flow('web', '10.9.0.10', 443, { result: 'reset' })], b.build());
    expect(v).toMatchObject({ result: 'reset', at: 'fw-er' });
    expect(v.summary).toBe('fw-er answered the SYN with RST on behalf of srv: a REJECT (rule 3 of filter/FORWARD, -A FORWARD -p tcp -j REJECT --reject-with tcp-reset, counter 0→1); RST path fw-er → edge → client');
  });

  it('from a firewall without such evidence keeps the question', () => {
    const b = new EvidenceBuilder(expressRouteLab());
    const c = Conn.of('10.1.0.10:40000', '10.9.0.10:443');
    b.send(c.syn(), ['client', 'edge', 'fw-er']);
    b.send(c.rst(), ['fw-er', 'edge', 'client']);
    b.connection({ srcAddress: '10.1.0.10', srcPort: 40000, dstAddress: '10.9.0.10', dstPort: 443, outcome: 'refused', errorCode: 'ECONNREFUSED' });
    const [v] = analyse([flow('web', '10.9.0.10', 443)], b.build());
    expect(v.summary).toBe('fw-er answered the SYN with RST on behalf of srv (a REJECT with tcp-reset?); RST path fw-er → edge → client');
  });
});
