import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planLab } from '../../src/plan/plan.js';
import { parseBgpSummary } from '../../src/services/frr/protocols/bgp.js';
import { parseIsisNeighbors, isis, isisInterfaces } from '../../src/services/frr/protocols/isis.js';
import { ospf, ospfInterfaces, parseOspfNeighbors } from '../../src/services/frr/protocols/ospf.js';
import { ospf6, ospf6Interfaces, parseOspf6Neighbors } from '../../src/services/frr/protocols/ospf6.js';
import { loadLab } from '../../src/topology/load.js';
import type { LabNode } from '../../src/topology/types.js';
import { repoRoot } from '../helpers/machine.js';

const fixture = (name: string) => readFileSync(join(repoRoot, 'test/fixtures/frr', name), 'utf8');
const brief = (l: { key: string; peer: string; state: string; up: boolean }[]) => l.map((a) => `${a.key} ${a.peer} ${a.state} ${a.up ? 'up' : 'down'}`);

describe('OSPF neighbours (FRR 8.4 JSON)', () => {
  it('Full neighbours are up, keyed by local interface (plain and detail output)', () => {
    expect(brief(parseOspfNeighbors('r2', fixture('ospf-neighbor-p2p-full.json')))).toEqual(['eth1 192.0.2.1 Full/- up', 'eth2 192.0.2.3 Full/- up']);
    expect(brief(parseOspfNeighbors('r2', fixture('ospf-neighbor-detail-full.json')))).toEqual(['eth1 192.0.2.1 Full/Backup up', 'eth2 192.0.2.3 Full/- up']);
  });

  it('2-Way/DROther in the wait timer (no DR elected yet) is not up', () => {
    expect(brief(parseOspfNeighbors('r2', fixture('ospf-neighbor-detail-waiting.json')))).toEqual(['eth1 192.0.2.1 2-Way/DROther down', 'eth2 192.0.2.3 Full/- up']);
  });

  it('2-Way between DROthers once a DR is elected is up (RFC 2328 10.4: they never go Full)', () => {
    // the waiting capture with a DR elected elsewhere on the segment: what a third router sees
    const json = JSON.parse(fixture('ospf-neighbor-detail-waiting.json')) as { neighbors: Record<string, { routerDesignatedId: string }[]> };
    json.neighbors['192.0.2.1'][0].routerDesignatedId = '100.64.12.9';
    expect(brief(parseOspfNeighbors('r2', JSON.stringify(json)))[0]).toBe('eth1 192.0.2.1 2-Way/DROther up');
  });

  it('text that is not JSON (a daemon still starting) is no neighbours', () => {
    expect(parseOspfNeighbors('r2', '% OSPF instance not found\n')).toEqual([]);
    expect(parseOspfNeighbors('r2', '{"neighbors":{}}')).toEqual([]);
  });
});

describe('OSPFv3 neighbours and IS-IS adjacencies (FRR 8.4 JSON)', () => {
  it('OSPFv3: Full is up; a stale Init entry is listed as down beside the Full one', () => {
    expect(brief(parseOspf6Neighbors('r2', fixture('ospf6-neighbor-full.json')))).toEqual(['eth1 192.0.2.1 Full up', 'eth2 192.0.2.3 Full up']);
    expect(brief(parseOspf6Neighbors('r2', fixture('ospf6-neighbor-init.json')))).toEqual(['eth1 192.0.2.1 Full up', 'eth2 0.0.0.0 Init down', 'eth2 192.0.2.3 Full up']);
  });

  it('IS-IS: Up is up; the empty circuit FRR lists per area is skipped', () => {
    expect(brief(parseIsisNeighbors('r2', fixture('isis-neighbor-up.json')))).toEqual(['eth1 0000.0000.0001 Up up', 'eth2 0000.0000.0003 Up up']);
    // the same adjacency while its three-way handshake runs
    const initializing = fixture('isis-neighbor-up.json').replace('"state":"Up"', '"state":"Initializing"');
    expect(brief(parseIsisNeighbors('r2', initializing))[0]).toBe('eth1 0000.0000.0001 Initializing down');
  });

  it('BGP: text that is not JSON is no sessions', () => {
    expect(parseBgpSummary('r1', 'bgpd is not running')).toEqual([]);
  });
});

const node = (name: string, interfaces: Record<string, string[]>, loopbacks: string[] = []): LabNode => ({
  name,
  kind: 'router',
  interfaces: Object.entries(interfaces).map(([n, addresses]) => ({ name: n, addresses })),
  loopbacks,
  routes: [],
  sysctls: {},
  exec: [],
  binds: [],
});

