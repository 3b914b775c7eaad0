/**
 * UDP, ICMP echo and packet sizes on real labs (netns): a UDP reply dropped asymmetrically at the
 * right firewall, explained as conntrack's NEW; ICMP echo and UDP from a fixed port through SNAT;
 * the PMTUD black hole, naming the small link's MTU and where its fragmentation needed died.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLab } from '../../src/run/run-lab.js';
import { canBuildLabs, labFile, leftovers, whyNoLabs } from '../helpers/machine.js';

const out = mkdtempSync(join(tmpdir(), 'asymlab-udp-icmp-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(!canBuildLabs)(`UDP, ICMP and MTUs on real packets${canBuildLabs ? '' : ` — skipped: ${whyNoLabs}`}`, () => {
  it('drops the UDP reply at fw-b, the firewall it returned through, as a new connection from outside', async () => {
    const lab = await labFile('labs/basic/udp-asymmetric.yaml', 'h8-it-udp-asym');
    const r = await runLab(lab, { outDir: join(out, 'udp-asym') });
    expect(leftovers('h8-it-udp-asym')).toEqual([]);
    const dns = r.verdicts.find((v) => v.name === 'dns')!;
    expect(dns).toMatchObject({ result: 'dropped', at: 'fw-b', asymmetric: true, path: ['client', 'edge', 'fw-a', 'core', 'server'], returnPath: ['server', 'core', 'fw-b'] });
    expect(dns.connections.map((c) => c.outcome)).toEqual(['timeout', 'timeout']);
    expect(dns.drop).toMatchObject({ reason: 'firewall-rule', packet: 'REPLY', ruleLabel: 'default-drop', conntrackEntry: false, ctstate: 'NEW' });
    expect(dns.summary).toMatch(/REPLY entered fw-b:eth2 and never left; fw-b had no conntrack entry, so the reply looked like a new connection from outside \(ctstate NEW\): default-drop rule \d+/);
    expect(dns.drop!.facts.join('\n')).toMatch(/The flow's conntrack entry is on fw-a instead: .*udp/);
    const ping = r.verdicts.find((v) => v.name === 'ping')!;
    expect(ping).toMatchObject({ result: 'dropped', at: 'fw-b', drop: { packet: 'ECHO-REPLY', ruleLabel: 'invalid', conntrackEntry: false } });
    expect(r.pass).toBe(true);
  });

  it('delivers ICMP echo and UDP from a fixed port through SNAT, both ways through fw-a', async () => {
    const lab = await labFile('labs/basic/udp-icmp-snat.yaml', 'h8-it-udp-snat');
    const r = await runLab(lab, { outDir: join(out, 'udp-snat') });
    expect(leftovers('h8-it-udp-snat')).toEqual([]);
    for (const name of ['dns', 'ping']) {
      const v = r.verdicts.find((x) => x.name === name)!;
      expect(v).toMatchObject({ result: 'delivered', asymmetric: false, path: ['client', 'edge', 'fw-a', 'core', 'server'], returnPath: ['server', 'core', 'fw-a', 'edge', 'client'] });
      expect(v.connections.every((c) => c.outcome === 'connected' && c.echoed)).toBe(true);
    }
    const ping = r.verdicts.find((x) => x.name === 'ping')!;
    const request = ping.packets.find((p) => p.label === 'ECHO-REQUEST')!;
    // Beyond fw-a the request wears the SNAT address; before it, the client's.
    expect(request.sightings.find((s) => s.node === 'core')?.src).toBe('10.0.3.1');
    expect(request.sightings.find((s) => s.node === 'edge')?.src).toBe('10.1.0.10');
    const dns = r.verdicts.find((x) => x.name === 'dns')!;
    expect(dns.connections.map((c) => c.srcPort)).toEqual([53, 53]);
  });

  it('the PMTUD black hole: the 1400-byte segment dies at r1 before the 1300-MTU link, its ICMP at the firewall', async () => {
    const lab = await labFile('labs/pmtud/black-hole.yaml', 'h8-it-pmtud');
    const r = await runLab(lab, { outDir: join(out, 'pmtud') });
    expect(leftovers('h8-it-pmtud')).toEqual([]);
    expect(r.verdicts.find((v) => v.name === 'small')?.result).toBe('delivered');
    const big = r.verdicts.find((v) => v.name === 'big')!;
    expect(big.connections[0].connectMs).toBeDefined(); // the handshake succeeded
    expect(big).toMatchObject({ result: 'dropped', at: 'r1', drop: { reason: 'mtu', packet: 'DATA', mtu: { node: 'r1', iface: 'eth2', mtu: 1300 } } });
    expect(big.drop!.mtu!.size).toBeGreaterThan(1400);
    expect(big.summary).toMatch(/^DATA entered r1:eth1 and never left; r1:eth2 has MTU 1300, too small for the \d+-byte DATA \(DF set\); ICMP fragmentation needed \(mtu 1300\) from r1 died at fw:eth2 \(rule asymlab:fw:FORWARD:1:drop-icmp\)/);
    expect(big.icmpErrors?.[0]).toMatchObject({ name: 'ICMP fragmentation needed', sender: 'r1', about: 'DATA', mtu: 1300, delivered: false, diedAt: 'fw', nflogPrefix: 'asymlab:fw:FORWARD:1:drop-icmp' });
    const udp = r.verdicts.find((v) => v.name === 'big-udp')!;
    expect(udp).toMatchObject({ result: 'dropped', at: 'r1', drop: { reason: 'mtu', packet: 'REQUEST' } });
    expect(r.pass).toBe(true);
  });
});
