/**
 * Capture file names: one file per capture, whatever the node and interface names. Node `fw-a`
 * with `eth1` and node `fw` with `a-eth1` used to write the same `fw-a-eth1.pcap`, and an
 * interface named `nflog` the NFLOG capture's file. The analysis must take node, interface and
 * kind from the capture records, never from the file name.
 */
import { describe, expect, it } from 'vitest';
import { captureFileName, captureManifest, captureTargets, type CaptureStats, type CaptureTarget } from '../../src/capture/capture.js';
import { planLab } from '../../src/plan/plan.js';
import type { DecodedPacket, PcapFile } from '../../src/pcap/types.js';
import { assembleEvidence } from '../../src/run/evidence.js';
import { IFACE_RE, NAME_RE } from '../../src/topology/names.js';
import { loadLab } from '../../src/topology/load.js';
import type { Lab, LabNode } from '../../src/topology/types.js';

const iface = (node: string, name: string): CaptureTarget => ({ node, kind: 'interface', iface: name });
const nflog = (node: string): CaptureTarget => ({ node, kind: 'nflog', nflogGroup: 1 });

describe('capture file names', () => {
  it('node fw-a eth1 and node fw a-eth1 get different files', () => {
    expect(captureFileName(iface('fw-a', 'eth1'))).toBe('fw-a-eth1.pcap');
    expect(captureFileName(iface('fw', 'a-eth1'))).toBe('fw-a~eth1.pcap');
  });

  it("an interface named nflog does not take the NFLOG capture's file", () => {
    expect(captureFileName(nflog('fw'))).toBe('fw-nflog.pcap');
    expect(captureFileName(iface('fw', 'nflog'))).toBe('fw-~nflog.pcap');
    expect(captureFileName(iface('fw', 'nflog-x'))).toBe('fw-nflog~x.pcap');
  });

  it('names the bundled labs use keep their old spelling', () => {
    expect(captureFileName(iface('fw-b', 'eth2'))).toBe('fw-b-eth2.pcap');
    expect(captureFileName(nflog('fw-b'))).toBe('fw-b-nflog.pcap');
  });

  it('no two targets share a file, over thousands of hyphen-heavy names', () => {
    // Few letters and many hyphens, so the old `<node>-<iface>` spelling collides often.
    let seed = 42;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const word = (alphabet: string, first: string, len: number) => first[rnd(first.length)] + Array.from({ length: len }, () => alphabet[rnd(alphabet.length)]).join('');
    const nodes = new Set<string>();
    for (let tries = 0; nodes.size < 60 && tries < 10_000; tries++) {
      const n = word('ab-', 'ab', rnd(6)).replace(/-+$/, '');
      if (NAME_RE.test(n)) nodes.add(n);
    }
    expect(nodes.size).toBe(60);
    const targets: CaptureTarget[] = [];
    for (const node of nodes) {
      targets.push(nflog(node));
      const names = new Set(['nflog', ...Array.from({ length: 30 }, () => word('ab-', 'ab', rnd(6)))]);
      for (const name of names) if (IFACE_RE.test(name)) targets.push(iface(node, name));
    }
    const files = new Map<string, CaptureTarget>();
    for (const t of targets) {
      const f = captureFileName(t);
      expect(files.get(f), `${f} is taken`).toBeUndefined();
      files.set(f, t);
    }
    // The old spelling would have collided here: the test has teeth.
    const old = new Set(targets.map((t) => `${t.node}-${t.kind === 'nflog' ? 'nflog' : t.iface}.pcap`));
    expect(old.size).toBeLessThan(targets.length);
    expect(files.size).toBe(targets.length);
  });

  it('the manifest maps each file to its node and interface or NFLOG group', () => {
    expect(captureManifest([iface('fw-a', 'eth1'), iface('fw', 'a-eth1'), nflog('fw')])).toEqual({
      schema: 'asymlab.captures/v1',
      files: {
        'fw-a-eth1.pcap': { node: 'fw-a', kind: 'interface', iface: 'eth1' },
        'fw-a~eth1.pcap': { node: 'fw', kind: 'interface', iface: 'a-eth1' },
        'fw-nflog.pcap': { node: 'fw', kind: 'nflog', nflogGroup: 1 },
      },
    });
    expect(() => captureManifest([iface('r', 'eth1'), iface('r', 'eth1')])).toThrow(/both write r-eth1\.pcap/);
  });
});

const node = (name: string, kind: LabNode['kind'], ifaces: string[]): LabNode => ({
  name,
  kind,
  interfaces: ifaces.map((i) => ({ name: i, addresses: [] })),
  loopbacks: [],
  routes: [],
  sysctls: {},
  exec: [],
  binds: [],
  ...(kind === 'firewall' ? { firewall: { inside: [ifaces[0]], allow: [], snat: [], dnat: [] } } : {}),
});

