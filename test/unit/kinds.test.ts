/**
 * The kind registry (src/kinds/): what each kind gives a node, that an unknown kind names the
 * registered ones, that a kind can be known but refused, that the plan carries kinds, services and
 * capabilities, and that the schema's list of kinds is the registry's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import type { KindEntry } from '../../src/kinds/kind.js';
import { profileOf } from '../../src/kinds/profile.js';
import { findKind, KINDS, kindLike, kindNames, kindOf, kindProblem, shapeOfKind, supportedKindNames } from '../../src/kinds/registry.js';
import { hostTools } from '../../src/plan/host-tools.js';
import { planLab } from '../../src/plan/plan.js';
import { labSchemaUrl } from '../../src/topology/schema-check.js';
import { loadLab } from '../../src/topology/load.js';
import type { Lab, LabNode } from '../../src/topology/types.js';
import { memFs, yaml } from './helpers/lab-source.js';

const FILE = '/lab/lab.yaml';
const load = (text: string): Promise<Lab> => loadLab(FILE, { fs: memFs({ [FILE]: text }), exists: () => true });

async function problems(text: string) {
  const err = await load(text).catch((e: unknown) => e);
  if (!(err instanceof LabError)) throw new Error('the lab loaded, but problems were expected');
  return err.problems.map((p) => ({ path: p.path, message: p.message, hint: p.hint }));
}

/** r1 (a router with a firewall section) between two hosts, and a firewall of kind firewall. */
const LAB = yaml(`
  name: kinds
  topology:
    nodes:
      a: {kind: host, interfaces: {eth1: 10.0.1.10/24}, routes: [{to: default, via: 10.0.1.1}]}
      r1:
        kind: router
        interfaces: {eth1: 10.0.1.1/24, eth2: 10.0.2.1/24}
        firewall: {inside: [eth1]}
      fw: {kind: firewall, interfaces: {eth1: 10.0.2.2/24, eth2: 10.0.3.1/24}}
      b: {kind: host, interfaces: {eth1: 10.0.3.10/24}}
    links:
      - endpoints: ["a:eth1", "r1:eth1"]
      - endpoints: ["r1:eth2", "fw:eth1"]
      - endpoints: ["fw:eth2", "b:eth1"]
`);

const node = (kind: string, extra: Partial<LabNode> = {}): LabNode => ({ name: 'n', kind, interfaces: [], loopbacks: [], routes: [], sysctls: {}, exec: [], binds: [], ...extra });

