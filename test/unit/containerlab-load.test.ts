/**
 * containerlab topology files load as labs as they are (src/topology/containerlab/): every key of
 * containerlab's schema is accepted, a key asymlab cannot honour is one warning, `linux` nodes are
 * FRR routers or hosts by what they run, vendor kinds are refused naming a stand-in, containerlab's
 * node names work with safe resource names, and schema and rule problems come in one pass.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { renderNetBatch } from '../../src/nodes/net-config.js';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError, type InputProblem } from '../../src/errors.js';
import { planLab } from '../../src/plan/plan.js';
import { ENDPOINT_KEYS, LAB_KEYS, LINK_KEYS, NODE_KEYS, TOPOLOGY_KEYS } from '../../src/topology/containerlab/keys.js';
import { loadLab, loadLabWithWarnings } from '../../src/topology/load.js';
import type { Lab } from '../../src/topology/types.js';
import { memFs, yaml } from './helpers/lab-source.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/containerlab');
const FRR01 = join(FIXTURES, 'frr01/frr01.clab.yml');

const FILE = '/lab/lab.clab.yml';
const FRR_FILES: Record<string, string> = { '/lab/r1/frr.conf': 'router ospf\n', '/lab/r1/daemons': 'ospfd=yes\nbgpd=no\n' };
const files = (text: string, more: Record<string, string> = {}) => memFs({ [FILE]: text, ...FRR_FILES, ...more });
/** The plan reads FRR's files from disk; here from the same memory. */
const plan = (lab: Lab) => planLab(lab, { readConfig: (p) => FRR_FILES[p] });
const load = (text: string, more: Record<string, string> = {}) => loadLabWithWarnings(FILE, { fs: files(text, more) });
async function problems(text: string, more: Record<string, string> = {}): Promise<InputProblem[]> {
  const err = await load(text, more).catch((e: unknown) => e);
  if (!(err instanceof LabError)) throw new Error('the lab loaded, but problems were expected');
  return err.problems;
}
const say = (p: InputProblem) => `${p.path}: ${p.message}`;

/** Two FRR routers and a host, in containerlab's words. */
const CLAB = yaml(`
  name: t1
  topology:
    nodes:
      R1:
        kind: linux
        image: quay.io/frrouting/frr:10.5.1
        binds: [r1/frr.conf:/etc/frr/frr.conf, r1/daemons:/etc/frr/daemons]
      r_2:
        kind: linux
        image: quay.io/frrouting/frr:10.5.1
        startup-config: r1/frr.conf
      PC1:
        kind: linux
        image: alpine
        exec: [ip addr add 10.0.0.2/24 dev eth1]
    links:
      - endpoints: ["R1:eth1", "r_2:eth1"]
      - endpoints: ["PC1:eth1", "R1:eth2"]
`);

