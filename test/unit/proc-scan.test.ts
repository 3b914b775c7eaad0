import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labProcesses, labsOfProcesses, markerOf, nsInodeOf, parseProc, pathspaceOf, readProcs, stateOf, type ProcEntry } from '../../src/runtime/proc-scan.js';

// Fixture text as /proc gives it: NUL-separated environ and cmdline, stat with comm in parentheses.
const nul = (...parts: string[]) => `${parts.join('\0')}\0`;
const HOST_NET = 'net:[4026531840]';
const LAB_NET = 'net:[4026532226]';
const GONE_NET = 'net:[4026533005]'; // a namespace whose name was deleted
const HOST_PID = 'pid:[4026531836]';
const CONTAINER_PID = 'pid:[4026532999]';

function proc(pid: number, o: { state?: string; comm?: string; net?: string; pidNs?: string; env?: string[]; argv?: string[] }): ProcEntry {
  const e = parseProc(pid, {
    stat: `${pid} (${o.comm ?? 'x'}) ${o.state ?? 'S'} 1 ${pid} ${pid} 0 -1 4194560 1024 0 0 0`,
    netLink: o.net ?? HOST_NET,
    pidNsLink: o.pidNs ?? HOST_PID,
    environ: nul('PATH=/usr/sbin:/usr/bin', 'LANG=C.UTF-8', ...(o.env ?? [])),
    cmdline: nul(...(o.argv ?? ['/bin/sleep', '30'])),
  });
  if (!e) throw new Error('fixture did not parse');
  return e;
}

const bgpd = (ps: string) => ['/usr/lib/frr/bgpd', '-d', '-N', ps, '-A', '127.0.0.1', '-F', 'traditional'];

describe('parsing /proc', () => {
  it('reads the state after the last parenthesis, whatever the command name holds', () => {
    expect(stateOf('42 (bgpd) S 1 42 42 0 -1')).toBe('S');
    expect(stateOf('43 (a) b (c) Z 1 43')).toBe('Z');
    expect(stateOf('44 (tcpdump) ')).toBeUndefined();
    expect(stateOf('garbage')).toBeUndefined();
  });

  it('reads a namespace inode from its link', () => {
    expect(nsInodeOf('net:[4026532226]')).toBe(4026532226);
    expect(nsInodeOf('/proc/12/ns/net')).toBeUndefined();
    expect(nsInodeOf(undefined)).toBeUndefined();
  });

  it('finds the marker among the environment, not a look-alike', () => {
    expect(markerOf(nul('PATH=/bin', 'ASYMLAB_NS=asymlab_h2-a_r1', 'TZ=UTC'))).toBe('asymlab_h2-a_r1');
    expect(markerOf(nul('XASYMLAB_NS=asymlab_h2-a_r1'))).toBeUndefined();
    expect(markerOf('')).toBeUndefined();
  });

  it("reads FRR's pathspace in every spelling", () => {
    expect(pathspaceOf(bgpd('asymlab_h2-a_r1'))).toBe('asymlab_h2-a_r1');
    expect(pathspaceOf(['/usr/lib/frr/zebra', '-Nasymlab_h2-a_r1'])).toBe('asymlab_h2-a_r1');
    expect(pathspaceOf(['/usr/lib/frr/zebra', '--pathspace=asymlab_h2-a_r1'])).toBe('asymlab_h2-a_r1');
    expect(pathspaceOf(['/usr/lib/frr/zebra', '--pathspace', 'asymlab_h2-a_r1'])).toBe('asymlab_h2-a_r1');
    expect(pathspaceOf(['/usr/lib/frr/zebra', '-d'])).toBeUndefined();
  });

  it('keeps empty arguments inside a command line and drops the final NUL', () => {
    expect(proc(5, { argv: ['sh', '-c', '', 'x'] }).argv).toEqual(['sh', '-c', '', 'x']);
  });
});

