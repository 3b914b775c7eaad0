import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configureNodes, renderNetBatch } from '../../src/nodes/net-config.js';
import { planLab } from '../../src/plan/plan.js';
import { isBatchWord, renderNetSetup, runNetSetups, splitEven } from '../../src/runtime/host-net.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { loadLab } from '../../src/topology/load.js';
import type { CommandResult, RunOptions } from '../../src/util/exec.js';

const LAB = `
name: setup
topology:
  nodes:
    a: {kind: host, interfaces: {eth1: 10.0.0.1/30}}
    r1: {kind: router, interfaces: {eth1: 10.0.0.2/30, eth2: 10.0.1.1/30}}
    b: {kind: host, interfaces: {eth1: 10.0.1.2/30}, sysctls: {net.ipv4.tcp_rmem: "4096 87380 6291456"}}
  links:
    - endpoints: ["a:eth1", "r1:eth1"]
    - endpoints: ["r1:eth2", "b:eth1"]
`;

const plan = async () => planLab(await loadLab('/lab/lab.yaml', { fs: { readFile: async () => LAB, exists: async () => true }, exists: () => true }));

const ok = (argv: string[], extra: Partial<CommandResult> = {}): CommandResult => ({ argv, exitCode: 0, signal: null, stdout: '', stderr: '', durationMs: 1, failed: false, ...extra });

describe('configuring nodes from a few host ip -batch runs', () => {
  it('runs sysctl -w, then the node’s own batch file, in its namespace', () => {
    expect(renderNetSetup({ ns: 'asymlab_x_a', node: 'a', sysctls: ['net.ipv4.ip_forward=1', 'net.ipv6.conf.eth1/100.accept_dad=0'], batchFile: '/run/x/a.ip' })).toEqual([
      'netns exec asymlab_x_a sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.eth1/100.accept_dad=0\n',
      'netns exec asymlab_x_a ip -batch /run/x/a.ip\n',
    ]);
  });

  it('takes only words that ip’s line splitter keeps whole', () => {
    for (const w of ['net.ipv4.ip_forward=1', 'net.ipv6.conf.eth1/100.accept_dad=0', '/var/run/asymlab/x/net/asymlab_x_a.ip']) expect(isBatchWord(w)).toBe(true);
    for (const w of ['net.ipv4.tcp_rmem=4096 87380', 'a="b"', "a='b'", 'a=1#2', 'a=\n', '']) expect(isBatchWord(w)).toBe(false);
  });

  it('splits into runs of about equal size, none empty, order kept', () => {
    expect(splitEven([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4, 5]]);
    expect(splitEven([1, 2], 4)).toEqual([[1], [2]]);
    expect(splitEven([], 4)).toEqual([]);
  });

  it('names the node whose line failed', async () => {
    const setups = ['a', 'b'].map((n) => ({ ns: `asymlab_x_${n}`, node: n, sysctls: ['net.ipv4.ip_forward=1'], batchFile: `/run/x/${n}.ip` }));
    const run = async (argv: string[]) => ok(argv, { exitCode: 1, failed: true, stderr: 'Error: ipv4: Address already assigned.\nCommand failed /run/x/b.ip:2\nCommand failed -:4\n' });
    await expect(runNetSetups(run, setups, 1)).rejects.toThrow(/^\[b\] ip -batch -: exit code 1/);
  });

  it('writes each node’s batch, runs the plain ones in host batches and the others argv by argv, and leaves no file', async () => {
    const p = await plan();
    const base = await mkdtemp(join(tmpdir(), 'asymlab-net-'));
    const dir = join(base, 'net');
    const host: { input: string; batches: Record<string, string> }[] = [];
    const run = async (argv: string[], opts: RunOptions = {}) => {
      const input = opts.input ?? '';
      const batches: Record<string, string> = {};
      for (const m of input.matchAll(/ip -batch (\S+)/g)) batches[m[1]] = await readFile(m[1], 'utf8');
      host.push({ input, batches });
      return ok(argv);
    };
    const execs: { node: string; argv: string[]; input?: string }[] = [];
    const runtime = { exec: async (n: { node: { name: string } }, argv: string[], o: { input?: string } = {}) => (execs.push({ node: n.node.name, argv, input: o.input }), ok(argv)) } as unknown as Runtime;
    await configureNodes(runtime, run, p, dir);
    // Two nodes, two host batches at once; each line is one node's.
    expect(host.length).toBeGreaterThan(0);
    const input = host.map((h) => h.input).join('');
    const batches = Object.assign({}, ...host.map((h) => h.batches)) as Record<string, string>;
    const [a, r1, b] = p.nodes;
    expect(input).toContain(`netns exec ${a.ns} sysctl -q -w net.ipv6.conf.all.accept_dad=0`);
    expect(input).toMatch(new RegExp(`netns exec ${r1.ns} sysctl -q -w .*net.ipv4.ip_forward=1`));
    expect(batches[join(dir, `${a.ns}.ip`)]).toBe(renderNetBatch(a));
    expect(batches[join(dir, `${r1.ns}.ip`)]).toBe(renderNetBatch(r1));
    expect(input).not.toContain(b.ns);
    // A value with blanks goes to sysctl as one argv word, as before.
    expect(execs.map((e) => e.node)).toEqual(['b', 'b']);
    expect(execs[0].argv).toContain('net.ipv4.tcp_rmem=4096 87380 6291456');
    expect(execs[1]).toEqual({ node: 'b', argv: ['ip', '-batch', '-'], input: renderNetBatch(b) });
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
    await rm(base, { recursive: true });
  });
});
