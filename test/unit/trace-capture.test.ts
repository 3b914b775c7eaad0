import { describe, expect, it } from 'vitest';
import { parseTcpdumpStats, tcpdumpArgv } from '../../src/capture/capture.js';
import { planLab } from '../../src/plan/plan.js';
import { nameHops, parseTraceroute } from '../../src/traffic/trace.js';
import type { Lab } from '../../src/topology/types.js';

const lab: Lab = {
  name: 't',
  file: '/x/lab.yaml',
  dir: '/x',
  runtime: 'netns',
  nodes: [
    { name: 'a', kind: 'host', interfaces: [{ name: 'eth1', addresses: ['10.0.0.1/24'] }], loopbacks: [], routes: [], sysctls: {}, exec: [], binds: [] },
    { name: 'r', kind: 'router', interfaces: [{ name: 'eth1', addresses: ['10.0.0.2/24'] }], loopbacks: ['192.0.2.1/32'], routes: [], sysctls: {}, exec: [], binds: [] },
  ],
  links: [{ endpoints: [{ node: 'a', iface: 'eth1' }, { node: 'r', iface: 'eth1' }] }],
  flows: [],
};

describe('traceroute parsing', () => {
  it('reads answered and silent hops and names them by node and interface', () => {
    const text = 'traceroute to 192.0.2.1 (192.0.2.1), 12 hops max, 60 byte packets\n 1  10.0.0.2  0.281 ms\n 2  *\n 3  192.0.2.1  1.5 ms\n 4  203.0.113.9  2 ms\n';
    const hops = nameHops(planLab(lab), parseTraceroute(text));
    expect(hops).toEqual([
      { ttl: 1, address: '10.0.0.2', rttMs: 0.281, node: 'r', iface: 'eth1' },
      { ttl: 2 },
      { ttl: 3, address: '192.0.2.1', rttMs: 1.5, node: 'r', iface: 'lo' },
      { ttl: 4, address: '203.0.113.9', rttMs: 2 },
    ]);
  });
});

describe('tcpdump', () => {
  it('captures without -U, with a 16 MiB buffer, immediate delivery and a snaplen', () => {
    const argv = tcpdumpArgv('eth1', '/tmp/x.pcap');
    expect(argv).not.toContain('-U');
    expect(argv.join(' ')).toContain('-B 16384');
    expect(argv).toContain('--immediate-mode');
    expect(argv.join(' ')).toMatch(/-s \d+/);
  });

  it("reads its closing statistics, the kernel's drop count included", () => {
    expect(parseTcpdumpStats('tcpdump: listening on eth1\n12 packets captured\n14 packets received by filter\n2 packets dropped by kernel\n')).toEqual({
      captured: 12,
      droppedByKernel: 2,
      droppedByInterface: 0,
    });
    expect(parseTcpdumpStats('1 packet captured\n1 packet received by filter\n0 packets dropped by kernel\n3 packets dropped by interface\n')).toEqual({
      captured: 1,
      droppedByKernel: 0,
      droppedByInterface: 3,
    });
    expect(parseTcpdumpStats('tcpdump: eth9: No such device exists\n')).toBeUndefined();
  });
});
