/**
 * The pure parts of `run --attach` and of exec channels: what a deployment lacks of its lab file,
 * how a capture and the flow agent are carried over a channel, and the command line's --attach/--via.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { LabError } from '../../src/errors.js';
import { deploymentGaps } from '../../src/lab/attach.js';
import { planLab } from '../../src/plan/plan.js';
import { captureToStdout, isNodeAgent } from '../../src/runtime/exec-channel.js';
import { AGENT } from '../../src/traffic/flows.js';
import type { Lab } from '../../src/topology/types.js';

const lab: Lab = {
  name: 't',
  file: '/t/lab.yaml',
  dir: '/t',
  runtime: 'netns',
  nodes: [{ name: 'a', kind: 'host', interfaces: [{ name: 'eth1', addresses: ['10.0.0.1/24', '2001:DB8::1/64'] }], loopbacks: ['192.0.2.1/32'], routes: [], sysctls: {}, exec: [], binds: [] }],
  links: [],
  flows: [],
};
const n = planLab(lab).nodes[0];

describe('deploymentGaps', () => {
  const links = [{ ifname: 'lo' }, { ifname: 'eth0' }, { ifname: 'eth1', address: '02:00:00:00:00:01' }];
  const addrs = [
    { ifname: 'lo', addr_info: [{ local: '127.0.0.1', prefixlen: 8 }, { local: '192.0.2.1', prefixlen: 32 }] },
    { ifname: 'eth1', addr_info: [{ local: '10.0.0.1', prefixlen: 24 }, { local: '2001:db8::1', prefixlen: 64 }] },
  ];

  it('finds nothing missing when every interface and address is there (addresses compared by value)', () => {
    expect(deploymentGaps(n, links, addrs)).toEqual([]);
  });

  it('names a missing interface, and each missing or differently sized address', () => {
    expect(deploymentGaps(n, links.filter((l) => l.ifname !== 'eth1'), addrs)).toEqual(['a has no interface eth1']);
    const wrong = [addrs[0], { ifname: 'eth1', addr_info: [{ local: '10.0.0.1', prefixlen: 16 }] }];
    expect(deploymentGaps(n, links, wrong)).toEqual(['a:eth1 lacks 10.0.0.1/24', 'a:eth1 lacks 2001:DB8::1/64']);
    expect(deploymentGaps(n, links, [addrs[1]])).toEqual(['a:lo lacks 192.0.2.1/32']);
  });
});

describe('carried over an exec channel', () => {
  it('a capture to a host file becomes tcpdump -w - and that file', () => {
    expect(captureToStdout(['tcpdump', '-i', 'eth1', '-n', '-w', '/runs/x/a-eth1.pcap'])).toEqual({ argv: ['tcpdump', '-i', 'eth1', '-n', '-w', '-'], file: '/runs/x/a-eth1.pcap' });
    expect(captureToStdout(['tcpdump', '-i', 'eth1', '-w', '-'])).toBeUndefined();
    expect(captureToStdout(['conntrack', '-w', 'x'])).toBeUndefined();
  });

  it("the Node.js flow agent is recognised by the flow runner's own argv", () => {
    expect(isNodeAgent([process.execPath, AGENT, 'client'])).toBe(true);
    expect(isNodeAgent(['node', AGENT])).toBe(false);
    expect(isNodeAgent([process.execPath, '/elsewhere/agent.mjs'])).toBe(false);
  });
});

describe('run --attach --via', () => {
  const run = COMMANDS.find((c) => c.name === 'run')!;
  const ctx = { out: () => undefined, err: () => undefined, signal: new AbortController().signal, quiet: true };

  it.each([
    [{ via: 'exec' }, /--via goes with --attach/],
    [{ attach: true, via: 'ssh' }, /--via must be netns or exec/],
  ])('%j is refused before anything runs', async (values, re) => {
    const err = await run.run(['/nonexistent/lab.yaml'], values, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toMatch(re);
  });
});

describe('attachLab --via exec', () => {
  it('refuses a timed run (events, start-ms, long-lived flows) before it looks for a container', async () => {
    const { attachLab } = await import('../../src/lab/attach.js');
    const timed: Lab = { ...lab, flows: [{ name: 'f', from: 'a', toAddress: '10.0.0.2', toPort: 80, server: 'a', count: 1, timeoutMs: 1000, trace: false, durationMs: 5000 } as Lab['flows'][number]] };
    const err = await attachLab(timed, { via: 'exec' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toMatch(/--via exec cannot run events, start-ms or long-lived flows/);
  });
});