describe('captures of a plan, and the evidence built from them', () => {
  const lab: Lab = {
    name: 't',
    file: '/x/lab.yaml',
    dir: '/x',
    runtime: 'netns',
    nodes: [node('fw-a', 'router', ['eth1']), node('fw', 'firewall', ['a-eth1', 'eth2'])],
    links: [{ endpoints: [{ node: 'fw-a', iface: 'eth1' }, { node: 'fw', iface: 'a-eth1' }] }],
    flows: [],
  };
  const plan = planLab(lab);

  it('every interface and each firewall NFLOG group is captured, each to its own file', () => {
    const targets = captureTargets(plan);
    expect(targets).toEqual([iface('fw-a', 'eth1'), iface('fw', 'a-eth1'), iface('fw', 'eth2'), nflog('fw')]);
    expect(Object.keys(captureManifest(targets).files)).toEqual(['fw-a-eth1.pcap', 'fw-a~eth1.pcap', 'fw-eth2.pcap', 'fw-nflog.pcap']);
  });

  it('sorts captures by their kind, not by a name: an interface called nflog stays an interface', () => {
    const packet = (i: number): DecodedPacket => ({ index: i, ts: i, capLen: 60, wireLen: 60, linkType: 'ethernet', direction: 'unknown' });
    const pcap = (n: number): PcapFile => ({ linkType: 'ethernet', linkTypeCode: 1, snapLen: 256, nanosecond: false, packets: Array.from({ length: n }, (_, i) => packet(i)) });
    const stats = (kind: CaptureStats['kind'], ifaceName: string, file: string): CaptureStats => ({ node: 'fw', kind, iface: ifaceName, file, captured: 0, droppedByKernel: 0, droppedByInterface: 0 });
    const e = assembleEvidence({
      plan,
      captures: [
        { stats: stats('interface', 'nflog', '/run/captures/fw-~nflog.pcap'), pcap: pcap(3) },
        { stats: stats('nflog', 'nflog:1', '/run/captures/fw-nflog.pcap'), pcap: pcap(1) },
      ],
      before: [],
      after: [],
      conntrackEvents: [],
      connections: [],
    });
    expect(e.captures.map((c) => [c.node, c.iface, c.file, c.packets.length])).toEqual([['fw', 'nflog', '/run/captures/fw-~nflog.pcap', 3]]);
    expect(e.nflog.map((c) => [c.node, c.file, c.packets.length])).toEqual([['fw', '/run/captures/fw-nflog.pcap', 1]]);
    expect(e.captures[0].problem).toBeUndefined();
  });

  it('an interface capture that is not Ethernet is flagged: tcpdump read something else', () => {
    const sll2: PcapFile = { linkType: 'sll2', linkTypeCode: 276, snapLen: 256, nanosecond: false, packets: [] };
    const e = assembleEvidence({
      plan,
      captures: [{ stats: { node: 'fw', kind: 'interface', iface: 'eth2', file: 'fw-eth2.pcap', captured: 0, droppedByKernel: 0, droppedByInterface: 0 }, pcap: sll2 }],
      before: [],
      after: [],
      conntrackEvents: [],
      connections: [],
    });
    expect(e.captures[0].problem).toBe("tcpdump -i eth2 did not capture the interface: the file's link type is sll2 (276), not Ethernet");
  });
});

describe('interface names libpcap keeps for itself', () => {
  const labText = (name: string) => `name: t
topology:
  nodes:
    a: {kind: host, interfaces: {eth1: 10.0.0.1/24}}
    fw: {kind: firewall, interfaces: {${name}: 10.0.0.2/24}, firewall: {inside: [${name}]}}
  links:
    - endpoints: ["a:eth1", "fw:${name}"]
`;
  const load = (text: string) => loadLab('/lab/lab.yaml', { fs: { readFile: async () => text, exists: async () => true }, exists: () => true });

  it('refuses nflog, any and the other names tcpdump -i would not read as an interface', async () => {
    for (const name of ['nflog', 'nfqueue', 'any', 'usbmon0', 'bluetooth1', 'dbus-system']) {
      await expect(load(labText(name)), name).rejects.toMatchObject({
        kind: 'input',
        message: expect.stringContaining(`topology.links[0].endpoints[1]: interface name '${name}' cannot be captured`),
      });
    }
  });

  it('accepts names that merely start like them', async () => {
    for (const name of ['nflog0', 'nflog-x', 'anyway', 'usbmon', 'eth-any']) await expect(load(labText(name)), name).resolves.toMatchObject({ name: 't' });
  });
});