describe("containerlab's frr01, unmodified", () => {
  it('loads as a lab with no warnings: three FRR routers from their bound files, three hosts configured by exec', async () => {
    const { lab, warnings } = await loadLabWithWarnings(FRR01);
    expect(warnings).toEqual([]);
    expect(lab.dialect).toBe('containerlab');
    const plan = planLab(lab);
    const r1 = plan.nodes.find((n) => n.node.name === 'router1')!;
    expect(r1.node.frrConfig).toBe(join(FIXTURES, 'frr01/router1/frr.conf'));
    expect(r1.node.frrConfigKey).toBe('binds[1]');
    // the daemons file starts ospfd and ldpd; zebra and staticd always run, as FRR's scripts do
    expect(r1.daemons).toEqual(['zebra', 'staticd', 'ospfd', 'ldpd']);
    expect(r1.capabilities.forwards).toBe(true);
    expect(r1.ownFilesystem).toBe(true);
    const pc1 = plan.nodes.find((n) => n.node.name === 'PC1')!;
    expect(pc1.frr).toBe(false);
    expect(pc1.capabilities.forwards).toBe(false);
    expect(pc1.ns).toBe('asymlab_frr01_pc1');
    expect(pc1.node.exec).toHaveLength(4);
    // the addresses the nodes put on themselves are known to the lab, and left to the nodes
    expect(pc1.node.interfaces).toEqual([{ name: 'eth1', addresses: ['192.168.11.2/24'], selfAddresses: ['192.168.11.2/24'] }]);
    expect(r1.node.interfaces.find((i) => i.name === 'eth3')?.addresses).toEqual(['192.168.11.1/24']);
    expect(renderNetBatch(pc1)).not.toMatch(/addr add/);
  });

  it('an asymlab file that extends it adds flows, whose servers are found by the addresses the nodes configure', async () => {
    const file = join(FIXTURES, 'frr01/with-flows.yaml');
    const fs = memFs({ [file]: 'name: frr01-flows\nextends: frr01.clab.yml\nflows:\n  - {name: pc1-pc3, from: PC1, to: 192.168.13.2:8080}\n' });
    const real = { ...fs, readFile: (p: string) => (p === file ? fs.readFile(p) : readFile(p, 'utf8')), exists: async () => true, inspect: undefined };
    const lab = await loadLab(file, { fs: real, exists: () => true });
    expect(lab.dialect).toBe('containerlab');
    expect(lab.flows[0].server).toBe('PC3');
    expect(lab.nodes).toHaveLength(6);
  });
});

describe('containerlab keys', () => {
  const schema = JSON.parse(readFileSync(join(FIXTURES, 'clab.schema.json'), 'utf8')) as {
    properties: Record<string, { properties?: Record<string, unknown> }>;
    definitions: Record<string, { properties?: Record<string, unknown> }>;
  };
  const keysOf = (o: { properties?: Record<string, unknown> }) => Object.keys(o.properties ?? {});

  it("the table has every key of containerlab's schema, each honoured or ignored with why", () => {
    const linkDefs = Object.keys(schema.definitions).filter((d) => d.startsWith('link-type-') || d === 'link-config-short');
    const want = {
      lab: keysOf(schema as never),
      topology: keysOf(schema.properties.topology),
      node: keysOf(schema.definitions['node-config']),
      link: [...new Set(linkDefs.flatMap((d) => keysOf(schema.definitions[d])))],
      endpoint: keysOf(schema.definitions['link-endpoint']),
    };
    const have = { lab: LAB_KEYS, topology: TOPOLOGY_KEYS, node: NODE_KEYS, link: LINK_KEYS, endpoint: ENDPOINT_KEYS };
    for (const [where, keys] of Object.entries(want)) {
      expect(keys.length, where).toBeGreaterThan(0);
      expect(keys.filter((k) => !have[where as keyof typeof have].some((e) => e.key === k)), where).toEqual([]);
    }
    for (const e of [...LAB_KEYS, ...NODE_KEYS, ...LINK_KEYS, ...ENDPOINT_KEYS]) expect(e.does.length, e.key).toBeGreaterThan(10);
  });

  it('docs/containerlab.md says what asymlab does with every key', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/containerlab.md'), 'utf8');
    for (const e of [...LAB_KEYS, ...TOPOLOGY_KEYS, ...NODE_KEYS, ...LINK_KEYS, ...ENDPOINT_KEYS]) expect(doc, e.key).toContain(`| \`${e.key}\` | ${e.honoured ? '' : 'ignored (one warning): '}${e.does}`);
  });

  it('accepts every node key of the schema; each one asymlab cannot honour is one warning, however many nodes have it', async () => {
    const ignored = NODE_KEYS.filter((k) => !k.honoured).map((k) => k.key);
    const extra = ignored.map((k) => `      ${k}: 1`).join('\n');
    const text = CLAB.replace('    PC1:\n      kind: linux\n', `    PC1:\n      kind: linux\n${extra}\n`).replace('    R1:\n      kind: linux\n', '    R1:\n      kind: linux\n      mgmt-ipv4: 172.20.20.2\n      ports: ["80:80"]\n');
    const { warnings } = await load(`${text}mgmt: {network: lab, ipv4-subnet: 172.20.20.0/24}\nsettings: {}\n`);
    const keysWarned = warnings.map((w) => /key '([^']+)'/.exec(w.message)![1]);
    expect(keysWarned.sort()).toEqual([...ignored, 'mgmt', 'settings'].sort());
    const mgmt = warnings.find((w) => w.path.endsWith('mgmt-ipv4'))!;
    expect(mgmt.path).toBe('topology.nodes.R1.mgmt-ipv4');
    expect(mgmt.message).toBe("containerlab node key 'mgmt-ipv4' is ignored (here and in 1 more place): asymlab gives nodes no management network: it reaches every node through its namespace");
    expect(mgmt.file).toMatch(/lab\.clab\.yml:\d+:\d+$/);
  });

  it('reads endpoint maps and the ipv4/ipv6 of links as the ends\' addresses; a link out of the lab is refused', async () => {
    const text = CLAB.replace('    - endpoints: ["R1:eth1", "r_2:eth1"]', '    - {type: veth, endpoints: [{node: R1, interface: eth1, mac: "02:00:00:00:00:01"}, {node: r_2, interface: eth1, ipv6: "2001:db8::2/64"}], ipv4: [10.1.0.1/30, 10.1.0.2/30]}');
    const { lab, warnings } = await load(text);
    const addr = (n: string) => lab.nodes.find((x) => x.name === n)!.interfaces.find((i) => i.name === 'eth1')!.addresses;
    expect(addr('R1')).toEqual(['10.1.0.1/30']);
    expect(addr('r_2')).toEqual(['2001:db8::2/64', '10.1.0.2/30']);
    expect(lab.links[0].endpoints).toEqual([{ node: 'R1', iface: 'eth1' }, { node: 'r_2', iface: 'eth1' }]);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining("containerlab endpoint key 'mac' is ignored")]);

    const out = await problems(`${CLAB}    - endpoints: ["R1:eth3", "host:veth-r1"]\n    - {type: macvlan, endpoint: {node: PC1, interface: eth2}, host-interface: enp0s3}\n`);
    expect(out.map(say)).toEqual([
      "topology.links[2].endpoints[1]: endpoint 'host:veth-r1': containerlab's host:IFACE endpoint puts the interface in the machine's own network namespace, which asymlab never does",
      "topology.links[3].type: link type 'macvlan' cannot be emulated: it reaches outside the lab (the machine, its management network, another machine, or a single-ended dummy)",
    ]);
  });
});

