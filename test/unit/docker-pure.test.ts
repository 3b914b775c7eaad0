import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planLab } from '../../src/plan/plan.js';
import { FALLBACK_MIRROR, parseAptSources, pickMirror } from '../../src/runtime/docker/apt-sources.js';
import { Demuxer, frame } from '../../src/runtime/docker/demux.js';
import { bindsOf, imageOf } from '../../src/runtime/docker/docker-runtime.js';
import { packagesFile, parsePackageList } from '../../src/runtime/docker/images.js';
import { rootfsKey } from '../../src/runtime/docker/rootfs.js';
import { buildTar, tarHeader } from '../../src/runtime/docker/tar.js';
import type { Lab, LabNode } from '../../src/topology/types.js';

describe('tar builder', () => {
  it('writes an archive GNU tar extracts byte for byte, with mode and owner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asymlab-tar-'));
    try {
      const long = `${'d'.repeat(120)}/file.conf`;
      const tar = buildTar([
        { name: 'frr.conf', content: 'hostname r1\n!\n', mode: 0o640, uid: 100, gid: 101, mtimeS: 1_700_000_000 },
        { name: 'empty', content: '' },
        { name: 'block', content: Buffer.alloc(512, 0x61) },
        { name: long, content: 'deep\n' },
      ]);
      expect(tar.length % 512).toBe(0);
      writeFileSync(join(dir, 'a.tar'), tar);
      const listing = execFileSync('tar', ['-tvf', join(dir, 'a.tar'), '--numeric-owner'], { encoding: 'utf8' });
      expect(listing).toMatch(/^-rw-r----- 100\/101\s+14 2023-11-14 \S+ frr\.conf$/m);
      execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', dir]);
      expect(readFileSync(join(dir, 'frr.conf'), 'utf8')).toBe('hostname r1\n!\n');
      expect(readFileSync(join(dir, 'empty'), 'utf8')).toBe('');
      expect(readFileSync(join(dir, 'block'), 'utf8')).toBe('a'.repeat(512));
      expect(readFileSync(join(dir, long), 'utf8')).toBe('deep\n');
      expect(statSync(join(dir, 'frr.conf')).mode & 0o777).toBe(0o640);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has a valid header checksum and refuses unsafe paths', () => {
    const h = tarHeader({ name: 'x', content: '', mtimeS: 0 }, 0);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
    expect(parseInt(h.subarray(148, 154).toString(), 8)).toBe(sum);
    expect(() => tarHeader({ name: '/etc/passwd', content: '' }, 0)).toThrow(/unsafe/);
    expect(() => tarHeader({ name: 'a/../../b', content: '' }, 0)).toThrow(/unsafe/);
    expect(() => tarHeader({ name: 'x'.repeat(101), content: '' }, 0)).toThrow(/too long/);
  });
});

describe('exec stream demuxer', () => {
  it('splits stdout and stderr, also across chunk boundaries', () => {
    const bytes = Buffer.concat([frame(1, 'out1\n'), frame(2, 'err\n'), frame(1, 'out2 é\n')]);
    const d = new Demuxer();
    for (let i = 0; i < bytes.length; i += 3) d.push(bytes.subarray(i, i + 3));
    expect(d.stdout).toBe('out1\nout2 é\n');
    expect(d.stderr).toBe('err\n');
    expect(d.leftover).toBe(0);
  });

  it('keeps an incomplete frame pending', () => {
    const d = new Demuxer();
    d.push(frame(1, 'abcdef').subarray(0, 10));
    expect(d.stdout).toBe('');
    expect(d.leftover).toBe(10);
  });
});

describe('apt mirror', () => {
  const deb822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
`;

  it('reads deb822 .sources files', () => {
    const s = parseAptSources([{ name: '/etc/apt/sources.list.d/debian.sources', text: deb822 }]);
    expect(s.map((x) => [x.uri, x.suites])).toEqual([
      ['http://mirror.example/debian/', ['bookworm', 'bookworm-updates']],
      ['http://mirror.example/debian-security', ['bookworm-security']],
    ]);
    expect(pickMirror(s, 'bookworm')).toBe('http://mirror.example/debian');
  });

  it('reads one-line .list files and skips deb-src, disabled files and disabled stanzas', () => {
    const s = parseAptSources([
      { name: 'google.list.disabled', text: 'deb https://wrong.example/apt bookworm main\n' },
      { name: 'a.sources', text: 'Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n' },
      { name: 'sources.list', text: '# deb http://commented.example/debian bookworm main\ndeb-src http://src.example/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] http://one.example/debian bookworm main contrib\n' },
    ]);
    expect(s.map((x) => x.uri)).toEqual(['http://one.example/debian']);
    expect(pickMirror(s, 'bookworm')).toBe('http://one.example/debian');
  });

  it('falls back to deb.debian.org when no source carries the suite', () => {
    expect(pickMirror(parseAptSources([{ name: 'x.sources', text: deb822 }]), 'trixie')).toBe(FALLBACK_MIRROR);
  });
});

describe('node image inputs', () => {
  it('reads the one package list, comments and blanks dropped', () => {
    expect(parsePackageList('# c\nfrr\n\n iptables  # the firewall\n')).toEqual(['frr', 'iptables']);
    const pkgs = parsePackageList(readFileSync(packagesFile(), 'utf8'));
    expect(pkgs).toEqual(expect.arrayContaining(['frr', 'iptables', 'iproute2', 'tcpdump', 'conntrack']));
  });

  it('keys the cached rootfs on suite, mirror and the package set', () => {
    const k = rootfsKey('bookworm', 'http://m/debian', ['frr', 'iptables']);
    expect(rootfsKey('bookworm', 'http://m/debian', ['iptables', 'frr'])).toBe(k);
    expect(rootfsKey('bookworm', 'http://m/debian', ['frr'])).not.toBe(k);
    expect(rootfsKey('bookworm', 'http://n/debian', ['frr', 'iptables'])).not.toBe(k);
  });
});

describe('container settings', () => {
  const node = (name: string, extra: Partial<LabNode> = {}): LabNode => ({
    name, kind: 'host', interfaces: [], loopbacks: [], routes: [], sysctls: {}, exec: [], binds: [], ...extra,
  });
  const lab: Lab = {
    name: 'x', file: '/labs/x/lab.yml', dir: '/labs/x', runtime: 'docker', links: [], flows: [],
    nodes: [node('a'), node('b', { image: 'me/custom:1', binds: ['conf/frr.conf:/etc/frr/frr.conf:ro', '/abs:/mnt'] })],
  };
  const plan = planLab(lab);

  it('uses the default image unless the node names one', () => {
    expect(plan.nodes.map(imageOf)).toEqual(['asymlab/node:latest', 'me/custom:1']);
  });

  it('resolves relative bind sources against the lab folder', () => {
    expect(bindsOf(plan, plan.nodes[1])).toEqual(['/labs/x/conf/frr.conf:/etc/frr/frr.conf:ro', '/abs:/mnt']);
  });
});
