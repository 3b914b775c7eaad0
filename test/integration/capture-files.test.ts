/**
 * Capture files on a real lab whose names used to collide: node `fw-a` interface `eth1` and node
 * `fw` interface `a-eth1` both wrote `fw-a-eth1.pcap`. Each capture must get its own file, the
 * manifest must say which, each file must hold that interface's frames only, and the verdicts
 * must rest on the right captures. An interface named `nflog` cannot be captured at all (libpcap
 * reads `tcpdump -i nflog` as the NFLOG group), so such a lab is refused before it is built.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaptureManifest } from '../../src/capture/capture.js';
import { planLab } from '../../src/plan/plan.js';
import { readPcap } from '../../src/pcap/read.js';
import { runLab } from '../../src/run/run-lab.js';
import { loadLab } from '../../src/topology/load.js';
import { canBuildLabs, leftovers, whyNoLabs } from '../helpers/machine.js';

const LAB = 'h4-capfiles';
const labText = (outer: string) => `
name: ${LAB}
topology:
  nodes:
    client:
      kind: host
      interfaces: {eth1: 10.1.0.10/24}
      routes: [{to: default, via: 10.1.0.1}]
    fw-a:
      kind: router
      interfaces: {eth1: 10.1.0.1/24, eth2: 10.0.1.1/30}
      routes: [{to: 10.9.0.0/24, via: 10.0.1.2}]
    fw:
      kind: firewall
      interfaces: {a-eth1: 10.0.1.2/30, ${outer}: 10.9.0.1/24}
      routes: [{to: 10.1.0.0/24, via: 10.0.1.1}]
      firewall: {inside: [a-eth1]}
    server:
      kind: host
      interfaces: {eth1: 10.9.0.10/24}
      routes: [{to: default, via: 10.9.0.1}]
  links:
    - endpoints: ["client:eth1", "fw-a:eth1"]
    - endpoints: ["fw-a:eth2", "fw:a-eth1"]
    - endpoints: ["fw:${outer}", "server:eth1"]
flows:
  - name: out
    from: client
    to: 10.9.0.10:443
    expect: {result: delivered, path: [client, fw-a, fw, server]}
  - name: in
    from: server
    to: 10.1.0.10:22
    timeout-ms: 1000
    expect: {result: dropped, at: fw}
`;
const load = (text: string) => loadLab(join(tmpdir(), `${LAB}.yaml`), { fs: { readFile: async () => text, exists: async () => true }, exists: () => true });

const out = mkdtempSync(join(tmpdir(), 'asymlab-capture-files-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('capture file names on a lab (no root needed)', () => {
  it('a firewall interface named nflog is refused: tcpdump could not capture it', async () => {
    await expect(load(labText('nflog'))).rejects.toMatchObject({ kind: 'input', message: expect.stringMatching(/topology\.links\[2\]\.endpoints\[0\]: interface name 'nflog' cannot be captured/) });
  });
});

describe.skipIf(!canBuildLabs)(`capture files on real packets${canBuildLabs ? '' : ` — skipped: ${whyNoLabs}`}`, () => {
  it('fw-a:eth1 and fw:a-eth1 get a file each, holding their own frames, and the verdicts are right', async () => {
    const lab = await load(labText('eth2'));
    const r = await runLab(lab, { outDir: out });
    expect(leftovers(LAB)).toEqual([]);

    const [outFlow, inFlow] = r.verdicts;
    expect(outFlow.result).toBe('delivered');
    expect(outFlow.path).toEqual(['client', 'fw-a', 'fw', 'server']);
    expect(outFlow.returnPath).toEqual(['server', 'fw', 'fw-a', 'client']);
    expect(inFlow.result).toBe('dropped');
    expect(inFlow.at).toBe('fw');
    expect(inFlow.path).toEqual(['server', 'fw']);
    expect(inFlow.drop?.iface).toBe('eth2');
    expect(inFlow.drop?.nflogPrefix).toMatch(/^asymlab:fw:FORWARD:\d+:default-drop$/);
    expect(r.verdicts.every((v) => v.pass && v.warnings.length === 0)).toBe(true);

    // One file per capture, each named in the manifest, none shared.
    const dir = join(out, 'captures');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as CaptureManifest;
    expect(manifest.files).toEqual({
      'client-eth1.pcap': { node: 'client', kind: 'interface', iface: 'eth1' },
      'fw-a-eth1.pcap': { node: 'fw-a', kind: 'interface', iface: 'eth1' },
      'fw-a-eth2.pcap': { node: 'fw-a', kind: 'interface', iface: 'eth2' },
      'fw-a~eth1.pcap': { node: 'fw', kind: 'interface', iface: 'a-eth1' },
      'fw-eth2.pcap': { node: 'fw', kind: 'interface', iface: 'eth2' },
      'fw-nflog.pcap': { node: 'fw', kind: 'nflog', nflogGroup: 1 },
      'server-eth1.pcap': { node: 'server', kind: 'interface', iface: 'eth1' },
    });
    expect(readdirSync(dir).sort()).toEqual([...Object.keys(manifest.files), 'manifest.json'].sort());

    // Each interface's file holds frames of its own link only: sent by one of its two ends, to the
    // other or to a group address (the kernel's own IPv6 multicast, such as MLD reports).
    const plan = planLab(lab);
    const macOf = (node: string, iface: string) => plan.nodes.find((n) => n.node.name === node)!.macs[iface];
    const peerOf = (node: string, iface: string) => {
      const l = lab.links.find((x) => x.endpoints.some((e) => e.node === node && e.iface === iface))!;
      return l.endpoints.find((e) => !(e.node === node && e.iface === iface))!;
    };
    for (const [file, t] of Object.entries(manifest.files)) {
      const pcap = await readPcap(join(dir, file));
      expect(pcap.truncated, file).toBeUndefined();
      if (t.kind === 'nflog') {
        expect(pcap.linkType, file).toBe('nflog');
        expect(pcap.packets.some((p) => p.nflog?.prefix === inFlow.drop?.nflogPrefix), file).toBe(true);
        continue;
      }
      expect(pcap.linkType, file).toBe('ethernet');
      const peer = peerOf(t.node, t.iface);
      const link = new Set([macOf(t.node, t.iface), macOf(peer.node, peer.iface)]);
      const group = (mac: string) => (parseInt(mac.slice(0, 2), 16) & 1) === 1;
      const ipFrames = pcap.packets.filter((p) => p.ip);
      expect(ipFrames.filter((p) => p.tcp).length, file).toBeGreaterThan(0);
      expect(ipFrames.filter((p) => !link.has(p.srcMac!) || !(link.has(p.dstMac!) || group(p.dstMac!))).map((p) => `${p.srcMac} > ${p.dstMac}`), file).toEqual([]);
    }
  });
});
