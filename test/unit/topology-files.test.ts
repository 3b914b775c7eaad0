/**
 * Files a lab names (frr-config, iptables, extends, bind sources): regular files of a bounded size
 * inside the lab folder, checked while loading, reported at the key that names them, and never
 * quoted back. In-memory files, with symlinks, folders, devices and FIFOs; then the readers on disk.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { vtyshErrors } from '../../src/nodes/frr.js';
import { isInside, MAX_CONFIG_BYTES, probeFile, readConfigFile } from '../../src/topology/file-ref.js';
import { loadLab, loadLabWithWarnings, type LoadOptions } from '../../src/topology/load.js';
import { memFs, yaml, type MemExtras } from './helpers/lab-source.js';

const SECRET = 'root:$6$SECRETHASH:19000:0:99999:7:::\n';

// r1's line 7 is where the reference under test goes (REF); the rest of the lab is valid.
const LAB = yaml(`
  name: files
  topology:
    nodes:
      r1:
        kind: router
        interfaces: {eth1: 10.0.1.1/24}
        REF
      h1:
        kind: host
        interfaces: {eth1: 10.0.1.10/24}
    links:
      - endpoints: ["r1:eth1", "h1:eth1"]
`);

const withRef = (ref: string) => LAB.replace('REF', ref);

/** The host around /lab: a secret, a device, folders, a FIFO. */
const HOST: Record<string, string> = { '/etc/shadow': SECRET, '/lab/configs/r1.conf': 'hostname r1\n', '/etc/r1.conf': 'hostname r1\n' };
const HOST_EXTRAS: MemExtras = { special: { '/dev/zero': 'device', '/lab/fifo.conf': 'fifo', '/lab/data': 'directory' } };

async function load(files: Record<string, string>, opts: LoadOptions = {}, extras: MemExtras = HOST_EXTRAS) {
  return loadLabWithWarnings('/lab/lab.yaml', { fs: memFs({ ...HOST, ...files }, extras), ...opts });
}

async function refused(files: Record<string, string>, opts: LoadOptions = {}, extras?: MemExtras): Promise<LabError> {
  try {
    await load(files, opts, extras);
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    expect((e as LabError).kind).toBe('input');
    // whatever the reason, the target's contents never appear
    expect((e as LabError).message).not.toContain('SECRETHASH');
    return e as LabError;
  }
  throw new Error('the lab loaded, but it names a file it may not');
}

