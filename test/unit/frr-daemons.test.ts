import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planLab } from '../../src/plan/plan.js';
import { FRR_CATALOGUE } from '../../src/services/frr/catalogue.js';
import { configBlocks } from '../../src/services/frr/config-blocks.js';
import { daemonsFromConfig, daemonsFromDaemonsFile } from '../../src/services/frr/daemons.js';
import { loadLab } from '../../src/topology/load.js';
import { repoRoot } from '../helpers/machine.js';

const conf = (...lines: string[]) => ['frr defaults traditional', 'hostname r1', '!', ...lines, '!', 'end', ''].join('\n');

describe('daemonsFromConfig: which daemons a config needs', () => {
  it('zebra alone for a config with no routing section', () => {
    expect(daemonsFromConfig(conf('interface eth1', ' description uplink', 'exit'))).toEqual(['zebra']);
  });

  it('reads the sections that need each daemon, and returns them in start order', () => {
    expect(daemonsFromConfig(readFileSync(join(repoRoot, 'labs/ospf/r1.conf'), 'utf8'))).toEqual(['zebra', 'ospfd']);
    expect(daemonsFromConfig(conf('router bgp 65001', ' neighbor 10.0.0.2 remote-as 65002', 'exit', 'ip route 10.9.0.0/16 10.0.0.2'))).toEqual(['zebra', 'staticd', 'bgpd']);
    expect(daemonsFromConfig(conf('ipv6 route 2001:db8::/32 eth1'))).toEqual(['zebra', 'staticd']);
    expect(daemonsFromConfig(conf('router ospf6', ' ospf6 router-id 1.1.1.1', 'exit'))).toEqual(['zebra', 'ospf6d']);
    expect(daemonsFromConfig(conf('router isis core', ' net 49.0001.0000.0000.0001.00', 'exit', 'mpls ldp', ' router-id 1.1.1.1', 'exit'))).toEqual(['zebra', 'isisd', 'ldpd']);
    expect(daemonsFromConfig(conf('router rip', ' network eth1', 'exit', 'router ripng', ' network eth1', 'exit'))).toEqual(['zebra', 'ripd', 'ripngd']);
    expect(daemonsFromConfig(conf('interface eth1', ' ip pim', ' ip igmp', 'exit'))).toEqual(['zebra', 'pimd']);
  });

  it('finds interface-level lines too: ip ospf area, ipv6 router isis', () => {
    expect(daemonsFromConfig(conf('interface eth1', ' ip ospf area 0', 'exit'))).toEqual(['zebra', 'ospfd']);
    expect(daemonsFromConfig(conf('interface eth1', ' ipv6 router isis core', 'exit'))).toEqual(['zebra', 'isisd']);
  });

  it('starts bfdd for a bfd block or a neighbour, OSPF or IS-IS interface asking for bfd', () => {
    expect(daemonsFromConfig(conf('bfd', ' peer 10.0.0.2', ' exit', 'exit'))).toEqual(['zebra', 'bfdd']);
    expect(daemonsFromConfig(conf('router bgp 65001', ' neighbor 10.0.0.2 remote-as 65002', ' neighbor 10.0.0.2 bfd', 'exit'))).toEqual(['zebra', 'bgpd', 'bfdd']);
    expect(daemonsFromConfig(conf('interface eth1', ' ip ospf area 0', ' ip ospf bfd', 'exit', 'router ospf', 'exit'))).toEqual(['zebra', 'ospfd', 'bfdd']);
  });

  it('does not confuse look-alikes: ospf6 is not ospf, ripng is not rip, segment-routing inside isis is not pathd, comments are not config', () => {
    expect(daemonsFromConfig(conf('router ospf6', 'exit'))).not.toContain('ospfd');
    expect(daemonsFromConfig(conf('router ripng', 'exit'))).not.toContain('ripd');
    expect(daemonsFromConfig(conf('router isis core', ' segment-routing on', 'exit'))).toEqual(['zebra', 'isisd']);
    expect(daemonsFromConfig(conf('segment-routing', ' traffic-eng', ' exit', 'exit'))).toEqual(['zebra', 'pathd']);
    expect(daemonsFromConfig(conf('! router bgp 65001', '!ip route 10.0.0.0/8 eth1'))).toEqual(['zebra']);
  });
});

