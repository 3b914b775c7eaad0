import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLab } from '../../src/run/run-lab.js';
import { canBuildLabs, labFile, leftovers, whyNoLabs } from '../helpers/machine.js';

const out = mkdtempSync(join(tmpdir(), 'asymlab-proof-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(!canBuildLabs)(`the proof on real packets${canBuildLabs ? '' : ` — skipped: ${whyNoLabs}`}`, () => {
  it('names the firewall that dropped the SYN-ACK, cites its NFLOG record, and calls the paths asymmetric', async () => {
    const lab = await labFile('labs/basic/asymmetric.yaml', 'it-asym');
    const r = await runLab(lab, { outDir: join(out, 'asym') });
    expect(leftovers('it-asym')).toEqual([]);
    const v = r.verdicts[0];
    expect(v.result).toBe('dropped');
    expect(v.at).toBe('fw-b');
    expect(v.asymmetric).toBe(true);
    expect(v.path).toEqual(['client', 'edge', 'fw-a', 'core', 'server']);
    expect(v.returnPath.slice(0, 3)).toEqual(['server', 'core', 'fw-b']);
    expect(v.drop?.reason).toBe('firewall-rule');
    expect(v.drop?.packet).toBe('SYN-ACK');
    expect(v.drop?.iface).toBe('eth2');
    expect(v.drop?.nflogPrefix).toBe('asymlab:fw-b:FORWARD:2:invalid');
    expect(v.drop?.conntrackEntry).toBe(false);
    expect(v.summary).toMatch(/SYN-ACK entered fw-b:eth2 and never left/);
    expect(v.pass).toBe(true);
    // the evidence is kept for Wireshark
    expect(existsSync(join(out, 'asym', 'captures', 'fw-b-eth2.pcap'))).toBe(true);
    expect(existsSync(join(out, 'asym', 'captures', 'fw-b-nflog.pcap'))).toBe(true);
  });

  it('the same lab with SNAT on the first firewall delivers every connection, symmetric', async () => {
    const lab = await labFile('labs/basic/asymmetric-snat.yaml', 'it-asym-snat');
    const r = await runLab(lab, { outDir: join(out, 'snat') });
    expect(leftovers('it-asym-snat')).toEqual([]);
    const v = r.verdicts[0];
    expect(v.result).toBe('delivered');
    expect(v.connections.every((c) => c.outcome === 'connected' && c.echoed)).toBe(true);
    expect(v.asymmetric).toBe(false);
    expect(v.returnPath).toEqual(['server', 'core', 'fw-a', 'edge', 'client']);
    expect(v.pass).toBe(true);
  });

  it('a flow that misses its expect fails, in plain words', async () => {
    const lab = await labFile('labs/basic/asymmetric.yaml', 'it-asym-miss');
    lab.flows = lab.flows.map((f) => ({ ...f, count: 1, expect: { result: 'delivered' } }));
    const r = await runLab(lab, { outDir: join(out, 'miss') });
    expect(r.pass).toBe(false);
    expect(r.verdicts[0].mismatches.join('\n')).toMatch(/expected delivered, got dropped at fw-b/);
  });
});
