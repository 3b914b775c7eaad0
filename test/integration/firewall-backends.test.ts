/**
 * The firewall backends on real packets (netns): the asymmetric lab of labs/firewalls on iptables,
 * on generated nftables and on a raw nftables dump gives identical verdicts; the IPv6 drop cites
 * the ip6tables counter that moved; each backend explains its drops from its own evidence; and an
 * nft file that `nft -c` rejects is one clear error with nft's message and line, with nothing
 * created. (test/integration/bundled-labs.test.ts runs the same labs on docker too.)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlowVerdict } from '../../src/analysis/types.js';
import { LabError } from '../../src/errors.js';
import { upLab } from '../../src/lab/up.js';
import { planLab } from '../../src/plan/plan.js';
import { runLab } from '../../src/run/run-lab.js';
import { loadLab } from '../../src/topology/load.js';
import { run } from '../../src/util/exec.js';
import { canBuildLabs, labFile, leftovers, repoRoot, whyNoLabs } from '../helpers/machine.js';

const hasNft = spawnSync('sh', ['-c', 'command -v nft'], { encoding: 'utf8' }).status === 0;
const ready = canBuildLabs && hasNft;
const why = !canBuildLabs ? whyNoLabs : 'nft is not installed (scripts/setup.sh)';

const out = mkdtempSync(join(tmpdir(), 'asymlab-fw-backends-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const essence = (v: FlowVerdict) => ({ name: v.name, result: v.result, at: v.at, path: v.path, returnPath: v.returnPath, asymmetric: v.asymmetric });
const byName = (vs: FlowVerdict[], name: string) => vs.find((v) => v.name === name)!;

async function runAs(file: string, name: string): Promise<FlowVerdict[]> {
  const r = await runLab(await labFile(file, name), { outDir: join(out, name) });
  expect(leftovers(name)).toEqual([]);
  const failed = r.verdicts.filter((v) => !v.pass).map((v) => `${v.name}: ${v.summary}\n  ${v.mismatches.join('\n  ')}`);
  expect(failed, failed.join('\n')).toEqual([]);
  return r.verdicts;
}

describe.skipIf(!ready)(`firewall backends on real packets${ready ? '' : ` — skipped: ${why}`}`, () => {
  it('iptables, generated nftables and a raw nftables dump give identical verdicts, each explained from its own evidence', async () => {
    const ipt = await runAs('labs/firewalls/iptables.yaml', 'h12-fwb-ipt');
    const nft = await runAs('labs/firewalls/nftables.yaml', 'h12-fwb-nft');
    const raw = await runAs('labs/firewalls/nftables-raw.yaml', 'h12-fwb-raw');
    expect(nft.map(essence)).toEqual(ipt.map(essence));
    expect(raw.map(essence)).toEqual(ipt.map(essence));

    // iptables: the IPv6 SYN-ACK is cited by the ip6tables rule, whose counter moved.
    const web6 = byName(ipt, 'web6').drop!;
    expect(web6).toMatchObject({ reason: 'firewall-rule', node: 'fw-b', chain: 'FORWARD', ruleLabel: 'invalid' });
    expect(web6.counter!.after).toBeGreaterThan(web6.counter!.before);
    const cited = web6.facts.filter((f) => f.startsWith(`Rule ${web6.ruleIndex} of ip6tables filter/FORWARD on fw-b`));
    expect(cited, web6.facts.join('\n')).toHaveLength(1);
    expect(cited[0]).toContain(`counted ${web6.counter!.before}→${web6.counter!.after} packets.`);
    // The scan of fw-b's own address: its INPUT, on both rendered backends.
    for (const vs of [ipt, nft]) expect(byName(vs, 'scan').drop).toMatchObject({ reason: 'firewall-rule', node: 'fw-b', chain: 'INPUT', ruleLabel: 'default-drop' });

    // generated nftables: the same prefixes' contract, counted by the inet table.
    expect(byName(nft, 'web').drop).toMatchObject({ reason: 'firewall-rule', chain: 'FORWARD', ruleLabel: 'invalid', nflogPrefix: 'asymlab:fw-b:FORWARD:2:invalid' });

    // a raw dump: its own NFLOG prefix, and the policies nft does not count.
    expect(byName(raw, 'web').drop).toMatchObject({ reason: 'firewall-rule', nflogPrefix: 'fwd-invalid ', table: 'inet filter', chain: 'forward', ruleIndex: 2 });
    expect(byName(raw, 'back-in').drop).toMatchObject({ reason: 'chain-policy', table: 'inet filter', chain: 'forward' });
    expect(byName(raw, 'scan').drop).toMatchObject({ reason: 'chain-policy', table: 'inet filter', chain: 'input' });
  }, 300_000);

  it("an nft file that nft -c rejects: one error with nft's message and line, and nothing created", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asymlab-fw-bad-'));
    try {
      copyFileSync(join(repoRoot, 'labs/firewalls/base.yaml'), join(dir, 'base.yaml'));
      // line 4 names an interface the node does not have: nft resolves `iif` while checking
      writeFileSync(join(dir, 'bad.nft'), 'table inet filter {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tiif "eth9" accept\n\t}\n}\n');
      writeFileSync(join(dir, 'lab.yaml'), 'name: h12-fwb-bad\nextends: base.yaml\ntopology:\n  nodes:\n    fw-b:\n      nftables: bad.nft\n');
      const lab = await loadLab(join(dir, 'lab.yaml'));
      const err = await upLab(lab).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).kind).toBe('input');
      expect((err as LabError).message).toContain(`topology.nodes.fw-b.nftables: nft -c rejects ${join(dir, 'bad.nft')}:`);
      expect((err as LabError).message).toContain(`${join(dir, 'bad.nft')}:4:`);
      expect((err as LabError).message).toContain('Error: Interface does not exist');
      expect(leftovers('h12-fwb-bad')).toEqual([]);
      // The same file with the node's own interface passes the check.
      writeFileSync(join(dir, 'bad.nft'), 'table inet filter {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tiif "eth2" accept\n\t}\n}\n');
      const fwb = planLab(await loadLab(join(dir, 'lab.yaml'))).nodes.find((n) => n.node.name === 'fw-b')!;
      expect(await fwb.firewall!.backend.check!(run, fwb)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
