/**
 * The loader end to end on in-memory files: YAML and `extends`, the schema, inheritance
 * (defaults < kinds < groups < node) and where each problem is reported (file:line:col + dot-path).
 */
import { describe, expect, it } from 'vitest';
import { LabError, type InputProblem } from '../../src/errors.js';
import { loadLab, type LoadOptions } from '../../src/topology/load.js';
import type { Lab } from '../../src/topology/types.js';
import { memFs, yaml } from './helpers/lab-source.js';



const load = (files: Record<string, string>, entry = '/lab/lab.yaml', exists: (p: string) => boolean = () => true, opts: LoadOptions = {}): Promise<Lab> =>
  loadLab(entry, { fs: memFs(files), exists, ...opts });
// These labs name files outside their folder (/etc/r1.rules, binds of /defaults): allowed only when asked.
const OUTSIDE: LoadOptions = { allowOutsidePaths: true };

async function failure(files: Record<string, string>, entry = '/lab/lab.yaml', exists: (p: string) => boolean = () => true): Promise<LabError> {
  try {
    await load(files, entry, exists);
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    expect((e as LabError).kind).toBe('input');
    return e as LabError;
  }
  throw new Error('the lab loaded, but a problem was expected');
}

const problem = (err: LabError, path: string): InputProblem => {
  const p = err.problems.find((x) => x.path === path);
  if (!p) throw new Error(`no problem at ${path}; got:\n${err.message}`);
  return p;
};

// client -- r1 -- server: the smallest lab that routes.
const BASIC = yaml(`
  name: basic
  topology:
    nodes:
      client:
        kind: host
        interfaces: {eth1: 10.0.1.10/24}
        routes: [{to: default, via: 10.0.1.1}]
      r1:
        kind: router
        interfaces: {eth1: 10.0.1.1/24, eth2: 10.0.2.1/24}
      server:
        kind: host
        interfaces: {eth1: 10.0.2.10/24}
        routes: [{to: default, via: 10.0.2.1}]
    links:
      - endpoints: ["client:eth1", "r1:eth1"]
      - endpoints: ["r1:eth2", "server:eth1"]
  flows:
    - {name: web, from: client, to: "10.0.2.10:80"}
`);

