/**
 * BFD for the lab's BGP neighbours: what is rendered for `bfd: true` (and only then), that bfdd
 * starts for it, that FRR 8.4's vtysh accepts it, and how `show bfd peers json` is read.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planLab } from '../../src/plan/plan.js';
import { frrDaemonsOf, renderFrr, renderFrrDaemons } from '../../src/render/frr.js';
import { bfdExpectations, parseBfdPeers } from '../../src/services/frr/protocols/bfd.js';
import type { Lab, LabNode } from '../../src/topology/types.js';

const node = (name: string, address: string, peer: string, bfd: boolean): LabNode => ({
  name,
  kind: 'router',
  interfaces: [{ name: 'eth1', addresses: [`${address}/30`] }],
  loopbacks: [],
  routes: [],
  sysctls: {},
  exec: [],
  binds: [],
  bgp: { asn: name === 'r1' ? 65001 : 65002, routerId: '', networks: [], redistribute: [], neighbors: [{ address: peer, remoteAs: name === 'r1' ? 65002 : 65001, defaultOriginate: false, ...(bfd ? { bfd: true } : {}) }] },
});

const hasVtysh = spawnSync('sh', ['-c', 'command -v vtysh'], { encoding: 'utf8' }).status === 0;

describe('BFD on a BGP neighbour', () => {
  it('renders neighbor X bfd with the lab profile, and the profile for bfdd; bfdd starts', () => {
    const r1 = node('r1', '100.64.0.1', '100.64.0.2', true);
    const conf = renderFrr(r1);
    expect(conf).toContain(' neighbor 100.64.0.2 bfd\n neighbor 100.64.0.2 bfd profile asymlab\n');
    expect(conf).toContain('bfd\n profile asymlab\n  transmit-interval 100\n  receive-interval 100\n  detect-multiplier 3\n');
    expect(frrDaemonsOf(r1)).toEqual(['zebra', 'bgpd', 'bfdd']);
    expect(renderFrrDaemons(r1).bfdd).toContain(' profile asymlab');
    expect(renderFrrDaemons(r1).bgpd).not.toContain('transmit-interval');
  });

  it('renders nothing of BFD without it', () => {
    const r1 = node('r1', '100.64.0.1', '100.64.0.2', false);
    expect(renderFrr(r1)).not.toMatch(/bfd/);
    expect(frrDaemonsOf(r1)).toEqual(['zebra', 'bgpd']);
  });

  it.skipIf(!hasVtysh)('FRR 8.4 accepts the rendered config (vtysh -C)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asymlab-bfd-'));
    try {
      writeFileSync(join(dir, 'frr.conf'), renderFrr(node('r1', '100.64.0.1', '100.64.0.2', true)));
      const r = spawnSync('vtysh', ['-C', '-f', join(dir, 'frr.conf')], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('up waits for one BFD session per neighbour with bfd: true, read from show bfd peers json', () => {
    const lab: Lab = { name: 'b', file: '/b.yaml', dir: '/', runtime: 'netns', nodes: [node('r1', '100.64.0.1', '100.64.0.2', true), node('r2', '100.64.0.2', '100.64.0.1', true)], links: [], flows: [] };
    expect(bfdExpectations(planLab(lab)).map((a) => [a.node, a.key, a.peerNode])).toEqual([
      ['r1', '100.64.0.2', 'r2'],
      ['r2', '100.64.0.1', 'r1'],
    ]);
    const json = JSON.stringify([{ multihop: false, peer: '100.64.0.2', local: '100.64.0.1', interface: 'eth1', status: 'up' }, { peer: '100.64.9.9', status: 'down' }]);
    expect(parseBfdPeers('r1', json).map((o) => [o.key, o.state, o.up])).toEqual([
      ['100.64.0.2', 'up', true],
      ['100.64.9.9', 'down', false],
    ]);
    expect(parseBfdPeers('r1', 'bfdd is not running')).toEqual([]);
  });
});
