/**
 * Per-node files on netns (src/runtime/netns/node-fs.ts): what a node's exec lines write under
 * /etc, /etc/frr and /root stays with the node and the host's files never change; binds are seen
 * at their container paths; a lab killed mid-up is found and removed by its name; and bad
 * containerlab input is one clear error with nothing built.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { upLab } from '../../src/lab/up.js';
import { loadLab } from '../../src/topology/load.js';
import { canBuildLabs, repoRoot, until, whyNoLabs } from '../helpers/machine.js';
import { traces } from '../helpers/node-fs.js';

const work = mkdtempSync(join(tmpdir(), 'asymlab-h11-files-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[], onSpawn?: (pid: number) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/asymlab.js'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  if (child.pid) onSpawn?.(child.pid);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** A containerlab file in a folder of its own, with the files it binds. */
function clabLab(text: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(work, 'lab-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  writeFileSync(join(dir, 'lab.clab.yml'), text);
  return join(dir, 'lab.clab.yml');
}

const WRITES = [
  "echo '10.9.9.9 h11-marker' >> /etc/hosts",
  'mkdir -p /etc/frr && echo h11 > /etc/frr/h11-marker.conf',
  'echo h11 > /root/h11-marker',
];

describe.skipIf(!canBuildLabs)(`a node's own files on netns${canBuildLabs ? '' : ` — skipped: ${whyNoLabs}`}`, () => {
  it("exec lines writing to /etc/hosts, /etc/frr and /root change the node's files, never the host's", async () => {
    const hostsBefore = readFileSync('/etc/hosts', 'utf8');
    const file = clabLab(
      [
        'name: files',
        'topology:',
        '  nodes:',
        '    R1:',
        '      kind: linux',
        '      image: quay.io/frrouting/frr:10.5.1',
        '      binds: [r1/frr.conf:/etc/frr/frr.conf, data:/var/lib/h11-data:ro]',
        `      exec: ${JSON.stringify(WRITES)}`,
        '    PC1:',
        '      kind: linux',
        '      image: alpine:3',
        '      env: {GREETING: hello}',
        `      exec: ${JSON.stringify([...WRITES, 'ip addr add 10.0.0.2/24 dev eth1', 'echo "$GREETING" > /root/greeting'])}`,
        '  links:',
        '    - endpoints: ["R1:eth1", "PC1:eth1"]',
        '',
      ].join('\n'),
      { 'r1/frr.conf': 'hostname R1\ninterface eth1\n ip address 10.0.0.1/24\n', 'data/hello.txt': 'hello from the host\n' },
    );
    const lab = { ...(await loadLab(file)), name: 'h11-files' };
    const started = await upLab(lab);
    try {
      for (const name of ['R1', 'PC1']) {
        const n = started.plan.nodes.find((x) => x.node.name === name)!;
        const seen = await started.runtime.exec(n, ['sh', '-c', 'tail -1 /etc/hosts; cat /etc/frr/h11-marker.conf /root/h11-marker'], { context: 'node' });
        expect(seen.stdout, name).toBe('10.9.9.9 h11-marker\nh11\nh11\n');
      }
      const r1 = started.plan.nodes.find((x) => x.node.name === 'R1')!;
      // binds at their container paths: FRR runs the bound frr.conf, a read-only folder stays so
      const running = await started.runtime.exec(r1, ['vtysh', '-c', 'show running-config'], { context: 'node' });
      expect(running.stdout).toMatch(/^hostname R1$/m);
      expect((await started.runtime.exec(r1, ['cat', '/var/lib/h11-data/hello.txt'], { context: 'node' })).stdout).toBe('hello from the host\n');
      const ro = await started.runtime.exec(r1, ['sh', '-c', 'echo x > /var/lib/h11-data/hello.txt'], { context: 'node', reject: false });
      expect(ro.exitCode).not.toBe(0);
      const pc1 = started.plan.nodes.find((x) => x.node.name === 'PC1')!;
      expect((await started.runtime.exec(pc1, ['ping', '-c', '1', '-W', '2', '10.0.0.1'], { reject: false })).exitCode).toBe(0);
      // env: is the exec lines' environment
      expect((await started.runtime.exec(pc1, ['cat', '/root/greeting'], { context: 'node' })).stdout).toBe('hello\n');
    } finally {
      await started.down();
    }
    expect(readFileSync('/etc/hosts', 'utf8')).toBe(hostsBefore);
    expect(existsSync('/etc/frr/h11-marker.conf')).toBe(false);
    expect(existsSync('/root/h11-marker')).toBe(false);
    expect(readFileSync(join(file, '..', 'data/hello.txt'), 'utf8')).toBe('hello from the host\n');
    expect(traces('h11-files')).toEqual([]);
  });

  it('a lab killed (kill -9) in the middle of up is found by its name and removed whole by down', async () => {
    const gate = join(work, 'gate');
    mkdirSync(gate);
    const file = clabLab(
      [
        'name: h11-kill',
        'topology:',
        '  nodes:',
        '    a: {kind: linux, binds: ["' + gate + ':/run/gate"], exec: ["while [ ! -e /run/gate/open ]; do sleep 0.05; done"]}',
        '    b: {kind: linux}',
        '  links:',
        '    - endpoints: ["a:eth1", "b:eth1"]',
        '',
      ].join('\n'),
    );
    let pid = 0;
    const up = cli(['up', file, '--quiet', '--allow-outside-paths'], (p) => (pid = p));
    // the exec line runs in the node's own filesystem, and sees the bound folder: it waits there
    await until(() => traces('h11-kill').some((t) => t.startsWith('process')), 'the exec line waiting in node a');
    process.kill(pid, 'SIGKILL');
    await up;
    expect(traces('h11-kill').some((t) => t.startsWith('mount'))).toBe(true);
    const down = await cli(['down', 'h11-kill']);
    expect(down.code, down.stderr).toBe(0);
    expect(traces('h11-kill')).toEqual([]);
  });

  it('bad containerlab input is one clear error, and nothing is built', async () => {
    const base = (nodes: string[]) => ['name: h11-bad', 'topology:', '  nodes:', ...nodes, '  links:', '    - endpoints: ["r1:eth1", "r2:eth1"]', ''].join('\n');
    const cases: [string, string, RegExp][] = [
      ['unknown kind', base(['    r1: {kind: linux}', '    r2: {kind: juniper_vmx}']), /topology\.nodes\.r2\.kind: kind 'juniper_vmx' cannot be emulated: it is a virtual machine.*\(stand in a `kind: linux` node with an FRR image/],
      ['names that collide', base(['    r1: {kind: linux}', '    r2: {kind: linux}', '    R2: {kind: linux}']), /topology\.nodes\.R2: node names 'r2' and 'R2' both become asymlab_h11-bad_r2 once made safe/],
      ['a missing bind source', base(['    r1: {kind: linux, binds: [r1/frr.conf:/etc/frr/frr.conf]}', '    r2: {kind: linux}']), /topology\.nodes\.r1\.binds\[0\]: file .*\/r1\/frr\.conf does not exist/],
    ];
    for (const [what, text, message] of cases) {
      const r = await cli(['up', clabLab(text), '--quiet']);
      expect(r.code, `${what}: ${r.stderr}`).toBe(2);
      expect(r.stderr, what).toMatch(message);
      expect(r.stderr.match(/^ {2}\S/gm) ?? [], what).toHaveLength(1);
      expect(traces('h11-bad'), what).toEqual([]);
    }
  });
});