describe('loadLab: a valid lab', () => {
  it('normalises nodes, links and flows', async () => {
    const lab = await load({ '/lab/lab.yaml': BASIC });
    expect(lab.name).toBe('basic');
    expect(lab.file).toBe('/lab/lab.yaml');
    expect(lab.dir).toBe('/lab');
    expect(lab.runtime).toBe('netns');
    expect(lab.nodes.map((n) => `${n.name}:${n.kind}`)).toEqual(['client:host', 'r1:router', 'server:host']);
    expect(lab.nodes[1].interfaces).toEqual([
      { name: 'eth1', addresses: ['10.0.1.1/24'] },
      { name: 'eth2', addresses: ['10.0.2.1/24'] },
    ]);
    expect(lab.nodes[0].routes).toEqual([{ to: '0.0.0.0/0', via: '10.0.1.1', dev: undefined }]);
    expect(lab.links).toEqual([
      { endpoints: [{ node: 'client', iface: 'eth1' }, { node: 'r1', iface: 'eth1' }] },
      { endpoints: [{ node: 'r1', iface: 'eth2' }, { node: 'server', iface: 'eth1' }] },
    ]);
    // server comes from the owner of the address; count and timeout have defaults
    expect(lab.flows).toEqual([
      { name: 'web', from: 'client', toAddress: '10.0.2.10', toPort: 80, source: undefined, server: 'server', count: 1, timeoutMs: 3000, trace: false, expect: undefined },
    ]);
  });

  it('takes the runtime from the options over the file', async () => {
    const lab = await loadLab('/lab/lab.yaml', { fs: memFs({ '/lab/lab.yaml': `${BASIC}runtime: netns\n` }), runtime: 'docker', exists: () => true });
    expect(lab.runtime).toBe('docker');
  });

  it('gives routers and firewalls forwarding, hosts nothing, and leaves rp_filter to the kernel', async () => {
    const lab = await load({
      '/lab/lab.yaml': BASIC.replace('kind: router', 'kind: router\n      sysctls: {net.ipv4.conf.all.rp_filter: 2, net.ipv6.conf.all.forwarding: false}'),
    });
    const [client, r1] = lab.nodes;
    expect(client.sysctls).toEqual({});
    expect(r1.sysctls).toEqual({
      'net.ipv4.ip_forward': '1',
      'net.ipv6.conf.all.forwarding': '0', // booleans become 1/0, the lab's value wins over the kind's
      'net.ipv4.conf.all.rp_filter': '2',
    });
    const fw = await load({ '/lab/lab.yaml': BASIC.replace('kind: router', 'kind: firewall') });
    expect(fw.nodes[1].sysctls).toEqual({ 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' });
    // a firewall without a firewall: section still gets the default policy (everything new dropped)
    expect(fw.nodes[1].firewall).toEqual({ inside: [], allow: [], snat: [], dnat: [] });
    expect(lab.nodes[0].firewall).toBeUndefined();
  });

  it('resolves frr-config and iptables against the lab folder, and asks `exists` about them', async () => {
    const asked: string[] = [];
    const lab = await load(
      { '/lab/lab.yaml': BASIC.replace('kind: router', 'kind: router\n      frr-config: configs/r1.conf\n      iptables: /etc/r1.rules') },
      '/lab/lab.yaml',
      (p) => (asked.push(p), true),
      OUTSIDE,
    );
    expect(lab.nodes[1].frrConfig).toBe('/lab/configs/r1.conf');
    expect(lab.nodes[1].iptables).toBe('/etc/r1.rules');
    expect(asked.sort()).toEqual(['/etc/r1.rules', '/lab/configs/r1.conf']);
  });

  it('reads flow options: source, server, count, timeout-ms, trace and expect', async () => {
    const lab = await load({
      '/lab/lab.yaml': yaml(`
        name: t
        topology:
          nodes:
            a: {kind: host, interfaces: {eth1: [10.0.0.1/24, "2001:db8::1/64"]}}
            b: {kind: host, interfaces: {eth1: [10.0.0.2/24, "2001:db8::2/64"]}}
          links: [{endpoints: ["a:eth1", "b:eth1"]}]
        flows:
          - name: v6
            from: a
            to: "[2001:db8::2]:443"
            source: "2001:db8::1"
            count: 3
            timeout-ms: 500
            trace: true
            expect: {result: dropped, at: b, path: [a, b], return-path: [b, a], asymmetric: false}
          - {name: vip, from: a, to: "192.0.2.80:80", server: b}
      `),
    });
    expect(lab.flows[0]).toEqual({
      name: 'v6',
      from: 'a',
      toAddress: '2001:db8::2',
      toPort: 443,
      source: '2001:db8::1',
      server: 'b',
      count: 3,
      timeoutMs: 500,
      trace: true,
      expect: { result: 'dropped', at: 'b', path: ['a', 'b'], returnPath: ['b', 'a'], asymmetric: false },
    });
    expect(lab.flows[1]).toMatchObject({ toAddress: '192.0.2.80', server: 'b' });
  });

  it('attaches link interfaces that carry no address to their nodes', async () => {
    const lab = await load({ '/lab/lab.yaml': BASIC.replace('interfaces: {eth1: 10.0.1.10/24}', 'loopbacks: [10.0.1.10/32]').replace('routes: [{to: default, via: 10.0.1.1}]', 'routes: [{to: default, dev: eth1}]') });
    expect(lab.nodes[0].interfaces).toEqual([{ name: 'eth1', addresses: [] }]);
  });
});

describe('loadLab: inheritance, containerlab order defaults < kinds < groups < node', () => {
  const INHERIT = yaml(`
    name: inherit
    topology:
      defaults:
        kind: host
        sysctls: {net.a.d: d, net.a.k: d, net.a.g: d, net.a.n: d}
        exec: [from-defaults]
        binds: [/defaults]
      kinds:
        host:
          sysctls: {net.a.k: k, net.a.g: k, net.a.n: k}
          exec: [from-kind]
        router:
          exec: [router-kind]
      groups:
        edge:
          sysctls: {net.a.g: g, net.a.n: g}
          exec: [from-group-1, from-group-2]
        core:
          kind: router
      nodes:
        h1:
          group: edge
          sysctls: {net.a.n: n}
          interfaces: {eth1: 10.0.0.1/24}
        h2:
          group: edge
          exec: [own]
          interfaces: {eth1: 10.0.0.2/24}
        r1:
          group: core
          interfaces: {eth1: 10.0.0.3/24}
        h3:
          interfaces: {eth1: 10.0.0.4/24}
      links:
        - endpoints: ["h1:eth1", "h2:eth1"]
        - endpoints: ["r1:eth1", "h3:eth1"]
  `);

  it('merges maps key by key, the later layer winning', async () => {
    const lab = await load({ '/lab/lab.yaml': INHERIT }, undefined, undefined, OUTSIDE);
    expect(lab.nodes.find((n) => n.name === 'h1')!.sysctls).toEqual({ 'net.a.d': 'd', 'net.a.k': 'k', 'net.a.g': 'g', 'net.a.n': 'n' });
    expect(lab.nodes.find((n) => n.name === 'h3')!.sysctls).toEqual({ 'net.a.d': 'd', 'net.a.k': 'k', 'net.a.g': 'k', 'net.a.n': 'k' });
  });

  it('replaces lists whole', async () => {
    const lab = await load({ '/lab/lab.yaml': INHERIT }, undefined, undefined, OUTSIDE);
    const by = (n: string) => lab.nodes.find((x) => x.name === n)!;
    expect(by('h1').exec).toEqual(['from-group-1', 'from-group-2']);
    expect(by('h2').exec).toEqual(['own']);
    expect(by('h3').exec).toEqual(['from-kind']);
    expect(by('h1').binds).toEqual(['/defaults']);
  });

  it('takes the kind from the group, else the defaults; the kind then picks its kinds: entry', async () => {
    const lab = await load({ '/lab/lab.yaml': INHERIT }, undefined, undefined, OUTSIDE);
    const r1 = lab.nodes.find((x) => x.name === 'r1')!;
    expect(r1.kind).toBe('router');
    expect(r1.group).toBe('core');
    expect(r1.exec).toEqual(['router-kind']);
    expect(r1.sysctls['net.ipv4.ip_forward']).toBe('1');
    expect(lab.nodes.find((x) => x.name === 'h3')!.kind).toBe('host');
  });

  it('takes the group from the defaults', async () => {
    const lab = await load({ '/lab/lab.yaml': INHERIT.replace('    kind: host\n', '    kind: host\n    group: edge\n') }, undefined, undefined, OUTSIDE);
    expect(lab.nodes.find((x) => x.name === 'h3')!.exec).toEqual(['from-group-1', 'from-group-2']);
  });

  it('reports an inherited problem at the node that inherits it', async () => {
    const err = await failure({ '/lab/lab.yaml': INHERIT.replace('exec: [from-kind]', 'exec: [from-kind]\n      routes: [{to: default, via: 192.0.2.1}]') });
    // h1, h2, h3 all inherit the route; each is reported at its own node's line
    expect(err.message).toContain('/lab/lab.yaml:22:5: topology.nodes.h1.routes[0].via: next hop 192.0.2.1 is not on any subnet of h1');
    expect(err.message).toContain('/lab/lab.yaml:33:5: topology.nodes.h3.routes[0].via: next hop 192.0.2.1 is not on any subnet of h3');
  });
});

describe('loadLab: extends', () => {
  const BASE = yaml(`
    name: base
    description: the base lab
    topology:
      nodes:
        client:
          kind: host
          interfaces: {eth1: 10.0.1.10/24}
          routes: [{to: default, via: 10.0.1.1}]
        r1:
          kind: router
          interfaces: {eth1: 10.0.1.1/24, eth2: 10.0.2.1/24}
          sysctls: {net.ipv4.conf.all.rp_filter: 1}
          bgp: {asn: 65001, neighbors: [{address: 10.0.2.2, remote-as: 65002}]}
        r2:
          kind: router
          interfaces: {eth1: 10.0.2.2/24, eth2: 10.0.3.1/24}
          bgp: {asn: 65002, neighbors: [{address: 10.0.2.1, remote-as: 65001}]}
        server:
          kind: host
          interfaces: {eth1: 10.0.3.10/24}
          routes: [{to: default, via: 10.0.3.1}]
      links:
        - endpoints: ["client:eth1", "r1:eth1"]
        - endpoints: ["r1:eth2", "r2:eth1"]
        - endpoints: ["r2:eth2", "server:eth1"]
    flows:
      - {name: base-flow, from: client, to: "10.0.3.10:80"}
  `);

  it('deep-merges maps, replaces lists, and never inherits name or extends', async () => {
    const lab = await load({
      '/base/lab.yaml': BASE,
      '/lab/lab.yaml': yaml(`
        name: child
        extends: ../base/lab.yaml
        topology:
          nodes:
            r1:
              sysctls: {net.ipv4.conf.all.rp_filter: 2}
              bgp: null
            r2: {bgp: null}
        flows:
          - {name: child-flow, from: server, to: "10.0.1.10:22"}
      `),
    });
    expect(lab.name).toBe('child');
    expect(lab.description).toBe('the base lab');
    expect(lab.file).toBe('/lab/lab.yaml');
    const r1 = lab.nodes.find((n) => n.name === 'r1')!;
    expect(r1.kind).toBe('router');
    expect(r1.interfaces.map((i) => i.addresses[0])).toEqual(['10.0.1.1/24', '10.0.2.1/24']);
    expect(r1.sysctls['net.ipv4.conf.all.rp_filter']).toBe('2');
    expect(r1.bgp).toBeUndefined(); // null deletes the key
    expect(lab.flows.map((f) => f.name)).toEqual(['child-flow']);
    expect(lab.links).toHaveLength(3);
  });

  it('needs its own name', async () => {
    const err = await failure({ '/base/lab.yaml': BASE, '/lab/lab.yaml': 'extends: ../base/lab.yaml\n' });
    expect(problem(err, '').message).toBe("missing key 'name'");
  });

  it('adds links to the base, a link with the same endpoints (either order) replacing the base one in place', async () => {
    const lab = await load({
      '/base/lab.yaml': BASE,
      '/lab/lab.yaml': yaml(`
        name: child
        extends: ../base/lab.yaml
        topology:
          nodes:
            r1: {interfaces: {eth3: 10.0.4.1/24}}
            probe: {kind: host, interfaces: {eth1: 10.0.4.10/24}}
          links:
            - endpoints: ["r1:eth3", "probe:eth1"]
            - endpoints: ["r2:eth1", "r1:eth2"]
      `),
    });
    expect(lab.links.map((l) => l.endpoints.map((e) => `${e.node}:${e.iface}`).join(' '))).toEqual([
      'client:eth1 r1:eth1',
      'r2:eth1 r1:eth2', // the child's spelling, at the base's position
      'r2:eth2 server:eth1',
      'r1:eth3 probe:eth1',
    ]);
    // maps merged key by key: eth3 joined eth1 and eth2
    expect(lab.nodes.find((n) => n.name === 'r1')!.interfaces.map((i) => i.name)).toEqual(['eth1', 'eth2', 'eth3']);
  });

  it('removes a node set to null together with its links', async () => {
    const lab = await load({
      '/base/lab.yaml': BASE,
      '/lab/lab.yaml': yaml(`
        name: child
        extends: ../base/lab.yaml
        topology:
          nodes:
            server: null
            r2: {interfaces: {eth2: null}}
        flows: []
      `),
    });
    expect(lab.nodes.map((n) => n.name)).toEqual(['client', 'r1', 'r2']);
    expect(lab.links).toHaveLength(2);
    expect(lab.links.flatMap((l) => l.endpoints.map((e) => e.node))).not.toContain('server');
  });

  it('follows a chain of bases, each relative to the file that names it', async () => {
    const lab = await load({
      '/base/lab.yaml': BASE,
      '/mid/lab.yaml': yaml(`
        name: mid
        extends: ../base/lab.yaml
        description: the middle one
        topology:
          nodes:
            client: {exec: [echo mid]}
      `),
      '/lab/lab.yaml': yaml(`
        name: top
        extends: ../mid/lab.yaml
        topology:
          nodes:
            client: {binds: [/top]}
      `),
    }, undefined, undefined, OUTSIDE);
    expect(lab.name).toBe('top');
    expect(lab.description).toBe('the middle one');
    const client = lab.nodes.find((n) => n.name === 'client')!;
    expect(client.exec).toEqual(['echo mid']);
    expect(client.binds).toEqual(['/top']);
    expect(client.interfaces[0].addresses).toEqual(['10.0.1.10/24']);
  });

  it('reports a cycle, with the chain and the line of the extends that closes it', async () => {
    const err = await failure({
      '/lab/a.yaml': 'name: a\nextends: b.yaml\ntopology: {}\n',
      '/lab/b.yaml': 'name: b\ntopology: {}\nextends: a.yaml\n',
    }, '/lab/a.yaml');
    expect(err.problems).toHaveLength(1);
    expect(err.message).toContain('/lab/b.yaml:3:1: extends: extends loops back to /lab/a.yaml (/lab/a.yaml -> /lab/b.yaml -> /lab/a.yaml) (remove the cycle)');
  });

  it('reports a lab that extends itself', async () => {
    const err = await failure({ '/lab/lab.yaml': 'name: a\nextends: ./lab.yaml\ntopology: {}\n' });
    expect(err.message).toContain('/lab/lab.yaml:2:1: extends: extends loops back to /lab/lab.yaml');
  });

  it('reports a base that cannot be read at the extends line', async () => {
    const err = await failure({ '/lab/lab.yaml': 'name: a\ntopology: {}\nextends: ../nowhere.yaml\n' });
    expect(err.message).toContain('/lab/lab.yaml:3:1: extends: cannot read lab file /nowhere.yaml: ENOENT (check the path)');
  });

  it('places each problem in the file it comes from, links by their own index there', async () => {
    const err = await failure({
      '/base/lab.yaml': BASE.replace('["r2:eth2", "server:eth1"]', '["r2:eth2", "srv:eth1"]'),
      '/lab/lab.yaml': yaml(`
        name: child
        extends: ../base/lab.yaml
        topology:
          links:
            - endpoints: ["r1:eth9", "fw9:eth1"]
      `),
    });
    // merged links: [base 0, base 1, base 2, child 0]
    expect(err.message).toContain("/base/lab.yaml:25:30: topology.links[2].endpoints[1]: node 'srv' is not defined");
    expect(err.message).toContain("/lab/lab.yaml:5:30: topology.links[3].endpoints[1]: node 'fw9' is not defined");
    // a node only the base defines is found in the base
    expect(err.message).toContain('/base/lab.yaml:20:20: topology.nodes.server.interfaces.eth1: interface server:eth1 is in no link');
  });
});

describe('loadLab: YAML syntax', () => {
  it('reports a syntax error with its line and column', async () => {
    const err = await failure({ '/lab/lab.yaml': 'name: t\ntopology:\n  nodes: {a: {kind: host}\n  links: []\n' });
    expect(err.problems.length).toBeGreaterThan(0);
    expect(err.problems[0].file).toMatch(/^\/lab\/lab\.yaml:\d+:\d+$/);
    expect(err.problems[0].message).toMatch(/^YAML: /);
    expect(err.problems[0].hint).toBe('fix the YAML syntax');
  });

  it('reports a bad indentation on the line it is on', async () => {
    const err = await failure({ '/lab/lab.yaml': 'name: t\ntopology:\n  nodes:\n    a:\n      kind: host\n     bad: 1\n' });
    expect(err.problems[0].file).toMatch(/^\/lab\/lab\.yaml:6:\d+$/);
  });

  it('reports a key written twice', async () => {
    const err = await failure({ '/lab/lab.yaml': 'name: t\nname: u\ntopology: {}\n' });
    expect(err.message).toMatch(/\/lab\/lab\.yaml:2:1: YAML: Map keys must be unique/);
  });

  it('reports a syntax error in a base in the base', async () => {
    const err = await failure({ '/lab/base.yaml': 'name: [\n', '/lab/lab.yaml': 'name: t\nextends: base.yaml\n' });
    expect(err.problems[0].file).toMatch(/^\/lab\/base\.yaml:\d+:\d+$/);
  });

  it('wants a mapping at the top', async () => {
    const err = await failure({ '/lab/lab.yaml': '- a\n- b\n' });
    expect(err.message).toContain('/lab/lab.yaml: the lab file must be a YAML mapping');
    await expect(load({ '/lab/lab.yaml': '' })).rejects.toThrow(/must be a YAML mapping/);
  });

  it('reports a lab file that cannot be read', async () => {
    const err = await failure({}, '/lab/missing.yaml');
    expect(err.message).toContain('/lab/missing.yaml: cannot read lab file /lab/missing.yaml: ENOENT');
  });
});

describe('loadLab: schema', () => {
  it('names an unknown key, where it is, and the keys that are known there', async () => {
    const err = await failure({ '/lab/lab.yaml': BASIC.replace('kind: router', 'kind: router\n      bpg: {asn: 1}') });
    const p = problem(err, 'topology.nodes.r1.bpg');
    expect(p.file).toBe('/lab/lab.yaml:10:7');
    expect(p.message).toBe("unknown key 'bpg'");
    expect(p.hint).toContain('known keys here: kind, group, image, interfaces, loopbacks, routes, sysctls, exec, binds, labels, env, bgp, frr-config, firewall, iptables, description');
  });

  it('names an unknown top-level key', async () => {
    const err = await failure({ '/lab/lab.yaml': `${BASIC}flow: []\n` });
    expect(problem(err, 'flow').hint).toMatch(/^known keys here: name, description, extends, runtime, prefix, mgmt, topology, flows$/);
    expect(problem(err, 'flow').file).toBe('/lab/lab.yaml:20:1');
  });

  it('reports every missing required key, not only the first', async () => {
    const err = await failure({ '/lab/lab.yaml': `${BASIC}  - {to: "10.0.2.10:80"}\n` });
    const msgs = err.problems.filter((p) => p.path === 'flows[1]').map((p) => p.message);
    expect(msgs).toEqual(["missing key 'name'", "missing key 'from'"]);
    expect(err.problems[0].file).toBe('/lab/lab.yaml:20:5');
  });

  it('reports an enum and a type with what is allowed', async () => {
    const err = await failure({ '/lab/lab.yaml': `${BASIC.replace('name: web', 'name: web, count: many')}runtime: lxc\n` });
    expect(problem(err, 'runtime').message).toBe('must be one of netns, docker');
    expect(problem(err, 'flows[0].count').message).toBe('must be integer');
  });

  it('spells a multi-type type error in words', async () => {
    const err = await failure({ '/lab/lab.yaml': BASIC.replace('kind: router', 'kind: router\n      sysctls: {net.ipv4.ip_forward: [1]}') });
    const p = problem(err, 'topology.nodes.r1.sysctls.net.ipv4.ip_forward');
    expect(p.message).toBe('must be string or number or boolean');
    // the key holds dots and is still found
    expect(p.file).toBe('/lab/lab.yaml:10:17');
  });

  it('reports an invalid interface name, as a key and as a value', async () => {
    const err = await failure({
      '/lab/lab.yaml': BASIC.replace('interfaces: {eth1: 10.0.1.1/24, eth2: 10.0.2.1/24}', 'interfaces: {eth1: 10.0.1.1/24, "2bad": 10.0.2.1/24}\n      firewall: {inside: [eth1, "has space"]}'),
    });
    const key = problem(err, 'topology.nodes.r1.interfaces.2bad');
    expect(key.message).toBe("invalid interface name '2bad'");
    expect(key.file).toBe('/lab/lab.yaml:10:39');
    expect(key.hint).toMatch(/letter/);
    expect(problem(err, 'topology.nodes.r1.firewall.inside[1]').message).toBe("invalid interface name 'has space'");
  });

  it('explains an address list with a bad item at the item, not as "not a string"', async () => {
    const err = await failure({ '/lab/lab.yaml': BASIC.replace('{eth1: 10.0.1.10/24}', '{eth1: [10.0.1.10/24, 5]}') });
    expect(err.problems.map((p) => `${p.path}: ${p.message}`)).toEqual(['topology.nodes.client.interfaces.eth1[1]: must be string']);
  });

  it('says a node must be a mapping', async () => {
    const err = await failure({ '/lab/lab.yaml': BASIC.replace('    server:\n      kind: host', '    other: 5\n    server:\n      kind: host') });
    expect(problem(err, 'topology.nodes.other').message).toBe('must be object');
  });

  it('reports every schema problem at once', async () => {
    const err = await failure({
      '/lab/lab.yaml': yaml(`
        name: t
        colour: blue
        topology:
          nodes:
            a: {kind: host, colour: red, routes: [{via: 10.0.0.1}]}
          links:
            - endpoints: ["a:eth1"]
      `),
    });
    expect(err.problems.map((p) => `${p.file}: ${p.path}: ${p.message}`)).toEqual([
      "/lab/lab.yaml:2:1: colour: unknown key 'colour'",
      "/lab/lab.yaml:5:21: topology.nodes.a.colour: unknown key 'colour'",
      "/lab/lab.yaml:5:43: topology.nodes.a.routes[0]: missing key 'to'",
      '/lab/lab.yaml:7:7: topology.links[0].endpoints: must NOT have fewer than 2 items',
    ]);
    expect(err.message.split('\n')[0]).toBe('invalid lab: 4 problems');
  });
});

describe('loadLab: semantic problems', () => {
  it('reports all of them at once, each with file:line:col and dot-path', async () => {
    const err = await failure({
      '/lab/lab.yaml': yaml(`
        name: many
        topology:
          nodes:
            a:
              kind: host
              interfaces: {eth1: 10.0.0.1/24}
              routes: [{to: default, via: 10.9.9.9}]
            b:
              kind: host
              interfaces: {eth1: 10.0.0.1/24}
          links:
            - endpoints: ["a:eth1", "b:eth1"]
            - endpoints: ["fw9:eth1", "a:eth1"]
        flows:
          - {name: f, from: a, to: "198.51.100.1:80"}
      `),
    });
    expect(err.problems.map((p) => `${p.file}: ${p.path}: ${p.message}`)).toEqual([
      '/lab/lab.yaml:15:24: flows[0].to: no node owns 198.51.100.1, so the flow has no server',
      "/lab/lab.yaml:13:19: topology.links[1].endpoints[0]: node 'fw9' is not defined",
      "/lab/lab.yaml:13:31: topology.links[1].endpoints[1]: interface a:eth1 is already used by topology.links[0]",
      '/lab/lab.yaml:10:20: topology.nodes.b.interfaces.eth1: address 10.0.0.1 is also on a (topology.nodes.a.interfaces.eth1)',
      '/lab/lab.yaml:7:30: topology.nodes.a.routes[0].via: next hop 10.9.9.9 is not on any subnet of a',
    ]);
  });

  it('reports an unknown node in a link as the format promises', async () => {
    const err = await failure({ '/lab/lab.yaml': BASIC.replace('["r1:eth2", "server:eth1"]', '["fw9:eth2", "server:eth1"]') });
    expect(err.message).toContain(
      "/lab/lab.yaml:17:19: topology.links[1].endpoints[0]: node 'fw9' is not defined (define it under topology.nodes, or use one of: client, r1, server)",
    );
  });
});