describe('frr-config and iptables', () => {
  it('refuses /etc/shadow, at the key that names it and without a word of it', async () => {
    const err = await refused({ '/lab/lab.yaml': withRef('frr-config: /etc/shadow') });
    expect(err.problems).toHaveLength(1);
    expect(err.message).toContain('/lab/lab.yaml:7:7: topology.nodes.r1.frr-config: /etc/shadow is outside the lab folder /lab');
    expect(err.problems[0].hint).toMatch(/--allow-outside-paths/);
  });

  it('refuses a relative path that climbs out of the lab folder', async () => {
    const err = await refused({ '/lab/lab.yaml': withRef('frr-config: ../../../etc/shadow') });
    expect(err.message).toContain('/lab/lab.yaml:7:7: topology.nodes.r1.frr-config: /etc/shadow is outside the lab folder /lab');
    const ipt = await refused({ '/lab/lab.yaml': withRef('iptables: ../../etc/shadow') });
    expect(ipt.message).toContain('/lab/lab.yaml:7:7: topology.nodes.r1.iptables: /etc/shadow is outside the lab folder /lab');
  });

  it('follows a symlink and judges its target', async () => {
    const links = { links: { '/lab/r1.conf': '/etc/shadow', '/lab/ok.conf': '/lab/configs/r1.conf' } };
    const err = await refused({ '/lab/lab.yaml': withRef('frr-config: r1.conf') }, {}, links);
    expect(err.message).toContain('topology.nodes.r1.frr-config: /lab/r1.conf (resolved: /etc/shadow) is outside the lab folder /lab');
    const { lab } = await load({ '/lab/lab.yaml': withRef('frr-config: ok.conf') }, {}, links);
    expect(lab.nodes[0].frrConfig).toBe('/lab/ok.conf');
  });

  it('refuses a device, a folder and a FIFO even with --allow-outside-paths, as one input error each', async () => {
    const allow = { allowOutsidePaths: true };
    expect((await refused({ '/lab/lab.yaml': withRef('frr-config: /dev/zero') }, allow)).message).toContain(
      '/lab/lab.yaml:7:7: topology.nodes.r1.frr-config: /dev/zero is a device, not an FRR config file (name a regular file)',
    );
    expect((await refused({ '/lab/lab.yaml': withRef('frr-config: /etc') }, allow)).message).toContain('topology.nodes.r1.frr-config: /etc is a directory, not an FRR config file');
    expect((await refused({ '/lab/lab.yaml': withRef('iptables: /etc') }, allow)).message).toContain('topology.nodes.r1.iptables: /etc is a directory, not an iptables-save file');
    expect((await refused({ '/lab/lab.yaml': withRef('iptables: fifo.conf') })).message).toContain('topology.nodes.r1.iptables: /lab/fifo.conf is a FIFO');
  });

  it(`refuses a config over ${MAX_CONFIG_BYTES / 1024 / 1024} MiB`, async () => {
    const err = await refused({ '/lab/lab.yaml': withRef('frr-config: big.conf'), '/lab/big.conf': '!\n'.repeat(MAX_CONFIG_BYTES / 2 + 1) });
    expect(err.message).toContain('topology.nodes.r1.frr-config: /lab/big.conf is 1,048,578 bytes; an FRR config file may be at most 1 MiB');
  });

  it('takes a file inside the folder, and one outside with --allow-outside-paths', async () => {
    expect((await load({ '/lab/lab.yaml': withRef('frr-config: configs/r1.conf') })).lab.nodes[0].frrConfig).toBe('/lab/configs/r1.conf');
    await refused({ '/lab/lab.yaml': withRef('iptables: /etc/r1.conf') });
    const { lab, warnings } = await load({ '/lab/lab.yaml': withRef('iptables: /etc/r1.conf') }, { allowOutsidePaths: true });
    expect(lab.nodes[0].iptables).toBe('/etc/r1.conf');
    expect(warnings).toEqual([]);
  });

  it('reports an inherited reference at each node that inherits it', async () => {
    const text = withRef('group: g').replace('  nodes:', '  groups:\n    g: {frr-config: /etc/shadow}\n  nodes:');
    const err = await refused({ '/lab/lab.yaml': text });
    expect(err.problems.map((p) => `${p.file} ${p.path}`)).toEqual(['/lab/lab.yaml:6:5 topology.nodes.r1.frr-config']);
  });
});

describe('binds', () => {
  it('refuses a host path outside the lab folder', async () => {
    const err = await refused({ '/lab/lab.yaml': withRef("binds: ['/:/host']") });
    expect(err.message).toContain('/lab/lab.yaml:7:15: topology.nodes.r1.binds[0]: / is outside the lab folder /lab');
  });

  it('allows it with --allow-outside-paths, with a warning naming a host system folder', async () => {
    const { warnings } = await load({ '/lab/lab.yaml': withRef("binds: ['/:/host', '/etc/shadow:/s:ro', '/lab/data:/data']") }, { allowOutsidePaths: true });
    expect(warnings.map((w) => `${w.file} ${w.path}: ${w.message}`)).toEqual([
      "/lab/lab.yaml:7:15 topology.nodes.r1.binds[0]: binds the host's / into the container",
      "/lab/lab.yaml:7:26 topology.nodes.r1.binds[1]: binds the host's /etc/shadow into the container",
    ]);
  });

  it('takes a folder or a file of the lab folder, relative to it; refuses a FIFO and a missing one', async () => {
    const { lab, warnings } = await load({ '/lab/lab.yaml': withRef("binds: ['data:/data', 'configs/r1.conf:/etc/frr/frr.conf:ro']") });
    expect(lab.nodes[0].binds).toHaveLength(2);
    expect(warnings).toEqual([]);
    expect((await refused({ '/lab/lab.yaml': withRef("binds: ['fifo.conf:/x']") })).message).toContain('binds[0]: /lab/fifo.conf is a FIFO, not a file or folder to bind');
    // docker would create a missing source as a root-owned folder on the host
    expect((await refused({ '/lab/lab.yaml': withRef("binds: ['nowhere:/x']") })).message).toContain('binds[0]: file /lab/nowhere does not exist');
  });
});

