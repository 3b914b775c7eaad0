/**
 * The lab format's events, long-lived flows, expected phases and BFD: what loads into the Lab, and
 * each mistake reported once with its place and the fix.
 */
import { describe, expect, it } from 'vitest';
import { LabError, type InputProblem } from '../../src/errors.js';
import { loadLab } from '../../src/topology/load.js';
import type { Lab } from '../../src/topology/types.js';
import { memFs, yaml } from './helpers/lab-source.js';

const FILE = '/lab/lab.yaml';
const load = (text: string): Promise<Lab> => loadLab(FILE, { fs: memFs({ [FILE]: text }), exists: () => true });

async function problems(text: string): Promise<InputProblem[]> {
  try {
    await load(text);
  } catch (e) {
    if (!(e instanceof LabError)) throw e;
    return e.problems;
  }
  throw new Error('the lab loaded, but problems were expected');
}

const brief = (ps: InputProblem[]) => ps.map((p) => `${p.path}: ${p.message}`);

/** client -- r1 == r2 -- srv, r1 and r2 in eBGP; `flows` and `events` are YAML list items, written at column 0. */
const lab = (flows: string, events = '', bfd = ['', '']) => {
  // The first line comes as "  - ...", the lines after it at their place in this file (list items at 4).
  const indent = (text: string) => text.trimEnd().split('\n').map((l, i) => `  ${l.slice(i === 0 ? 2 : 4)}`).join('\n');
  return `${yaml(`
    name: ev
    topology:
      nodes:
        client: {kind: host, interfaces: {eth1: 10.0.1.10/24}, routes: [{to: default, via: 10.0.1.1}]}
        r1:
          kind: router
          interfaces: {eth1: 10.0.1.1/24, eth2: 100.64.0.1/30}
          bgp: {asn: 65001, networks: [10.0.1.0/24], neighbors: [{address: 100.64.0.2, remote-as: 65002${bfd[0]}}]}
        r2:
          kind: router
          interfaces: {eth1: 100.64.0.2/30, eth2: 10.0.2.1/24}
          bgp: {asn: 65002, networks: [10.0.2.0/24], neighbors: [{address: 100.64.0.1, remote-as: 65001${bfd[1]}}]}
        srv: {kind: host, interfaces: {eth1: 10.0.2.10/24}, routes: [{to: default, via: 10.0.2.1}]}
      links:
        - endpoints: ["client:eth1", "r1:eth1"]
        - endpoints: ["r1:eth2", "r2:eth1"]
        - endpoints: ["r2:eth2", "srv:eth1"]
  `)}flows:\n${indent(flows)}\n${events ? `events:\n${indent(events)}\n` : ''}`;
};

const LONG = `  - {name: long, from: client, to: 10.0.2.10:443, duration-ms: 4000, interval-ms: 100}`;