describe('which interfaces a raw config runs an IGP on', () => {
  const r1 = node('r1', { eth1: ['10.1.0.1/24', '2001:db8:1::1/64'], eth2: ['100.64.12.1/30', '2001:db8:12::1/64'] }, ['192.0.2.1/32', '2001:db8:ff::1/128']);

  it('OSPF by interface: ip ospf area, passive, loopbacks as host routes', () => {
    expect(ospfInterfaces(r1, readFileSync(join(repoRoot, 'labs/ospf/r1.conf'), 'utf8'))).toEqual([
      { name: 'eth1', area: '0.0.0.0', passive: true, prefixes: ['10.1.0.0/24'] },
      { name: 'eth2', area: '0.0.0.0', passive: false, prefixes: ['100.64.12.0/30'] },
      { name: 'lo', area: '0.0.0.0', passive: true, prefixes: ['192.0.2.1/32'] },
    ]);
  });

  it('OSPF by network statements: the interfaces whose address they cover; none without router ospf', () => {
    const text = ['interface eth1', ' ip ospf passive', 'exit', 'router ospf', ' network 100.64.12.0/30 area 1', ' network 10.0.0.0/8 area 0.0.0.2', 'exit'].join('\n');
    expect(ospfInterfaces(r1, text)).toEqual([
      { name: 'eth1', area: '0.0.0.2', passive: true, prefixes: ['10.1.0.0/24'] },
      { name: 'eth2', area: '0.0.0.1', passive: false, prefixes: ['100.64.12.0/30'] },
    ]);
    expect(ospfInterfaces(r1, 'interface eth2\n ip ospf area 0\nexit\n')).toEqual([]);
  });

  it('OSPFv3 and IS-IS: per interface, by address family', () => {
    const text = ['interface eth2', ' ipv6 ospf6 area 0', ' ip router isis core', 'exit', 'interface lo', ' ipv6 ospf6 area 0', ' ipv6 router isis core', 'exit', 'router ospf6', 'exit', 'router isis core', 'exit'].join('\n');
    expect(ospf6Interfaces(r1, text)).toEqual([
      { name: 'eth2', area: '0.0.0.0', passive: false, prefixes: ['2001:db8:12::/64'] },
      { name: 'lo', area: '0.0.0.0', passive: true, prefixes: ['2001:db8:ff::1/128'] },
    ]);
    expect(isisInterfaces(r1, text)).toEqual([
      { name: 'eth2', area: '', passive: false, prefixes: ['100.64.12.0/30'] },
      { name: 'lo', area: '', passive: true, prefixes: ['2001:db8:ff::1/128'] },
    ]);
  });
});

describe('what up waits for in a link-state IGP', () => {
  it('labs/ospf: an adjacency each way over each router link, and every OSPF prefix in every other router', async () => {
    const plan = planLab(await loadLab(join(repoRoot, 'labs/ospf/lab.yaml')));
    const { adjacencies, routes } = ospf.expect(plan);
    expect(adjacencies.map((a) => a.label)).toEqual([
      'OSPF adjacency r1 eth2 -> r2 eth1',
      'OSPF adjacency r2 eth1 -> r1 eth2',
      'OSPF adjacency r2 eth2 -> r3 eth1',
      'OSPF adjacency r3 eth1 -> r2 eth2',
    ]);
    expect(adjacencies.every((a) => a.note === undefined && !a.provenByRoutes)).toBe(true);
    // connected prefixes (the link to r2) are not expected from OSPF
    expect(routes.filter((r) => r.node === 'r1').map((r) => `${r.prefix} from ${r.from}`).sort()).toEqual([
      '10.3.0.0/24 from r3 (OSPF)',
      '100.64.23.0/30 from r2 (OSPF)',
      '192.0.2.2/32 from r2 (OSPF)',
      '192.0.2.3/32 from r3 (OSPF)',
    ]);
    expect(routes.length).toBe(12);
    // nothing runs OSPFv3 or IS-IS there
    expect(ospf6.expect(plan)).toEqual({ adjacencies: [], routes: [] });
    expect(isis.expect(plan)).toEqual({ adjacencies: [], routes: [] });
  });

  it('ends in different areas: the adjacency is still expected, with a note, and routes stop at the split', async () => {
    const lab = await loadLab(join(repoRoot, 'labs/ospf/lab.yaml'));
    const plan = planLab(lab, { readConfig: (p) => readFileSync(p, 'utf8').replace(p.endsWith('r3.conf') ? 'interface eth1\n ip ospf area 0' : '\0', 'interface eth1\n ip ospf area 1') });
    const { adjacencies, routes } = ospf.expect(plan);
    expect(adjacencies.find((a) => a.label === 'OSPF adjacency r2 eth2 -> r3 eth1')?.note).toBe('areas differ: r2 eth2 is in area 0.0.0.0, r3 eth1 in area 0.0.0.1');
    expect(routes.some((r) => r.node === 'r1' && r.from.startsWith('r3'))).toBe(false);
    expect(routes.some((r) => r.node === 'r1' && r.prefix === '192.0.2.2/32')).toBe(true);
  });

  it('IS-IS: a level-1-only router is not expected to hold the domain (it gets a default), the others are', async () => {
    const lab = await loadLab(join(repoRoot, 'labs/ospf/lab.yaml'));
    const isisConf = (p: string) => {
      const me = /(r\d)\.conf$/.exec(p)![1];
      const ifaces = { r1: ['eth2', 'lo'], r2: ['eth1', 'eth2', 'lo'], r3: ['eth1', 'lo'] }[me]!;
      const type = me === 'r1' ? 'level-1' : 'level-1-2';
      return [...ifaces.flatMap((i) => [`interface ${i}`, ' ip router isis core', 'exit']), 'router isis core', ` net 49.0001.0000.0000.000${me[1]}.00`, ` is-type ${type}`, 'exit', ''].join('\n');
    };
    const plan = planLab(lab, { readConfig: isisConf });
    expect(plan.nodes.find((n) => n.node.name === 'r1')!.daemons).toEqual(['zebra', 'isisd']);
    const { adjacencies, routes } = isis.expect(plan);
    expect(adjacencies.map((a) => a.label)).toEqual(['IS-IS adjacency r1 eth2 -> r2 eth1', 'IS-IS adjacency r2 eth1 -> r1 eth2', 'IS-IS adjacency r2 eth2 -> r3 eth1', 'IS-IS adjacency r3 eth1 -> r2 eth2']);
    expect(routes.filter((r) => r.node === 'r1')).toEqual([]);
    expect(routes.filter((r) => r.node === 'r3').map((r) => r.prefix).sort()).toEqual(['100.64.12.0/30', '192.0.2.1/32', '192.0.2.2/32']);
  });
});