describe('kind linux, and the kinds containerlab has that asymlab cannot run', () => {
  it('is an FRR router by its image or its bound FRR files, a host otherwise; startup-config is an FRR node\'s frr.conf', async () => {
    const { lab, warnings } = await load(CLAB.replace('      image: alpine\n', '      image: alpine\n      startup-config: r1/frr.conf\n'));
    const p = plan(lab);
    const by = (n: string) => p.nodes.find((x) => x.node.name === n)!;
    expect(by('R1').daemons).toEqual(['zebra', 'staticd', 'ospfd']);
    expect(by('r_2').node.frrConfig).toBe('/lab/r1/frr.conf');
    expect(by('r_2').node.frrConfigKey).toBe('startup-config');
    expect(by('r_2').daemons).toEqual(['zebra', 'ospfd']);
    expect(by('PC1').frr).toBe(false);
    expect(by('PC1').node.sysctls).toEqual({});
    expect(warnings.map(say)).toEqual(['topology.nodes.PC1.startup-config: startup-config is ignored: PC1 runs no FRR (its image is not FRR\'s and it binds no FRR files)']);
  });

  it('refuses a vendor kind with one error naming the node, the kind and a linux/FRR stand-in', async () => {
    const out = await problems(CLAB.replace('    r_2:\n      kind: linux', '    r_2:\n      kind: nokia_srlinux'));
    expect(out).toHaveLength(1);
    expect(say(out[0])).toBe("topology.nodes.r_2.kind: kind 'nokia_srlinux' cannot be emulated: it is a vendor network OS in a container; asymlab emulates Linux forwarding and FRR, not a vendor's data plane");
    expect(out[0].hint).toMatch(/kind: linux.*FRR image.*\/etc\/frr\/frr\.conf/);
    expect(out[0].file).toMatch(/lab\.clab\.yml:\d+:\d+$/);
  });

  it("names asymlab's and containerlab's kinds for an unknown one", async () => {
    const out = await problems(CLAB.replace('    r_2:\n      kind: linux', '    r_2:\n      kind: lunix'));
    expect(out.map((p) => `${say(p)} (${p.hint})`)).toEqual(["topology.nodes.r_2.kind: unknown kind 'lunix' (supported kinds: host, router, firewall, linux)"]);
  });
});