describe('events and long-lived flows in the lab format', () => {
  it('reads every kind of event, long-lived flow timing and expected phases', async () => {
    const l = await load(
      lab(
        `  - name: long
      from: client
      to: 10.0.2.10:443
      duration-ms: 4000
      expect:
        phases:
          - {until-ms: 1000, result: delivered, path: [client, r1, r2, srv]}
          - {from-ms: 1000, result: dropped, at: r1}
    - {name: late, from: client, to: 10.0.2.10:443, start-ms: 2500}`,
        `  - {at-ms: 1000, link: ["r2:eth1", "r1:eth2"], state: down, silent: true}
    - {at-ms: 1500, link: ["r1:eth2", "r2:eth1"], state: up}
    - {at-ms: 1600, node: r2, action: stop}
    - {at-ms: 1700, node: r2, action: start}
    - {at-ms: 1800, bgp: {node: r1, neighbor: 100.64.0.2}, action: shutdown}
    - {at-ms: 1900, bgp: {node: r1, neighbor: 100.64.0.2}, action: enable}
    - {at-ms: 2000, node: r1, action: flush-conntrack}
    - {at-ms: 2100, node: r1, exec: "ip route show"}`,
      ),
    );
    expect(l.flows[0]).toMatchObject({ durationMs: 4000, intervalMs: 100, expect: { phases: [{ untilMs: 1000, result: 'delivered', path: ['client', 'r1', 'r2', 'srv'] }, { fromMs: 1000, result: 'dropped', at: 'r1' }] } });
    expect(l.flows[1]).toMatchObject({ startMs: 2500 });
    expect(l.flows[1].durationMs).toBeUndefined();
    expect(l.events!.map((e) => e.kind)).toEqual(['link', 'link', 'node', 'node', 'bgp', 'bgp', 'flush-conntrack', 'exec']);
    expect(l.events![0]).toEqual({ kind: 'link', index: 0, atMs: 1000, endpoints: [{ node: 'r2', iface: 'eth1' }, { node: 'r1', iface: 'eth2' }], state: 'down', silent: true });
    expect(l.events![4]).toEqual({ kind: 'bgp', index: 4, atMs: 1800, node: 'r1', neighbor: '100.64.0.2', action: 'shutdown' });
    expect(l.events![7]).toEqual({ kind: 'exec', index: 7, atMs: 2100, node: 'r1', command: 'ip route show' });
  });

  it('an event on an unknown link or node: one problem each, with what there is', async () => {
    const ps = await problems(
      lab(LONG, `  - {at-ms: 1000, link: ["r1:eth2", "r2:eth9"], state: down}
    - {at-ms: 1000, node: r9, action: stop}
    - {at-ms: 1000, link: ["r7:eth1", "r2:eth1"], state: down}`),
    );
    expect(brief(ps)).toEqual([
      'events[0].link: no link joins r1:eth2 and r2:eth9',
      "events[1].node: node 'r9' is not defined",
      "events[2].link[0]: node 'r7' is not defined",
    ]);
    expect(ps[0].hint).toMatch(/links of r1: \[client:eth1, r1:eth1\], \[r1:eth2, r2:eth1\]/);
  });

  it('an event time outside every flow\'s duration', async () => {
    const ps = await problems(lab(LONG, `  - {at-ms: 4500, node: r1, action: flush-conntrack}`));
    expect(brief(ps)).toEqual(["events[0].at-ms: +4500 ms is outside every flow's time (the flows run +0–4000 ms)"]);
  });

  it('a bgp event for a neighbour that does not exist', async () => {
    const ps = await problems(lab(LONG, `  - {at-ms: 1000, bgp: {node: r1, neighbor: 100.64.0.9}, action: shutdown}`));
    expect(brief(ps)).toEqual(['events[0].bgp.neighbor: r1 has no BGP neighbour 100.64.0.9']);
    expect(ps[0].hint).toBe('its neighbours: 100.64.0.2');
  });

  it('overlapping phases', async () => {
    const ps = await problems(
      lab(`  - name: long
      from: client
      to: 10.0.2.10:443
      duration-ms: 4000
      expect:
        phases:
          - {until-ms: 2000, result: delivered}
          - {from-ms: 1500, result: dropped}`),
    );
    expect(brief(ps)).toEqual(['flows[0].expect.phases[1]: phase +1500–4000 ms overlaps phases[0] (+0–2000 ms)']);
  });

  it('events that do not make sense: two things at once, a wrong action, a link down twice, a start without a stop', async () => {
    const ps = await problems(
      lab(LONG, `  - {at-ms: 100, node: r1, action: stop, exec: "true"}
    - {at-ms: 100, node: r1, action: shutdown}
    - {at-ms: 200, link: ["r1:eth2", "r2:eth1"], state: down}
    - {at-ms: 300, link: ["r2:eth1", "r1:eth2"], state: down}
    - {at-ms: 400, node: r2, action: start}`),
    );
    expect(brief(ps)).toEqual([
      "events[0].action: 'action' does not belong to a exec event",
      'events[1].action: a node event does stop, start or flush-conntrack, not shutdown',
      'events[3]: link r1:eth2–r2:eth1 is already down at +300 ms',
      'events[4]: node r2 is already up at +400 ms',
    ]);
  });

  it('long-lived flows are one connection; phases need one; interval within duration', async () => {
    const ps = await problems(
      lab(`  - {name: a, from: client, to: 10.0.2.10:443, duration-ms: 1000, count: 3}
    - {name: b, from: client, to: 10.0.2.10:443, interval-ms: 100}
    - {name: c, from: client, to: 10.0.2.10:443, duration-ms: 1000, interval-ms: 2000}
    - {name: d, from: client, to: 10.0.2.10:443, expect: {phases: [{result: delivered}]}}`),
    );
    expect(brief(ps)).toEqual([
      'flows[0].count: a long-lived flow is one connection (tcp) or one 5-tuple (udp, icmp), sending a message every interval-ms',
      'flows[1].interval-ms: interval-ms is the message interval of a long-lived flow',
      'flows[2].interval-ms: interval-ms 2000 is longer than duration-ms 1000',
      'flows[3].expect.phases: phases describe a long-lived flow',
    ]);
  });
});

describe('BFD in the lab format', () => {
  it('reads bfd: true on a neighbour', async () => {
    const l = await load(lab(LONG, '', [', bfd: true', ', bfd: true']));
    expect(l.nodes.find((n) => n.name === 'r1')!.bgp!.neighbors[0].bfd).toBe(true);
  });

  it('needs it on both ends', async () => {
    const ps = await problems(lab(LONG, '', [', bfd: true', '']));
    expect(brief(ps)).toEqual(["topology.nodes.r1.bgp.neighbors[0].bfd: BFD runs between both ends, but r2's neighbour 100.64.0.1 does not ask for it"]);
  });

  it('refuses a static route tracked by BFD, naming the design that works on FRR 8.4', async () => {
    const text = lab(LONG).replace('routes: [{to: default, via: 10.0.1.1}]', 'routes: [{to: default, via: 10.0.1.1, bfd: true}]');
    const ps = await problems(text);
    expect(brief(ps)).toEqual(['topology.nodes.client.routes[0].bfd: a static route cannot be tracked by BFD with FRR 8.4']);
    expect(ps[0].hint).toMatch(/learn that address over BGP from a neighbour with bfd: true/);
  });
});