describe('extends', () => {
  const CHILD = 'name: child\nextends: EXT\n';

  it('may name a base in the lab folder or beside it, one folder up', async () => {
    const base = withRef('');
    expect((await load({ '/lab/lab.yaml': CHILD.replace('EXT', 'base.yaml'), '/lab/base.yaml': base })).lab.name).toBe('child');
    const fs = memFs({ '/labs/base.yaml': base, '/labs/s1/lab.yaml': CHILD.replace('EXT', '../base.yaml') });
    expect((await loadLab('/labs/s1/lab.yaml', { fs })).nodes).toHaveLength(2);
  });

  it('refuses a base outside the lab folder’s parent, at the extends line', async () => {
    const fs = memFs({ '/srv/other/base.yaml': withRef(''), '/srv/labs/s1/lab.yaml': CHILD.replace('EXT', '../../other/base.yaml') });
    const err = await loadLab('/srv/labs/s1/lab.yaml', { fs }).catch((e: LabError) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toContain("/srv/labs/s1/lab.yaml:2:1: extends: /srv/other/base.yaml is outside the lab folder's parent /srv/labs");
    await expect(loadLab('/srv/labs/s1/lab.yaml', { fs, allowOutsidePaths: true })).resolves.toBeDefined();
  });

  it('refuses what is not a lab file: no .yaml name, a device, a symlink out', async () => {
    expect((await refused({ '/lab/lab.yaml': CHILD.replace('EXT', '/etc/shadow') })).message).toContain('/lab/lab.yaml:2:1: extends: /etc/shadow is not a .yaml or .yml file');
    const extras: MemExtras = { special: { '/lab/zero.yaml': 'device' }, links: { '/lab/evil.yaml': '/etc/evil.yaml' } };
    expect((await refused({ '/lab/lab.yaml': CHILD.replace('EXT', 'zero.yaml') }, {}, extras)).message).toContain('extends: /lab/zero.yaml is a device, not a lab file');
    const fs = memFs({ '/srv/labs/s1/lab.yaml': CHILD.replace('EXT', 'evil.yaml'), '/etc/evil.yaml': 'name: x\n' }, { links: { '/srv/labs/s1/evil.yaml': '/etc/evil.yaml' } });
    await expect(loadLab('/srv/labs/s1/lab.yaml', { fs })).rejects.toThrow("extends: /srv/labs/s1/evil.yaml (resolved: /etc/evil.yaml) is outside the lab folder's parent /srv/labs");
  });

  it('refuses a base over the lab file size limit', async () => {
    const err = await refused({ '/lab/lab.yaml': CHILD.replace('EXT', 'base.yaml'), '/lab/base.yaml': `${withRef('')}#${'x'.repeat(2000)}\n` }, { maxLabFileBytes: 1000 });
    expect(err.message).toMatch(/\/lab\/lab\.yaml:2:1: extends: \/lab\/base\.yaml is [\d,]+ bytes; a lab file may be at most/);
  });
});

describe('the lab file itself', () => {
  it('must be a regular file', async () => {
    const fs = memFs({}, { special: { '/dev/zero': 'device', '/lab': 'directory' } });
    await expect(loadLab('/dev/zero', { fs })).rejects.toThrow('/dev/zero: /dev/zero is not a regular file');
  });

  it('is at most 8 MiB unless the limit is raised', async () => {
    const big = `${withRef('')}#${'x'.repeat(8 * 1024 * 1024)}\n`;
    const err = await refused({ '/lab/lab.yaml': big });
    expect(err.message).toContain(`/lab/lab.yaml: the lab file is ${Buffer.byteLength(big).toLocaleString('en-US')} bytes; a lab file may be at most 8 MiB`);
    await expect(load({ '/lab/lab.yaml': big }, { maxLabFileBytes: 9 * 1024 * 1024 })).resolves.toBeDefined();
  });
});

describe('on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'asymlab-files-'));
  mkdirSync(join(dir, 'lab'));
  mkdirSync(join(dir, 'lab', 'folder'));
  writeFileSync(join(dir, 'secret.conf'), SECRET);
  writeFileSync(join(dir, 'lab', 'r1.conf'), 'hostname r1\n');
  writeFileSync(join(dir, 'lab', 'big.conf'), Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x21));
  symlinkSync(join(dir, 'secret.conf'), join(dir, 'lab', 'link.conf'));
  execFileSync('mkfifo', [join(dir, 'lab', 'fifo.conf')]);

  it('probes kinds, sizes and real paths', async () => {
    expect(await probeFile(join(dir, 'lab', 'link.conf'))).toMatchObject({ kind: 'file', realPath: join(dir, 'secret.conf') });
    expect((await probeFile(join(dir, 'lab', 'fifo.conf'))).kind).toBe('fifo');
    expect((await probeFile(join(dir, 'lab', 'folder'))).kind).toBe('directory');
    expect((await probeFile('/dev/zero')).kind).toBe('device');
    expect(await probeFile(join(dir, 'nowhere'))).toMatchObject({ kind: 'missing', code: 'ENOENT' });
    expect(isInside(join(dir, 'lab', 'r1.conf'), join(dir, 'lab'))).toBe(true);
    expect(isInside(join(dir, 'lab-other', 'r1.conf'), join(dir, 'lab'))).toBe(false);
  });

  it('loads a lab whose symlink leads out of its folder as an input error', async () => {
    writeFileSync(join(dir, 'lab', 'lab.yaml'), withRef('frr-config: link.conf'));
    const err = await loadLab(join(dir, 'lab', 'lab.yaml')).catch((e: LabError) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toContain(`lab.yaml:7:7: topology.nodes.r1.frr-config: ${join(dir, 'lab', 'link.conf')} (resolved: ${join(dir, 'secret.conf')}) is outside the lab folder`);
  });

  it('reads a config again at use: a regular file within the limit, or an input error (no hang on a FIFO)', async () => {
    expect(await readConfigFile(join(dir, 'lab', 'r1.conf'), 'frr-config')).toBe('hostname r1\n');
    for (const [name, why] of [
      ['fifo.conf', 'is not a regular file'],
      ['folder', 'is not a regular file'],
      ['big.conf', 'at most 1 MiB'],
      ['nowhere', 'cannot open'],
    ]) {
      const err = await readConfigFile(join(dir, 'lab', name), 'topology.nodes.r1.iptables').catch((e: LabError) => e);
      expect(err, name).toBeInstanceOf(LabError);
      expect((err as LabError).kind).toBe('input');
      expect((err as LabError).message).toContain(why);
    }
    await expect(readConfigFile('/dev/zero', 'x')).rejects.toThrow('is not a regular file');
  });
});

describe("vtysh's complaints", () => {
  it('keep the line numbers and reasons, never the rejected lines', () => {
    const out = [
      'line 1: % Unknown command[4]: root:$6$SECRETHASH:19000:0:99999:7:::',
      '',
      'line 3: % Command incomplete[25]:  neighbor 10.0.0.2 remote-as',
      'line 4: % Unknown command[4]: %% odd: SECRETHASH',
    ].join('\n');
    expect(vtyshErrors(out)).toEqual(['line 1: % Unknown command', 'line 3: % Command incomplete', 'line 4: % Unknown command']);
  });
});
