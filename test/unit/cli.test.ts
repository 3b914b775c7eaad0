import { mkdtempSync, writeFileSync } from 'node:fs';
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

describe('the command line', () => {
  it('prints usage with --help and with no command', async () => {
    expect((await cli('--help')).out).toMatch(/Usage: asymlab COMMAND/);
    expect((await cli()).code).toBe(0);
  });

  it('names an unknown command and lists the known ones (exit 2)', async () => {
    const r = await cli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command 'frobnicate'; commands: .*validate.*run/);
  });

  it('rejects an unknown option and a bad --runtime', async () => {
    expect((await cli('up', 'x.yaml', '--bogus')).code).toBe(2);
    const r = await cli('up', 'x.yaml', '--runtime', 'lxc');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--runtime must be netns or docker/);
  });

  it('validate: one error naming the file, line, path and fix; exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asymlab-cli-'));
    const file = join(dir, 'lab.yaml');
    writeFileSync(file, ['name: bad', 'topology:', '  nodes:', '    a: {kind: host, interfaces: {eth1: 10.0.0.1/24}}', '  links:', '    - endpoints: ["a:eth1", "fw9:eth1"]', ''].join('\n'));
    const r = await cli('validate', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:6:`);
    expect(r.err).toContain("topology.links[0].endpoints[1]: node 'fw9' is not defined");
    expect(r.err).toMatch(/define it under topology.nodes/);
  });

  it('validate: a good lab is summarised (exit 0)', async () => {
    const r = await cli('validate', 'labs/basic/asymmetric.yaml');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/valid lab 'asym': 2 hosts, 2 routers, 2 firewalls, 6 links, 1 flows/);
  });

  it('labs lists the bundled labs with their descriptions', async () => {
    const r = await cli('labs');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/labs\/expressroute\/er-return-via-internet\/lab\.yaml\s+er-return-via-internet\s+\S/);
    expect(r.out).not.toMatch(/base\.yaml/);
  });
});

describe('asymlab test over a glob', () => {
  it('takes folders with lab.yaml and lab files, and passes over READMEs and base files', async () => {
    const { selectLabs } = await import('../../src/cli/commands/run.js');
    const notes: string[] = [];
    const picked = selectLabs(
      ['labs/expressroute/README.md', 'labs/expressroute/base.yaml', 'labs/expressroute/baseline', 'labs/basic/quick.yaml', 'labs/basic'],
      (s) => notes.push(s),
    );
    expect(picked).toEqual(['labs/expressroute/baseline/lab.yaml', 'labs/basic/quick.yaml']);
    expect(notes.join('\n')).toMatch(/README.md: not a lab file[\s\S]*base.yaml: a base for other labs[\s\S]*labs\/basic: no lab.yaml/);
  });
});