describe('daemonsFromDaemonsFile: an FRR daemons file', () => {
  it("starts zebra and staticd always, as FRR's own scripts do", () => {
    expect(daemonsFromDaemonsFile('')).toEqual(['zebra', 'staticd']);
    expect(daemonsFromDaemonsFile('zebra=no\nstaticd=no\n')).toEqual(['zebra', 'staticd']);
  });

  it('enables NAME=VALUE unless VALUE is empty, no or 0; quotes, spaces and comments allowed', () => {
    const text = [
      '# This file tells the frr package which daemons to start.',
      'bgpd=yes',
      'ospfd="yes"   # quoted',
      "ospf6d='yes'",
      'isisd=no',
      'ripd=0',
      'pimd=',
      '  bfdd = yes',
      '#ldpd=yes',
      'vtysh_enable=yes',
      'zebra_options="  -A 127.0.0.1 -s 90000000"',
      'bgpd_options="   -A 127.0.0.1"',
      'sharpd=yes',
    ].join('\n');
    expect(daemonsFromDaemonsFile(text)).toEqual(['zebra', 'staticd', 'bgpd', 'ospfd', 'ospf6d', 'bfdd']);
  });

  it("reads Debian's shipped daemons file (everything off) as zebra and staticd", () => {
    const shipped = ['bgpd=no', 'ospfd=no', 'ospf6d=no', 'ripd=no', 'ripngd=no', 'isisd=no', 'pimd=no', 'pim6d=no', 'ldpd=no', 'nhrpd=no', 'eigrpd=no', 'babeld=no', 'sharpd=no', 'pbrd=no', 'bfdd=no', 'fabricd=no', 'vrrpd=no', 'pathd=no', 'vtysh_enable=yes', 'zebra_options="  -A 127.0.0.1 -s 90000000"'].join('\n');
    expect(daemonsFromDaemonsFile(shipped)).toEqual(['zebra', 'staticd']);
    expect(daemonsFromDaemonsFile(shipped.replace('ldpd=no', 'ldpd=yes'))).toEqual(['zebra', 'staticd', 'ldpd']);
  });
});

describe('the daemon catalogue', () => {
  it('has zebra first and one entry per daemon', () => {
    expect(FRR_CATALOGUE[0].name).toBe('zebra');
    expect(new Set(FRR_CATALOGUE.map((d) => d.name)).size).toBe(FRR_CATALOGUE.length);
  });

  it.skipIf(!existsSync('/usr/lib/frr/zebra'))('names every daemon the installed FRR ships, and only those', () => {
    // the daemons are the binaries with plain names (scripts have a dot or a dash); watchfrr watches them
    const shipped = readdirSync('/usr/lib/frr').filter((f) => /^[a-z0-9]+$/.test(f) && f !== 'watchfrr');
    expect(FRR_CATALOGUE.map((d) => d.name).sort()).toEqual(shipped.sort());
  });
});

describe('the plan carries each node’s daemons', () => {
  it('rendered configs: zebra, staticd with static routes, bgpd with BGP; none off FRR', async () => {
    const plan = planLab(await loadLab(join(repoRoot, 'labs/basic/three-routers.yaml')));
    expect(Object.fromEntries(plan.nodes.map((n) => [n.node.name, n.daemons]))).toEqual({
      client: [],
      r1: ['zebra', 'bgpd'],
      r2: ['zebra', 'bgpd'],
      r3: ['zebra', 'bgpd'],
      server: [],
    });
    expect(plan.nodes.map((n) => n.frr)).toEqual([false, true, true, true, false]);
  });

  it('raw configs: what the config needs, read once into the plan', async () => {
    const plan = planLab(await loadLab(join(repoRoot, 'labs/ospf/lab.yaml')));
    const r2 = plan.nodes.find((n) => n.node.name === 'r2')!;
    expect(r2.daemons).toEqual(['zebra', 'ospfd']);
    expect(r2.frrConfigText).toContain('router ospf');
    const unread = planLab(await loadLab(join(repoRoot, 'labs/ospf/lab.yaml')), { readConfig: () => undefined });
    expect(unread.nodes.find((n) => n.node.name === 'r2')!.daemons).toEqual(['zebra']);
  });
});

describe('configBlocks', () => {
  it('splits sections at column 0 and closes them at exit and !', () => {
    const blocks = configBlocks(['hostname r1', 'interface eth1', ' ip ospf area 0', ' ! a comment', 'exit', '!', 'router bgp 1', ' address-family ipv4 unicast', '  network 10.0.0.0/8', ' exit-address-family', 'exit', 'ip route 10.0.0.0/8 eth1'].join('\n'));
    expect(blocks).toEqual([
      { header: 'hostname r1', lines: [] },
      { header: 'interface eth1', lines: ['ip ospf area 0'] },
      { header: 'router bgp 1', lines: ['address-family ipv4 unicast', 'network 10.0.0.0/8'] },
      { header: 'ip route 10.0.0.0/8 eth1', lines: [] },
    ]);
  });
});
