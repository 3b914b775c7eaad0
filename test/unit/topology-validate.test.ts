/**
 * Every semantic rule (normalise.ts and validate.ts), through the loader so each problem is checked
 * with the place it is reported at: file:line:col, dot-path, message and hint.
 */
import { describe, expect, it } from 'vitest';
import { LabError, type InputProblem } from '../../src/errors.js';
import { loadLab } from '../../src/topology/load.js';
import type { Lab } from '../../src/topology/types.js';
import { memFs, yaml } from './helpers/lab-source.js';



const FILE = '/lab/lab.yaml';

const load = (text: string, exists: (p: string) => boolean = () => true): Promise<Lab> => loadLab(FILE, { fs: memFs({ [FILE]: text }), exists });

/** The problems of a lab that must not load, as "line:col path: message". */
async function problems(text: string, exists?: (p: string) => boolean): Promise<InputProblem[]> {
  try {
    await load(text, exists);
  } catch (e) {
    if (!(e instanceof LabError)) throw e;
    expect(e.kind).toBe('input');
    return e.problems;
  }
  throw new Error('the lab loaded, but problems were expected');
}

const lines = (ps: InputProblem[]) => ps.map((p) => `${(p.file ?? '').replace(`${FILE}:`, '')} ${p.path}: ${p.message}`);

/**
 * line:col of the first non-blank character of `needle`, which must occur once in `text`: tests say
 * which token a problem points at rather than counting columns.
 */