describe('the kind registry', () => {
  it('lists host, router and firewall, each a file of src/kinds/', () => {
    expect(kindNames()).toEqual(['host', 'router', 'firewall']);
    expect(supportedKindNames()).toEqual(['host', 'router', 'firewall']);
    expect(findKind('router')?.sysctls).toEqual({ 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' });
    expect(findKind('host')?.sysctls).toEqual({});
  });

  it('fails an unknown kind with the list of registered kinds, in the loader too', async () => {
    expect(kindProblem('switch')).toEqual({ message: "unknown kind 'switch'", hint: 'supported kinds: host, router, firewall' });
    expect(() => kindOf(node('switch'))).toThrow(/topology\.nodes\.n\.kind: unknown kind 'switch'/);
    expect(await problems(LAB.replace('kind: firewall', 'kind: switch'))).toEqual([
      { path: 'topology.nodes.fw.kind', message: "unknown kind 'switch'", hint: 'supported kinds: host, router, firewall' },
    ]);
    // inherited from the defaults: reported where it is written
    const inherited = LAB.replace('topology:\n', 'topology:\n  defaults: {kind: switch}\n');
    expect((await problems(inherited))[0]).toMatchObject({ path: 'topology.defaults.kind', message: "unknown kind 'switch'" });
  });

  it('can hold a kind that is known but refused, with why and what to use instead', () => {
    const refused: KindEntry = { name: 'vr-sros', refused: 'it is a vendor router image, not Linux forwarding', hint: 'use kind: router with an FRR config' };
    const kinds = [...KINDS, refused];
    expect(kindNames(kinds)).toContain('vr-sros');
    expect(supportedKindNames(kinds)).toEqual(['host', 'router', 'firewall']);
    expect(findKind('vr-sros', kinds)).toBeUndefined();
    expect(kindProblem('vr-sros', kinds)).toEqual({ message: "kind 'vr-sros' cannot be emulated: it is a vendor router image, not Linux forwarding", hint: 'use kind: router with an FRR config' });
    expect(kindProblem('linux', kinds)?.hint).toBe('supported kinds: host, router, firewall');
  });

  it("is the schema's enum of kinds (the file's copy serves editors and must agree)", () => {
    const schema = JSON.parse(readFileSync(labSchemaUrl, 'utf8')) as { definitions: { node: { properties: { kind: { enum: string[] } } } } };
    expect(schema.definitions.node.properties.kind.enum).toEqual(kindNames());
  });

  it('lets a kind decide its services from the node', () => {
    expect(profileOf(node('host')).frr).toBe(false);
    expect(profileOf(node('host')).firewall).toBeUndefined();
    expect(profileOf(node('host', { frrConfig: '/lab/r.conf' })).frr).toBe(true);
    expect(profileOf(node('router')).frr).toBe(true);
    expect(profileOf(node('firewall')).frr).toBe(false);
    expect(profileOf(node('host', { iptables: '/lab/rules' })).firewall?.name).toBe('iptables');
    // what a node does is what its kernel is told: a host the lab makes forward, forwards
    expect(profileOf(node('host', { sysctls: { 'net.ipv4.ip_forward': '1' } })).capabilities.forwards).toBe(true);
  });
});

describe('capabilities and services in the plan', () => {
  it('gives a router with a firewall: section the firewall service and what it adds', async () => {
    const plan = planLab(await load(LAB));
    const r1 = plan.nodes.find((n) => n.node.name === 'r1')!;
    expect(r1.kind.name).toBe('router');
    expect(r1.frr).toBe(true);
    expect(r1.firewall?.backend.name).toBe('iptables');
    expect(r1.capabilities).toEqual({ forwards: true, keepsState: true, logsDrops: true });
    expect(r1.kind.shape).toBe('ellipse');
  });

  it('gives each kind its own capabilities otherwise', async () => {
    const plan = planLab(await load(LAB));
    const caps = Object.fromEntries(plan.nodes.map((n) => [n.node.name, n.capabilities]));
    expect(caps.a).toEqual({ forwards: false, keepsState: false, logsDrops: false });
    expect(caps.fw).toEqual({ forwards: true, keepsState: true, logsDrops: true });
    expect(plan.nodes.map((n) => `${n.node.name}:${n.firewall ? 'fw' : '-'}:${n.frr ? 'frr' : '-'}`)).toEqual(['a:-:-', 'r1:fw:frr', 'fw:fw:-', 'b:-:-']);
  });

  it('derives the host tools preflight asks for from the services the plan runs', async () => {
    const plan = planLab(await load(LAB));
    const tools = hostTools(plan, 'on-host');
    expect(tools).toEqual(expect.arrayContaining(['ip', 'tcpdump', 'iptables-restore', 'ip6tables-restore', 'iptables-save', 'ip6tables-save', 'conntrack', 'vtysh', '/usr/lib/frr/zebra']));
    expect(hostTools(plan, 'in-image')).not.toContain('vtysh');
    const hostsOnly = planLab(await load(LAB.replace(/\n {4}r1:[^]*?firewall: \{inside: \[eth1\]\}/, '\n    r1: {kind: host, interfaces: {eth1: 10.0.1.1/24, eth2: 10.0.2.1/24}}').replace('kind: firewall', 'kind: host')));
    expect(hostTools(hostsOnly, 'on-host')).toEqual(['ip', 'tcpdump']);
  });
});

describe('drawing by kind', () => {
  it('takes the shape from the kind, and a kind for what a node was seen doing', () => {
    expect(['host', 'router', 'firewall', 'from-a-newer-asymlab'].map(shapeOfKind)).toEqual(['box', 'ellipse', 'wall', 'box']);
    expect(kindLike({ forwards: true, keepsState: true, logsDrops: true })).toBe('firewall');
    expect(kindLike({ forwards: true, keepsState: false, logsDrops: false })).toBe('router');
    expect(kindLike({ forwards: false, keepsState: false, logsDrops: false })).toBe('host');
  });
});
