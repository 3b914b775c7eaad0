/**
 * The command line on hostile lab files: one clean input error (exit 2), never an internal error
 * (exit 70); --allow-outside-paths lets a trusted lab name outside files, and warnings are printed
 * while validate still exits 0.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

function labFile(ref: string, extra = ''): string {
  // the lab in a folder of its own, beside a file it has no business reading
  const dir = join(mkdtempSync(join(tmpdir(), 'asymlab-hostile-')), 'lab');
  mkdirSync(dir);
  writeFileSync(join(dir, '..', 'outside.conf'), 'hostname r1\n');
  const file = join(dir, 'lab.yaml');
  const lines = ['name: h3-hostile', 'topology:', '  nodes:', '    r1:', '      kind: router', '      interfaces: {eth1: 10.0.1.1/24}', `      ${ref}`];
  lines.push('    h1: {kind: host, interfaces: {eth1: 10.0.1.10/24}}', '  links:', '    - endpoints: ["r1:eth1", "h1:eth1"]', extra);
  writeFileSync(file, lines.join('\n'));
  return file;
}

describe('validate on hostile lab files', () => {
  it('refuses a file outside the lab folder at its key (exit 2), and takes it with --allow-outside-paths', async () => {
    const file = labFile('frr-config: ../outside.conf');
    const r = await cli('validate', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:7:7: topology.nodes.r1.frr-config: ${join(file, '..', '..', 'outside.conf')} is outside the lab folder`);
    const ok = await cli('validate', file, '--allow-outside-paths');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/valid lab 'h3-hostile'/);
  });

  it.each([
    ['frr-config: /dev/zero', 'is a device'],
    ['frr-config: /etc', 'is a directory'],
    ['iptables: /etc', 'is a directory'],
  ])('%s: one input error, even when outside paths are allowed', async (ref, why) => {
    const r = await cli('validate', labFile(ref), '--allow-outside-paths');
    expect(r.code).toBe(2);
    expect(r.err).toContain(why);
    expect(r.err).not.toMatch(/internal error/);
  });

  it('warns about a bind of a host system folder and still exits 0', async () => {
    const file = labFile("binds: ['/:/host']");
    const r = await cli('validate', file, '--allow-outside-paths');
    expect(r.code).toBe(0);
    expect(r.err).toContain(`asymlab: warning: ${file}:7:15: topology.nodes.r1.binds[0]: binds the host's / into the container`);
    expect(r.out).toMatch(/valid lab/);
  });

  it('refuses an alias bomb with exit 2, not an internal error', async () => {
    const levels = ['x0: &x0 [a, a, a, a, a, a, a, a, a, a]'];
    for (let i = 1; i < 12; i++) levels.push(`x${i}: &x${i} [${Array(10).fill(`*x${i - 1}`).join(', ')}]`);
    const r = await cli('validate', labFile('kind: router', levels.join('\n')));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/YAML aliases add .* nodes/);
  });

  it('lists --allow-outside-paths in the usage', async () => {
    expect((await cli('--help')).out).toMatch(/--allow-outside-paths/);
  });
});