function at(text: string, needle: string): string {
  const i = text.indexOf(needle);
  if (i < 0 || text.indexOf(needle, i + 1) >= 0) throw new Error(`'${needle}' must occur exactly once in the lab`);
  const j = i + (needle.length - needle.trimStart().length);
  const before = text.slice(0, j).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

/** Loads `text` and expects exactly these problems: [token the location points at, "path: message"]. */
async function expectProblems(text: string, expected: [string, string][], exists?: (p: string) => boolean): Promise<InputProblem[]> {
  const ps = await problems(text, exists);
  expect(lines(ps)).toEqual(expected.map(([needle, rest]) => `${at(text, needle)} ${rest}`));
  return ps;
}

/**
 * h1 (10.0.1.10) -- r1 -- h2 (10.0.2.10), IPv4 and IPv6, r1 in BGP with r2 behind it.
 * Tests append or replace lines; line numbers in the expectations are of this text.
 */
const LAB = yaml(`
  name: v
  topology:
    nodes:
      h1:
        kind: host
        interfaces: {eth1: [10.0.1.10/24, "2001:db8:1::10/64"]}
        routes: [{to: default, via: 10.0.1.1}, {to: default, via: "2001:db8:1::1"}]
      r1:
        kind: router
        interfaces: {eth1: [10.0.1.1/24, "2001:db8:1::1/64"], eth2: 10.0.2.1/24, eth3: [100.64.0.1/30, "2001:db8:ff::1/64"]}
        loopbacks: [192.0.2.1/32]
        bgp:
          asn: 65001
          neighbors:
            - {address: 100.64.0.2, remote-as: 65002}
            - {address: "2001:db8:ff::2", remote-as: 65002}
      r2:
        kind: router
        interfaces: {eth1: [100.64.0.2/30, "2001:db8:ff::2/64"]}
        bgp:
          asn: 65002
          neighbors:
            - {address: 100.64.0.1, remote-as: 65001}
            - {address: "2001:db8:ff::1", remote-as: 65001}
      h2:
        kind: host
        interfaces: {eth1: 10.0.2.10/24}
        routes: [{to: default, via: 10.0.2.1}]
    links:
      - endpoints: ["h1:eth1", "r1:eth1"]
      - endpoints: ["r1:eth2", "h2:eth1"]
      - endpoints: ["r1:eth3", "r2:eth1"]
  flows:
    - {name: web, from: h1, to: "10.0.2.10:80"}
`);

/** LAB with `old` replaced by `now` (which must occur exactly once). */
function edit(old: string, now: string, text = LAB): string {
  expect(text.split(old)).toHaveLength(2);
  return text.replace(old, now);
}

describe('the base lab of these tests', () => {
  it('is valid', async () => {
    const lab = await load(LAB);
    expect(lab.nodes).toHaveLength(4);
  });
});

describe('kinds', () => {
  it('wants a kind, and names the supported ones', async () => {
    const text = edit('      kind: host\n      interfaces: {eth1: 10.0.2.10/24}', '      interfaces: {eth1: 10.0.2.10/24}');
    const ps = await expectProblems(text, [['\n    h2:', "topology.nodes.h2: node 'h2' has no kind"]]);
    expect(ps[0].hint).toBe('add kind: one of host, router, firewall');
  });

  it('rejects an unknown kind with the list of supported ones', async () => {
    const text = edit('      kind: host\n      interfaces: {eth1: 10.0.2.10/24}', '      kind: switch\n      interfaces: {eth1: 10.0.2.10/24}');
    const ps = await expectProblems(text, [['kind: switch', "topology.nodes.h2.kind: unknown kind 'switch'"]]);
    expect(ps[0].hint).toBe('supported kinds: host, router, firewall');
  });
});

describe('names', () => {
  it('rejects a lab name that cannot name resources', async () => {
    const text = edit('name: v', 'name: My_Lab');
    const ps = await expectProblems(text, [['name: My_Lab', "name: lab name 'My_Lab' is not allowed"]]);
    expect(ps[0].hint).toBe('use lowercase letters, digits and inner hyphens, at most 24 characters');
  });

  it('rejects node names with capitals, underscores, edge hyphens or more than 24 characters', async () => {
    for (const bad of ['H2', 'h_2', '-h2', 'h2-', 'a123456789012345678901234']) {
      const text = LAB.replace(/\bh2\b/g, bad);
      await expectProblems(text, [[`\n    ${bad}:`, `topology.nodes.${bad}: node name '${bad}' is not allowed`]]);
    }
    await expect(load(LAB.replace(/\bh2\b/g, 'a12345678901234567890123'))).resolves.toBeDefined();
  });

  it('rejects lo as an interface and points at loopbacks:', async () => {
    const text = edit('"2001:db8:ff::1/64"]}', '"2001:db8:ff::1/64"], lo: 192.0.2.9/32}');
    const ps = await expectProblems(text, [
      ['lo: 192.0.2.9/32', "topology.nodes.r1.interfaces.lo: interface name 'lo' is not allowed"],
      ['lo: 192.0.2.9/32', 'topology.nodes.r1.interfaces.lo: interface r1:lo is in no link'],
    ]);
    expect(ps[0].hint).toBe('put stub prefixes under loopbacks:');
  });

  it('reports an invalid interface name in a link once, at the link', async () => {
    const text = edit('["r1:eth2", "h2:eth1"]', '["r1:eth2", "h2:this-name-is-too-long"]');
    await expectProblems(text, [
      ['"h2:this-name-is-too-long"', "topology.links[1].endpoints[1]: interface name 'this-name-is-too-long' is not allowed"],
      ['eth1: 10.0.2.10/24', 'topology.nodes.h2.interfaces.eth1: interface h2:eth1 is in no link'],
    ]);
  });

  it('wants at least one node', async () => {
    const text = 'name: v\ntopology:\n  nodes: {}\n';
    await expectProblems(text, [['nodes: {}', 'topology.nodes: the lab has no nodes']]);
  });
});

describe('links', () => {
  it('reports a node that is not defined, with the ones that are', async () => {
    const text = edit('["r1:eth2", "h2:eth1"]', '["fw9:eth2", "h2:eth1"]');
    const ps = await expectProblems(text, [
      ['"fw9:eth2"', "topology.links[1].endpoints[0]: node 'fw9' is not defined"],
      ['eth2: 10.0.2.1/24', 'topology.nodes.r1.interfaces.eth2: interface r1:eth2 is in no link'],
    ]);
    expect(ps[0].hint).toBe('define it under topology.nodes, or use one of: h1, r1, r2, h2');
  });

  it('reports an interface used by two links, naming the first', async () => {
    const text = edit('["r1:eth2", "h2:eth1"]', '["r1:eth1", "h2:eth1"]');
    const ps = await expectProblems(text, [
      ['"r1:eth1", "h2', 'topology.links[1].endpoints[0]: interface r1:eth1 is already used by topology.links[0]'],
      ['eth2: 10.0.2.1/24', 'topology.nodes.r1.interfaces.eth2: interface r1:eth2 is in no link'],
    ]);
    expect(ps[0].hint).toBe('each interface takes part in one link; pick another interface name');
  });

  it('reports a link from an interface to itself', async () => {
    const text = edit('flows:\n', '    - endpoints: ["h1:eth9", "h1:eth9"]\nflows:\n');
    await expectProblems(text, [
      ['endpoints: ["h1:eth9"', 'topology.links[3]: a link cannot join an interface to itself'],
    ]);
  });

  it('reports an endpoint that is not node:interface, once', async () => {
    const text = edit('["r1:eth2", "h2:eth1"]', '["r1", "h2:eth1"]');
    await expectProblems(text, [
      ['"r1", "h2:eth1"', "topology.links[1].endpoints[0]: 'r1' is not of the form node:interface"],
      ['eth2: 10.0.2.1/24', 'topology.nodes.r1.interfaces.eth2: interface r1:eth2 is in no link'],
    ]);
  });

  it('reports an interface with addresses that is in no link', async () => {
    const text = edit('    - endpoints: ["r1:eth2", "h2:eth1"]\n', '');
    const ps = await expectProblems(text, [
      ['eth2: 10.0.2.1/24', 'topology.nodes.r1.interfaces.eth2: interface r1:eth2 is in no link'],
      ['eth1: 10.0.2.10/24', 'topology.nodes.h2.interfaces.eth1: interface h2:eth1 is in no link'],
    ]);
    expect(ps[0].hint).toBe('add a link with endpoints ["r1:eth2", "OTHER:IFACE"], or put the prefix under loopbacks:');
  });
});

describe('addresses', () => {
  it('reports prefixes that are not address/length', async () => {
    for (const bad of ['10.0.2.300/24', '10.0.2.10', '10.0.2.10/33', '10.0.2.10/24/1', '2001:db8::1::2/64', '2001:db8::1/129', '010.0.2.10/24']) {
      const text = edit('interfaces: {eth1: 10.0.2.10/24}', `interfaces: {eth1: "${bad}"}`);
      const ps = await problems(text);
      const p = ps.find((x) => x.path === 'topology.nodes.h2.interfaces.eth1')!;
      expect(`${p.file} ${p.message}`).toBe(`${FILE}:${at(text, `eth1: "${bad}"`)} '${bad}' is not a prefix`);
      expect(p.hint).toBe('write address/length, e.g. 10.1.0.10/24 or 2001:db8::10/64');
    }
  });

  it('indexes the address when an interface has several', async () => {
    const text = edit('"2001:db8:1::10/64"]}', '"2001:db8:1::10/644"]}');
    await expectProblems(text, [
      ['"2001:db8:1::10/644"', "topology.nodes.h1.interfaces.eth1[1]: '2001:db8:1::10/644' is not a prefix"],
      ['via: "2001:db8:1::1"', 'topology.nodes.h1.routes[1].via: next hop 2001:db8:1::1 is not on any subnet of h1'],
    ]);
  });

  it('reports an address used twice, naming where it was first', async () => {
    const text = edit('interfaces: {eth1: 10.0.2.10/24}', 'interfaces: {eth1: 10.0.2.1/24}')
      .replace('via: 10.0.2.1}', 'via: 10.0.2.2}')
      .replace('to: "10.0.2.10:80"', 'to: "10.0.2.1:80"');
    const ps = await expectProblems(text, [['eth1: 10.0.2.1/24}', 'topology.nodes.h2.interfaces.eth1: address 10.0.2.1 is also on r1 (topology.nodes.r1.interfaces.eth2)']]);
    expect(ps[0].hint).toBe('addresses must be unique in a lab');
  });

  it('compares IPv6 addresses by value, not by spelling', async () => {
    const text = edit('loopbacks: [192.0.2.1/32]', 'loopbacks: [192.0.2.1/32, "2001:DB8:1:0::10/128"]');
    await expectProblems(text, [['"2001:DB8:1:0::10/128"', 'topology.nodes.r1.loopbacks[1]: address 2001:DB8:1:0::10 is also on h1 (topology.nodes.h1.interfaces.eth1[1])']]);
  });
});

describe('routes', () => {
  it("reports a next hop that is on none of the node's subnets, with the subnets", async () => {
    const text = edit('routes: [{to: default, via: 10.0.2.1}]', 'routes: [{to: default, via: 10.0.9.1}]');
    const ps = await expectProblems(text, [['via: 10.0.9.1', 'topology.nodes.h2.routes[0].via: next hop 10.0.9.1 is not on any subnet of h2']]);
    expect(ps[0].hint).toBe("h2's subnets: 10.0.2.10/24; use a neighbour's address on one of them");
  });

  it('accepts a next hop off-subnet when dev: says where it is (link-local)', async () => {
    const text = edit('routes: [{to: default, via: 10.0.2.1}]', 'routes: [{to: default, via: 10.0.2.1}, {to: "2001:db8:9::/48", via: "fe80::1", dev: eth1}]');
    await expect(load(text)).resolves.toBeDefined();
  });

  it('reports a bad destination, one with host bits set, a bad next hop, a missing one and an unknown dev', async () => {
    const text = edit(
      'routes: [{to: default, via: 10.0.2.1}]',
      'routes: [{to: 10.9.0.0/33, via: 10.0.2.1}, {to: 10.9.0.1/16, via: 10.0.2.1}, {to: 10.8.0.0/16, via: 10.0.2}, {to: 10.7.0.0/16}, {to: 10.6.0.0/16, dev: eth7}]',
    );
    const ps = await expectProblems(text, [
      ['to: 10.9.0.0/33', "topology.nodes.h2.routes[0].to: '10.9.0.0/33' is not a prefix or 'default'"],
      ['to: 10.9.0.1/16', "topology.nodes.h2.routes[1].to: '10.9.0.1/16' has host bits set"],
      ['via: 10.0.2}', "topology.nodes.h2.routes[2].via: '10.0.2' is not an address"],
      ['{to: 10.7.0.0/16}', 'topology.nodes.h2.routes[3]: a route needs via: or dev:'],
      ['dev: eth7', "topology.nodes.h2.routes[4].dev: h2 has no interface 'eth7'"],
    ]);
    expect(ps[1].hint).toBe('write 10.9.0.0/16');
    expect(ps[3].hint).toBe('add via: NEXT-HOP-ADDRESS');
  });

  it('reports a next hop of the other family', async () => {
    const text = edit('routes: [{to: default, via: 10.0.2.1}]', 'routes: [{to: default, via: 10.0.2.1}, {to: "2001:db8:9::/48", via: 10.0.2.1}]');
    await expectProblems(text, [['via: 10.0.2.1}]', 'topology.nodes.h2.routes[1].via: next hop 10.0.2.1 is IPv4, the route to 2001:db8:9::/48 IPv6']]);
  });

  it('makes default IPv6 when the next hop is', async () => {
    const lab = await load(LAB);
    expect(lab.nodes[0].routes.map((r) => r.to)).toEqual(['0.0.0.0/0', '::/0']);
  });
});

describe('sysctls', () => {
  const withSysctls = (map: string) => edit('      kind: host\n      interfaces: {eth1: 10.0.2.10/24}', `      kind: host\n      sysctls: ${map}\n      interfaces: {eth1: 10.0.2.10/24}`);

  it('accepts net.* keys, / spelling a dot inside an interface name', async () => {
    await expect(load(withSysctls('{net.ipv4.conf.all.rp_filter: 0, net.ipv4.conf.eth1/100.rp_filter: 2, net.ipv6.conf.all.disable_ipv6: true}'))).resolves.toBeDefined();
  });

  it('rejects any other key: it would change the host kernel', async () => {
    const text = withSysctls('{kernel.panic: 1, vm.swappiness: 10, net.ipv4..x: 1, net/../kernel/x: 1, "net.a b": 1}');
    const ps = await expectProblems(text, [
      ['kernel.panic', "topology.nodes.h2.sysctls.kernel.panic: sysctl 'kernel.panic' is not a net.* key"],
      ['vm.swappiness', "topology.nodes.h2.sysctls.vm.swappiness: sysctl 'vm.swappiness' is not a net.* key"],
      ['net.ipv4..x', "topology.nodes.h2.sysctls.net.ipv4..x: sysctl 'net.ipv4..x' is not a valid net.* key"],
      ['net/../kernel/x', "topology.nodes.h2.sysctls.net/../kernel/x: sysctl 'net/../kernel/x' is not a net.* key"],
      ['"net.a b"', "topology.nodes.h2.sysctls.net.a b: sysctl 'net.a b' is not a valid net.* key"],
    ]);
    expect(ps[0].hint).toBe('only net.* sysctls belong to a network namespace; any other would change the host kernel, which asymlab never does');
  });

  it('reports an inherited one at each node that inherits it', async () => {
    const text = edit('  nodes:\n', '  defaults: {sysctls: {kernel.shmmax: 1}}\n  nodes:\n');
    await expectProblems(
      text,
      ['h1', 'r1', 'r2', 'h2'].map((n) => [`\n    ${n}:`, `topology.nodes.${n}.sysctls.kernel.shmmax: sysctl 'kernel.shmmax' is not a net.* key`]),
    );
  });
});

describe('bgp', () => {
  it("reports a neighbor whose remote-as is not the peer's asn", async () => {
    const text = edit('{address: 100.64.0.2, remote-as: 65002}', '{address: 100.64.0.2, remote-as: 65003}');
    const ps = await expectProblems(text, [['remote-as: 65003', 'topology.nodes.r1.bgp.neighbors[0].remote-as: remote-as 65003, but r2 (100.64.0.2) has asn 65002']]);
    expect(ps[0].hint).toBe('set remote-as: 65002');
  });

  it('finds the peer by address value', async () => {
    await expect(load(edit('"2001:db8:ff::2", remote-as: 65002', '"2001:DB8:FF:0::2", remote-as: 65002'))).resolves.toBeDefined();
  });

  it('reports a neighbor address nobody has, one that is no address, and a peer that runs no BGP', async () => {
    const text = edit(
      '          - {address: "2001:db8:ff::2", remote-as: 65002}\n',
      '          - {address: "2001:db8:ff::2", remote-as: 65002}\n          - {address: 100.64.9.9, remote-as: 65009}\n          - {address: r2, remote-as: 65002}\n          - {address: 10.0.2.10, remote-as: 65010}\n',
    );
    const ps = await expectProblems(text, [
      ['address: 100.64.9.9', 'topology.nodes.r1.bgp.neighbors[2].address: no node in the lab has address 100.64.9.9'],
      ['address: r2', "topology.nodes.r1.bgp.neighbors[3].address: 'r2' is not an address"],
      ['address: 10.0.2.10', 'topology.nodes.r1.bgp.neighbors[4].address: h2 (10.0.2.10) runs no BGP'],
    ]);
    expect(ps[0].hint).toBe('peer with an address of another node');
    expect(ps[2].hint).toBe('add a bgp: section to h2');
  });

  it('accepts a peer that runs a raw FRR config', async () => {
    const text = edit(
      '      bgp:\n        asn: 65002\n        neighbors:\n          - {address: 100.64.0.1, remote-as: 65001}\n          - {address: "2001:db8:ff::1", remote-as: 65001}\n',
      '      frr-config: r2.conf\n',
    );
    await expect(load(text)).resolves.toBeDefined();
  });

  it('reports a bad router-id, network, advertise and accept prefix', async () => {
    const text = edit('        asn: 65001\n', '        asn: 65001\n        router-id: "2001:db8::1"\n        networks: [10.0.1.0/24, 10.0.1.0]\n').replace(
      '{address: 100.64.0.2, remote-as: 65002}',
      '{address: 100.64.0.2, remote-as: 65002, advertise: [10.0.1.0/24, nope], accept: [10.0.0.0/8le]}',
    );
    await expectProblems(text, [
      ['router-id', "topology.nodes.r1.bgp.router-id: '2001:db8::1' is not an IPv4 address"],
      ['10.0.1.0]', "topology.nodes.r1.bgp.networks[1]: '10.0.1.0' is not a prefix"],
      ['nope', "topology.nodes.r1.bgp.neighbors[0].advertise[1]: 'nope' is not a prefix"],
      ['10.0.0.0/8le', "topology.nodes.r1.bgp.neighbors[0].accept[0]: '10.0.0.0/8le' is not a prefix"],
    ]);
  });

  it('wants a router-id when the node has no IPv4 address', async () => {
    const text = yaml(`
      name: v6
      topology:
        nodes:
          a: {kind: router, interfaces: {eth1: "2001:db8::1/64"}, bgp: {asn: 1, neighbors: [{address: "2001:db8::2", remote-as: 2}]}}
          b: {kind: router, interfaces: {eth1: "2001:db8::2/64"}, bgp: {asn: 2, router-id: 1.1.1.2, neighbors: [{address: "2001:db8::1", remote-as: 1}]}}
        links: [{endpoints: ["a:eth1", "b:eth1"]}]
    `);
    const ps = await expectProblems(text, [['bgp: {asn: 1', 'topology.nodes.a.bgp.router-id: no router-id and no IPv4 address to take one from']]);
    expect(ps[0].hint).toBe('add router-id: A.B.C.D');
  });
});

describe('firewall', () => {
  const FW = yaml(`
    name: fw
    topology:
      nodes:
        in: {kind: host, interfaces: {eth1: [10.0.1.10/24, "2001:db8:1::10/64"]}}
        fw:
          kind: firewall
          interfaces: {eth1: [10.0.1.1/24, "2001:db8:1::1/64"], eth2: [203.0.113.1/24, "2001:db8:2::1/64"]}
          firewall:
            inside: [eth1]
            allow:
              - {in: eth2, proto: tcp, dst: 10.0.1.10, dport: 22}
            snat:
              - {out: eth2, to: masquerade}
            dnat:
              - {in: eth2, proto: tcp, dst: 203.0.113.1, dport: 80, to: "10.0.1.10:8080"}
        out: {kind: host, interfaces: {eth1: [203.0.113.10/24, "2001:db8:2::10/64"]}}
      links:
        - endpoints: ["in:eth1", "fw:eth1"]
        - endpoints: ["fw:eth2", "out:eth1"]
  `);
  const fwEdit = (old: string, now: string) => edit(old, now, FW);

  it('accepts the base firewall', async () => {
    const lab = await load(FW);
    expect(lab.nodes[1].firewall).toEqual({
      inside: ['eth1'],
      allow: [{ in: 'eth2', proto: 'tcp', dst: '10.0.1.10', dport: 22 }],
      snat: [{ out: 'eth2', to: 'masquerade' }],
      dnat: [{ in: 'eth2', proto: 'tcp', dst: '203.0.113.1', dport: 80, to: '10.0.1.10:8080' }],
    });
  });

  it('reports interfaces the node does not have, with the ones it has', async () => {
    const text = fwEdit('inside: [eth1]', 'inside: [eth1, eth3]')
      .replace('{in: eth2, proto: tcp, dst: 10.0.1.10', '{in: eth4, out: eth5, proto: tcp, dst: 10.0.1.10')
      .replace('{out: eth2, to', '{out: eth6, to')
      .replace('{in: eth2, proto: tcp, dst: 203', '{in: eth7, proto: tcp, dst: 203');
    const ps = await expectProblems(text, [
      ['eth3', "topology.nodes.fw.firewall.inside[1]: fw has no interface 'eth3'"],
      ['in: eth4', "topology.nodes.fw.firewall.allow[0].in: fw has no interface 'eth4'"],
      ['out: eth5', "topology.nodes.fw.firewall.allow[0].out: fw has no interface 'eth5'"],
      ['out: eth6', "topology.nodes.fw.firewall.snat[0].out: fw has no interface 'eth6'"],
      ['in: eth7', "topology.nodes.fw.firewall.dnat[0].in: fw has no interface 'eth7'"],
    ]);
    expect(ps[0].hint).toBe('its interfaces: eth1, eth2');
  });

  it('reports bad addresses, a dport without tcp or udp, and a rule that mixes families', async () => {
    const text = fwEdit(
      '          - {in: eth2, proto: tcp, dst: 10.0.1.10, dport: 22}\n',
      '          - {src: 10.0.0.0/33, dst: x}\n          - {proto: icmp, dport: 22}\n          - {src: 10.0.0.0/8, dst: "2001:db8:1::10"}\n',
    );
    await expectProblems(text, [
      ['src: 10.0.0.0/33', "topology.nodes.fw.firewall.allow[0].src: '10.0.0.0/33' is not an address or prefix"],
      ['dst: x', "topology.nodes.fw.firewall.allow[0].dst: 'x' is not an address or prefix"],
      ['dport: 22}', 'topology.nodes.fw.firewall.allow[1].dport: dport needs proto: tcp or udp'],
      ['{src: 10.0.0.0/8,', 'topology.nodes.fw.firewall.allow[2]: mixes IPv4 and IPv6 addresses'],
    ]);
  });

  it('reports a bad SNAT address and one of the other family', async () => {
    const text = fwEdit(
      '          - {out: eth2, to: masquerade}\n',
      '          - {out: eth2, to: nat-me}\n          - {src: 10.0.1.0/24, to: "2001:db8:2::1"}\n          - {src: "2001:db8:1::/64", to: masquerade}\n',
    );
    await expectProblems(text, [
      ['to: nat-me', "topology.nodes.fw.firewall.snat[0].to: 'nat-me' is not an address or 'masquerade'"],
      ['{src: 10.0.1.0/24', 'topology.nodes.fw.firewall.snat[1]: mixes IPv4 and IPv6 addresses'],
    ]);
  });

  it('reports DNAT to a non-IPv4 target, an IPv6 destination, and ports without tcp or udp', async () => {
    const text = fwEdit(
      '          - {in: eth2, proto: tcp, dst: 203.0.113.1, dport: 80, to: "10.0.1.10:8080"}\n',
      [
        '          - {dst: 203.0.113.1, to: "2001:db8:1::10"}',
        '          - {dst: "2001:db8:2::1", to: 10.0.1.10}',
        '          - {dst: 203.0.113.2, to: "10.0.1.10:8080"}',
        '          - {dst: 203.0.113.3, dport: 80, to: 10.0.1.10}',
        '',
      ].join('\n'),
    );
    await expectProblems(text, [
      ['to: "2001:db8:1::10"', "topology.nodes.fw.firewall.dnat[0].to: '2001:db8:1::10' is not an IPv4 address or address:port"],
      ['dst: "2001:db8:2::1"', "topology.nodes.fw.firewall.dnat[1].dst: DNAT is IPv4 only, '2001:db8:2::1' is IPv6"],
      ['to: "10.0.1.10:8080"', "topology.nodes.fw.firewall.dnat[2].to: a port in '10.0.1.10:8080' needs proto: tcp or udp"],
      ['dport: 80', 'topology.nodes.fw.firewall.dnat[3].dport: dport needs proto: tcp or udp'],
    ]);
  });
});

describe('flows', () => {
  const withFlows = (...flows: string[]) => LAB.replace(/flows:\n[\s\S]*$/, `flows:\n${flows.map((f) => `  - ${f}\n`).join('')}`);

  it('reports a flow to an address nobody owns without server:, and accepts it with one', async () => {
    const text = withFlows('{name: vip, from: h1, to: "198.51.100.80:443"}');
    const ps = await expectProblems(text, [['to: "198', 'flows[0].to: no node owns 198.51.100.80, so the flow has no server']]);
    expect(ps[0].hint).toBe('add `server: NODE` (the node that listens, e.g. behind a DNAT), or give a node that address');
    const lab = await load(withFlows('{name: vip, from: h1, to: "198.51.100.80:443", server: h2}'));
    expect(lab.flows[0]).toMatchObject({ toAddress: '198.51.100.80', toPort: 443, server: 'h2' });
  });

  it('finds the server by address value', async () => {
    const lab = await load(withFlows('{name: v6, from: h2, to: "[2001:DB8:1:0::10]:22"}'));
    expect(lab.flows[0].server).toBe('h1');
  });

  it('reports a destination that is not address:port', async () => {
    for (const to of ['10.0.2.10', '10.0.2.10:0', '10.0.2.10:65536', '2001:db8:1::10:22', '[2001:db8:1::10]']) {
      const text = withFlows(`{name: f, from: h1, to: "${to}"}`);
      const ps = await expectProblems(text, [['to: "', `flows[0].to: '${to}' is not address:port`]]);
      expect(ps[0].hint).toBe('write e.g. 198.51.100.10:443, or [2001:db8::10]:443 for IPv6');
    }
  });

  it('reports a name where an address belongs', async () => {
    const text = withFlows('{name: f, from: h1, to: "web:80"}');
    await expectProblems(text, [
      ['to: "', 'flows[0].to: no node owns web, so the flow has no server'],
      ['to: "', "flows[0].to: 'web' is not an address"],
    ]);
  });

  it('reports unknown nodes in from, server, expect.at, expect.path and expect.return-path', async () => {
    const text = withFlows('{name: f, from: h9, to: "10.0.2.10:80", server: h8, expect: {result: dropped, at: r9, path: [h1, r7], return-path: [r6]}}');
    const ps = await expectProblems(text, [
      ['from: h9', "flows[0].from: node 'h9' is not defined"],
      ['server: h8', "flows[0].server: node 'h8' is not defined"],
      ['at: r9', "flows[0].expect.at: node 'r9' is not defined"],
      ['r7', "flows[0].expect.path[1]: node 'r7' is not defined"],
      ['r6', "flows[0].expect.return-path[0]: node 'r6' is not defined"],
    ]);
    expect(ps[0].hint).toBe('nodes: h1, r1, r2, h2');
  });

  it('reports a name used twice, a flow to its own node, at: with delivered, and a source the client lacks', async () => {
    const text = withFlows(
      '{name: f, from: h1, to: "10.0.2.10:80"}',
      '{name: f, from: h2, to: "10.0.2.10:81"}',
      '{name: g, from: h1, to: "10.0.2.10:82", source: 10.0.2.10, expect: {result: delivered, at: r1}}',
    );
    await expectProblems(text, [
      ['name: f, from: h2', "flows[1].name: flow name 'f' is used twice"],
      ['{name: f, from: h2', 'flows[1].server: a flow cannot connect a node to itself'],
      ['at: r1', "flows[2].expect.at: 'at' names where a flow dies; a delivered flow has none"],
      ['source: 10.0.2.10', 'flows[2].source: h1 has no address 10.0.2.10'],
    ]);
  });

  it('accepts a source the client has, by value', async () => {
    await expect(load(withFlows('{name: f, from: h1, to: "[2001:db8:1::1]:80", source: "2001:db8:1:0:0::10"}'))).resolves.toBeDefined();
  });
});

describe('files', () => {
  it('reports a raw FRR config or iptables file that does not exist, resolved against the lab folder', async () => {
    const text = edit('      kind: router\n      interfaces: {eth1: [100.64', '      kind: router\n      frr-config: configs/r2.conf\n      iptables: ../rules/r2.v4\n      interfaces: {eth1: [100.64');
    const ps = await expectProblems(
      text,
      [
        ['frr-config', 'topology.nodes.r2.frr-config: file /lab/configs/r2.conf does not exist'],
        ['iptables', 'topology.nodes.r2.iptables: file /rules/r2.v4 does not exist'],
      ],
      (p) => p === '/elsewhere',
    );
    expect(ps[0].hint).toBe('paths are relative to the lab file');
    // ../rules is outside the lab folder: allowed when asked
    await expect(loadLab(FILE, { fs: memFs({ [FILE]: text }), exists: () => true, allowOutsidePaths: true })).resolves.toBeDefined();
  });
});

describe('all at once', () => {
  it('reports the problems of every rule in one error', async () => {
    const text = edit('name: v', 'name: V')
      .replace('["r1:eth2", "h2:eth1"]', '["r1:eth2", "fw9:eth1"]')
      .replace('via: 10.0.2.1}]', 'via: 10.0.9.1}]')
      .replace('remote-as: 65002}\n          - {address: "2001', 'remote-as: 65005}\n          - {address: "2001')
      .replace('kind: host\n      interfaces: {eth1: 10.0.2.10/24}', 'kind: host\n      sysctls: {fs.file-max: 1}\n      interfaces: {eth1: 10.0.2.10/24}')
      .replace('{name: web, from: h1', '{name: web, from: h7');
    const ps = await problems(text);
    expect(ps.map((p) => p.path)).toEqual([
      'name',
      'topology.links[1].endpoints[1]',
      'topology.nodes.h2.interfaces.eth1',
      'topology.nodes.h2.routes[0].via',
      'topology.nodes.h2.sysctls.fs.file-max',
      'topology.nodes.r1.bgp.neighbors[0].remote-as',
      'flows[0].from',
    ]);
  });
});