describe("finding a lab's processes", () => {
  const entries = [
    proc(100, { argv: bgpd('asymlab_h2-a_r1'), net: GONE_NET }), // FRR orphan: its namespace lost its name
    proc(101, { env: ['ASYMLAB_NS=asymlab_h2-a_r2'], argv: ['tcpdump', '-i', 'eth1'], net: GONE_NET }), // orphan by marker
    proc(102, { net: LAB_NET }), // in a named namespace of the lab, no marker
    proc(103, { state: 'Z', argv: bgpd('asymlab_h2-a_r1') }), // a zombie is not a leak
    proc(104, { argv: bgpd('asymlab_h2-b_r1'), net: GONE_NET }), // another lab's
    proc(105, { env: ['ASYMLAB_NS=asymlab_h2-b_r1'] }), // another lab's, by marker
    proc(106, { argv: ['/usr/bin/vim', '-N', 'asymlab_h2-a_r1'] }), // -N on something that is not FRR
    proc(107, { argv: ['/usr/lib/frr/zebra', '-d'], net: GONE_NET }), // FRR named by a pid file
    proc(108, { argv: ['/usr/lib/frr/zebra', '-d'], net: HOST_NET }), // the host's own FRR, a stale pid file's PID
    proc(109, { argv: ['/bin/sleep', '30'], net: GONE_NET }), // a pid file's PID reused by something else
    proc(110, { net: LAB_NET, pidNs: CONTAINER_PID }), // a container's own process
    proc(111, { env: ['ASYMLAB_NS=asymlab_h2-a_r1'] }), // asymlab itself, were it marked
  ];
  const match = {
    lab: 'h2-a',
    netInodes: new Set([4026532226]),
    pidFilePids: new Set([107, 108, 109, 104]),
    hostNetInode: 4026531840,
    exclude: new Set([111]),
  };

  it('by namespace inode, marker, FRR pathspace and pid file; not zombies, other labs, look-alikes, the host or itself', () => {
    expect(labProcesses(entries, match)).toEqual([100, 101, 102, 107, 110]);
  });

  it('counts no pid file when the host namespace is unknown', () => {
    expect(labProcesses(entries, { ...match, hostNetInode: undefined })).toEqual([100, 101, 102, 110]);
  });

  it("only in one pid namespace when asked (docker: a container's processes go with it)", () => {
    expect(labProcesses(entries, { ...match, pidNs: HOST_PID })).toEqual([100, 101, 102, 107]);
  });

  it('names the labs that live processes belong to, also when nothing else of them is left', () => {
    expect(labsOfProcesses(entries, new Set([111]))).toEqual(['h2-a', 'h2-b']);
    // A zombie, or -N on a program that is not FRR, names no lab.
    expect(labsOfProcesses(entries.filter((e) => e.pid !== 100 && e.pid !== 101), new Set([111]))).toEqual(['h2-b']);
    expect(labsOfProcesses([proc(103, { state: 'Z', argv: bgpd('asymlab_h2-c_r1') })])).toEqual([]);
  });
});

describe('reading a /proc tree', () => {
  /** A fake /proc: the ns links are dangling symlinks whose target is the text the kernel shows. */
  function fakeProc(procs: Record<string, { net: string; env?: string[]; argv?: string[]; state?: string }>): string {
    const root = mkdtempSync(join(tmpdir(), 'asymlab-proc-'));
    mkdirSync(join(root, 'self/ns'), { recursive: true });
    symlinkSync(HOST_NET, join(root, 'self/ns/net'));
    for (const [pid, p] of Object.entries(procs)) {
      mkdirSync(join(root, pid, 'ns'), { recursive: true });
      symlinkSync(p.net, join(root, pid, 'ns/net'));
      symlinkSync(HOST_PID, join(root, pid, 'ns/pid'));
      writeFileSync(join(root, pid, 'stat'), `${pid} (x) ${p.state ?? 'S'} 1 1 1 0`);
      writeFileSync(join(root, pid, 'environ'), nul('PATH=/bin', ...(p.env ?? [])));
      writeFileSync(join(root, pid, 'cmdline'), nul(...(p.argv ?? ['/bin/sleep', '30'])));
    }
    return root;
  }

  it("returns only processes that could be a lab's, parsed", () => {
    const root = fakeProc({
      10: { net: HOST_NET }, // the host's, unmarked: not even read further
      11: { net: HOST_NET, env: ['ASYMLAB_NS=asymlab_h2-a_r1'] },
      12: { net: GONE_NET },
      13: { net: HOST_NET, argv: bgpd('asymlab_h2-a_r2') },
      14: { net: GONE_NET, state: 'Z' },
    });
    const entries = readProcs(root);
    expect(entries.map((e) => e.pid).sort()).toEqual([11, 12, 13, 14]);
    expect(entries.find((e) => e.pid === 12)).toMatchObject({ netInode: 4026533005, pidNs: HOST_PID, state: 'S', argv: ['/bin/sleep', '30'] });
    expect(labProcesses(entries, { lab: 'h2-a', netInodes: new Set([4026533005]) }).sort()).toEqual([11, 12, 13]);
  });
});
