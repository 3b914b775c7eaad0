/**
 * The firewall backend registry (src/firewall/): a lab picks its backend with `firewall.backend`
 * (iptables by default), an unknown one is one clear error naming the registered ones, and the
 * iptables backend's counters come per family, so an IPv6 drop cites the IPv6 rule.
 */
import { describe, expect, it } from 'vitest';
import { ruleCounterFor } from '../../src/analysis/node-state.js';
import type { RunEvidence } from '../../src/analysis/types.js';
import { LabError } from '../../src/errors.js';
import { firewallCounters } from '../../src/firewall/counters.js';
import { backendNames, backendOf, DEFAULT_FIREWALL_BACKEND, FIREWALL_BACKENDS } from '../../src/firewall/registry.js';
import { planLab } from '../../src/plan/plan.js';
import { loadLab } from '../../src/topology/load.js';
import type { Lab } from '../../src/topology/types.js';
import { memFs, yaml } from './helpers/lab-source.js';

const FILE = '/lab/lab.yaml';
const load = (text: string): Promise<Lab> => loadLab(FILE, { fs: memFs({ [FILE]: text }), exists: () => true });

const LAB = yaml(`
  name: fwb
  topology:
    nodes:
      in: {kind: host, interfaces: {eth1: [10.0.1.10/24, "2001:db8:1::10/64"]}}
      fw:
        kind: firewall
        interfaces: {eth1: [10.0.1.1/24, "2001:db8:1::1/64"], eth2: [203.0.113.1/24, "2001:db8:2::1/64"]}
        firewall:
          inside: [eth1]
      out: {kind: host, interfaces: {eth1: [203.0.113.10/24, "2001:db8:2::10/64"]}}
    links:
      - endpoints: ["in:eth1", "fw:eth1"]
      - endpoints: ["fw:eth2", "out:eth1"]
`);

/** iptables-save -c of a FORWARD chain whose rule 2 logs with `prefix` and counted `n` packets. */
const save = (prefix: string, n: number) => `*filter\n:FORWARD DROP [0:0]\n[0:0] -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n[${n}:${n * 60}] -A FORWARD -m conntrack --ctstate INVALID -j NFLOG --nflog-prefix "${prefix}"\n[${n}:${n * 60}] -A FORWARD -m conntrack --ctstate INVALID -j DROP\nCOMMIT\n`;
const PREFIX = 'asymlab:fw:FORWARD:2:invalid';

describe('the firewall backend registry', () => {
  it('has iptables, the default, and nftables', () => {
    expect(backendNames()).toEqual(['iptables', 'nftables']);
    expect(DEFAULT_FIREWALL_BACKEND).toBe('iptables');
    for (const b of FIREWALL_BACKENDS) expect(b.tools.length).toBeGreaterThan(0);
  });

  it('fails an unknown backend with one error naming the registered ones', async () => {
    const err = await load(LAB.replace('inside: [eth1]', 'inside: [eth1]\n        backend: pf')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).problems.map((p) => [p.path, p.message, p.hint])).toEqual([
      ['topology.nodes.fw.firewall.backend', "unknown firewall backend 'pf'", 'registered backends: iptables, nftables'],
    ]);
    expect((err as LabError).message).toMatch(/^invalid lab\n {2}\/lab\/lab\.yaml:\d+:\d+: topology\.nodes\.fw\.firewall\.backend: unknown firewall backend 'pf'/);
    const node = (await load(LAB)).nodes[1];
    expect(() => backendOf({ ...node, firewall: { ...node.firewall!, backend: 'pf' } })).toThrow(/unknown firewall backend 'pf'/);
  });

  it('takes `backend: iptables` as the default it is: the same plan and the same rules', async () => {
    const plain = planLab(await load(LAB)).nodes[1];
    const named = planLab(await load(LAB.replace('inside: [eth1]', 'inside: [eth1]\n        backend: iptables'))).nodes[1];
    expect(plain.firewall?.backend.name).toBe('iptables');
    expect(named.firewall?.backend).toBe(plain.firewall?.backend);
    expect(named.firewall!.backend.render(named.node)).toEqual(plain.firewall!.backend.render(plain.node));
    expect(Object.keys(plain.firewall!.backend.render(plain.node))).toEqual(['v4', 'v6']);
    expect(plain.firewall!.backend.checkArgv('v6')).toEqual(['ip6tables-restore', '--test']);
  });
});

describe('counters per family', () => {
  it('iptables gives every rule of both dumps, each with its family', () => {
    const c = FIREWALL_BACKENDS[0].counters('fw', { v4: save(PREFIX, 1), v6: save(PREFIX, 0) }, { v4: save(PREFIX, 1), v6: save(PREFIX, 3) });
    const logged = c.filter((r) => r.nflogPrefix === PREFIX).map((r) => [r.family, r.packetsBefore, r.packetsAfter]);
    expect(logged).toEqual([
      [4, 1, 1],
      [6, 0, 3],
    ]);
  });

  it('reads the snapshots a run folder keeps, and older ones that kept iptablesSave alone', () => {
    const now = firewallCounters('fw', { firewall: { backend: 'iptables', dumps: { v4: save(PREFIX, 0) } } }, { firewall: { backend: 'iptables', dumps: { v4: save(PREFIX, 2) } } });
    const old = firewallCounters('fw', { iptablesSave: save(PREFIX, 0) }, { iptablesSave: save(PREFIX, 2) });
    expect(old).toEqual(now);
    expect(now.find((r) => r.nflogPrefix === PREFIX)).toMatchObject({ node: 'fw', family: 4, packetsBefore: 0, packetsAfter: 2 });
    expect(firewallCounters('fw', undefined, { firewall: { backend: 'from-a-newer-asymlab', dumps: {} } })).toEqual([]);
    expect(firewallCounters('fw', undefined, {})).toEqual([]);
  });

  it('an IPv6 drop cites the IPv6 rule, an IPv4 drop the IPv4 one, though both carry one prefix', () => {
    const counters = FIREWALL_BACKENDS[0].counters('fw', { v4: save(PREFIX, 0), v6: save(PREFIX, 0) }, { v4: save(PREFIX, 0), v6: save(PREFIX, 5) });
    const evidence = { counters } as unknown as RunEvidence;
    expect(ruleCounterFor(evidence, 'fw', PREFIX, 'FORWARD', 2, 6)).toMatchObject({ family: 6, packetsAfter: 5 });
    expect(ruleCounterFor(evidence, 'fw', PREFIX, 'FORWARD', 2, 4)).toMatchObject({ family: 4, packetsAfter: 0 });
    // a family not known: the first, as before counters had families
    expect(ruleCounterFor(evidence, 'fw', PREFIX)).toMatchObject({ family: 4 });
  });
});