describe("containerlab's node names", () => {
  it('keep their spelling in the lab, and name resources in a safe form', async () => {
    const { lab } = await load(CLAB);
    expect(lab.nodes.map((n) => n.name)).toEqual(['R1', 'r_2', 'PC1']);
    expect(plan(lab).nodes.map((n) => n.ns)).toEqual(['asymlab_t1_r1', 'asymlab_t1_r-2', 'asymlab_t1_pc1']);
  });

  it('that collide once made safe are one problem naming both as written, with nothing else', async () => {
    const out = await problems(CLAB.replace('    PC1:', '    pc1:\n      kind: linux\n    PC1:'));
    expect(out.map(say)).toEqual(["topology.nodes.PC1: node names 'pc1' and 'PC1' both become asymlab_t1_pc1 once made safe for resource names"]);
  });
});

describe('problems of containerlab labs', () => {
  it('a bind whose source is missing is an error at the bind', async () => {
    const out = await problems(CLAB.replace('r1/daemons:/etc/frr/daemons', 'r1/daemons:/etc/frr/daemons, r1/missing.sh:/root/setup.sh'));
    expect(out.map(say)).toEqual(['topology.nodes.R1.binds[2]: file /lab/r1/missing.sh does not exist']);
    const daemons = await problems(CLAB.replace('r1/daemons:', 'r9/daemons:'));
    expect(daemons.map(say)).toEqual(['topology.nodes.R1.binds[1]: file /lab/r9/daemons does not exist']);
  });

  it('a bind to a relative or climbing container path is refused', async () => {
    const out = await problems(CLAB.replace('r1/daemons:/etc/frr/daemons', 'r1/daemons:etc/frr/daemons, r1/frr.conf:/etc/../../x'));
    expect(out.map(say)).toEqual([
      "topology.nodes.R1.binds[1]: bind 'r1/daemons:etc/frr/daemons': the container path 'etc/frr/daemons' is not absolute",
      "topology.nodes.R1.binds[2]: bind 'r1/frr.conf:/etc/../../x': the container path must be a plain absolute path (no '..', commas or control characters)",
    ]);
  });

  it('schema problems and rule problems come in one pass', async () => {
    const out = await problems(CLAB.replace('    PC1:\n      kind: linux\n', '    PC1:\n      kind: linux\n      colour: red\n').replace('["PC1:eth1", "R1:eth2"]', '["PC1:eth1", "R9:eth2"]'));
    expect(out.map(say)).toEqual(["topology.nodes.PC1.colour: unknown key 'colour'", "topology.links[1].endpoints[1]: node 'R9' is not defined"]);
  });
});

describe("asymlab's own labs keep asymlab's rules", () => {
  it('are not read as containerlab files: capital node names are refused there', async () => {
    const lab: Promise<Lab> = loadLab('/lab/lab.yaml', {
      fs: memFs({ '/lab/lab.yaml': yaml(`
        name: t2
        topology:
          nodes:
            A: {kind: host, interfaces: {eth1: 10.0.0.1/30}}
            b: {kind: host, interfaces: {eth1: 10.0.0.2/30}}
          links:
            - endpoints: ["A:eth1", "b:eth1"]
      `) }),
    });
    await expect(lab).rejects.toThrow(/node name 'A' is not allowed/);
  });
});
