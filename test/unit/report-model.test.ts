/**
 * The drawing model from a real report.json (the seed incident, er-return-via-internet, run on
 * netns): which hops each path takes, where the drop mark goes, and each connection's ladder.
 * No browser: the model is plain data.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sighting } from '../../src/analysis/types.js';
import { peersOf, splitCopies } from '../../src/report/html/copies.js';
import { mergeColumns, natOf } from '../../src/report/html/ladder.js';
import { drawingModel } from '../../src/report/html/model.js';
import type { Report } from '../../src/report/report.js';

const fixture = resolve(import.meta.dirname, '../fixtures/report/er-return-via-internet.json');
const report = (): Report => JSON.parse(readFileSync(fixture, 'utf8')) as Report;

const nodesOf = (hops: { from: string; to: string }[]) => (hops.length ? [hops[0].from, ...hops.map((h) => h.to)] : []);

describe('drawing model: topology and paths', () => {
  const m = drawingModel(report());

  it('draws every node of the lab by kind, every link, and starts the layout at the flows’ clients', () => {
    expect(m.topology.nodes).toHaveLength(13);
    expect(m.topology.links).toHaveLength(13);
    expect(m.topology.nodes.find((n) => n.id === 'fw-inet')?.kind).toBe('firewall');
    expect(m.topology.nodes.find((n) => n.id === 'core')?.kind).toBe('router');
    expect(m.topology.nodes.find((n) => n.id === 'client')?.kind).toBe('host');
    expect(m.topology.roots).toEqual(['client', 'smtp']);
    expect(m.note).toBeUndefined();
  });

  it('the forward path is the SYN’s wires and the return path the SYN-ACK’s, each on its link', () => {
    const p = m.paths.find((x) => x.flow === 'client-to-exo')!;
    expect(nodesOf(p.forward)).toEqual(['client', 'core', 'fw-er', 'ce-er', 'msee', 'ms-edge', 'exo']);
    expect(nodesOf(p.back)).toEqual(['exo', 'ms-edge', 'isp', 'ce-inet', 'fw-inet']);
    expect(p.forward.every((h) => h.link !== null)).toBe(true);
    expect(p.back.every((h) => h.link !== null)).toBe(true);
    expect(p.back[p.back.length - 1]).toMatchObject({ from: 'ce-inet', to: 'fw-inet', toIface: 'eth2' });
  });

  it('the drop mark is on the node and interface the verdict names, with its one-line cause', () => {
    const r = report();
    for (const f of r.flows) {
      const p = m.paths.find((x) => x.flow === f.name)!;
      if (f.result === 'delivered') expect(p.drop).toBeNull();
      else expect(p.drop).toEqual({ node: f.drop!.node, iface: f.drop!.iface, cause: f.summary });
    }
    expect(m.paths.find((x) => x.flow === 'client-to-exo')!.drop!.node).toBe('fw-inet');
  });

  it('lists: the flows with their expectation, the capture files, the timings, no phases when the report has none', () => {
    expect(m.flows.map((f) => [f.name, f.result, f.pass])).toEqual([
      ['client-to-exo', 'dropped', true],
      ['smtp-to-exo', 'dropped', true],
      ['client-to-wu', 'delivered', true],
    ]);
    expect(m.flows[0].expected).toBe('dropped at fw-inet; path client > core > fw-er > ce-er > msee > ms-edge > exo; return exo > ms-edge > isp > ce-inet > fw-inet; asymmetric');
    expect(m.flows.every((f) => f.phases === undefined)).toBe(true);
    expect(m.captures.map((c) => c.file)).toContain('captures/fw-inet-nflog.pcap');
    expect(m.captures.find((c) => c.file === 'captures/ms-edge-eth4.pcap')).toMatchObject({ node: 'ms-edge', iface: 'eth4' });
    expect(m.timings.map((t) => t.step)).toContain('flows');
  });

  it('node panels carry the firewall’s conntrack entries, its moved counters and its routes', () => {
    const fw = m.panels.find((p) => p.node === 'fw-inet')!;
    expect(fw.counters.some((c) => /^filter\/FORWARD rule 2: 0→21/.test(c))).toBe(true);
    expect(fw.routes.length).toBeGreaterThan(0);
    expect(m.panels.find((p) => p.node === 'fw-er')!.conntrack.some((c) => c.includes('src=10.10.0.10') && c.includes('dst=203.0.113.200'))).toBe(true);
  });
});

describe('drawing model: ladders', () => {
  const m = drawingModel(report());
  const ladder = m.ladders.find((l) => l.flow === 'client-to-exo')!;

  it('one column per node on the paths: the return path that leaves the forward one fans out between its ends', () => {
    expect(ladder.columns).toEqual(['client', 'core', 'fw-er', 'ce-er', 'msee', 'fw-inet', 'ce-inet', 'isp', 'ms-edge', 'exo']);
    expect(ladder.title).toMatch(/^client-to-exo #0: 10\.10\.0\.10:20000 → 198\.51\.100\.10:443, timeout \(ETIMEDOUT\)/);
  });

  it('an arrow per hop of each copy, in time order: 2 SYNs over 6 wires, 3 SYN-ACKs over 4', () => {
    const syn = ladder.arrows.filter((a) => a.packet === 'SYN');
    const synAck = ladder.arrows.filter((a) => a.packet === 'SYN-ACK');
    expect(syn).toHaveLength(12);
    expect(synAck).toHaveLength(12);
    expect(new Set(synAck.map((a) => a.copy))).toEqual(new Set([1, 2, 3]));
    expect(syn[0]).toMatchObject({ from: 'client', fromIface: 'eth1', to: 'core', toIface: 'eth1', flags: 'S', sizeBytes: 0, copy: 1, atMs: 0 });
    const times = ladder.arrows.map((a) => a.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('the NAT rewrite is on the wire after the node that made it', () => {
    const nat = ladder.arrows.filter((a) => a.nat);
    expect(nat.length).toBe(2);
    expect(nat[0]).toMatchObject({ from: 'fw-er', to: 'ce-er', nat: 'fw-er rewrote src 10.10.0.10:20000 → 203.0.113.200:20000' });
    const wu = m.ladders.find((l) => l.flow === 'client-to-wu')!;
    expect(wu.arrows.find((a) => a.packet === 'SYN-ACK' && a.nat)).toMatchObject({ from: 'fw-inet', to: 'core', nat: 'fw-inet rewrote dst 203.0.113.100:20200 → 10.10.0.10:20200' });
  });

  it('where a copy died the arrow stops at the node’s interface; the first stop carries the evidence lines', () => {
    const stops = ladder.arrows.filter((a) => a.stop);
    expect(stops).toHaveLength(3);
    expect(stops.every((a) => a.packet === 'SYN-ACK' && a.to === 'fw-inet' && a.stop!.node === 'fw-inet' && a.stop!.iface === 'eth2')).toBe(true);
    expect(stops[0].stop!.evidence).toEqual([
      'dropped: firewall-rule (invalid)',
      'NFLOG: asymlab:fw-inet:FORWARD:2:invalid',
      'counter: filter/FORWARD rule 2 0→21',
      'conntrack: no entry on fw-inet',
    ]);
    expect(stops[1].stop!.evidence).toEqual([]);
  });

  it('a delivered connection has no stop', () => {
    const wu = m.ladders.find((l) => l.flow === 'client-to-wu')!;
    expect(wu.arrows.length).toBeGreaterThan(50);
    expect(wu.arrows.some((a) => a.stop)).toBe(false);
  });

  it('caps the ladders per flow and counts the rest', () => {
    const r = report();
    const f = r.flows[0];
    f.connections = [0, 1, 2].map((attempt) => ({ ...f.connections[0], attempt }));
    f.packets = [0, 1, 2].flatMap((attempt) => f.packets.map((p) => ({ ...p, attempt })));
    const capped = drawingModel(r, { laddersPerFlow: 2 });
    expect(capped.ladders.filter((l) => l.flow === f.name)).toHaveLength(2);
    expect(capped.laddersLeftOut).toEqual({ [f.name]: 1 });
  });
});

describe('pieces of the ladder', () => {
  const s = (node: string, iface: string, direction: 'in' | 'out', ts: number, ipId?: number): Sighting => ({ node, iface, direction, ts, src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 2, ...(ipId ? { ipId } : {}) });
  const peers = peersOf([
    { a: { node: 'a', iface: 'e1' }, b: { node: 'b', iface: 'e1' } },
    { a: { node: 'b', iface: 'e2' }, b: { node: 'c', iface: 'e1' } },
  ]);

  it('splits interleaved copies back into journeys by wire and IPv4 id', () => {
    const copies = splitCopies([s('a', 'e1', 'out', 1, 7), s('a', 'e1', 'out', 2, 8), s('b', 'e1', 'in', 3, 7), s('b', 'e1', 'in', 4, 8), s('b', 'e2', 'out', 5, 8), s('c', 'e1', 'in', 6, 8)], peers);
    expect(copies.map((c) => c.map((x) => `${x.node}:${x.direction}`).join(' '))).toEqual(['a:out b:in', 'a:out b:in b:out c:in']);
    expect(copies[1].every((x) => x.ipId === 8)).toBe(true);
  });

  it('a sighting that no wire leads to starts a new copy', () => {
    expect(splitCopies([s('a', 'e1', 'out', 1), s('c', 'e1', 'in', 2)], peers)).toHaveLength(2);
  });

  it('merges other node sequences into the columns between the nodes around them', () => {
    expect(mergeColumns(['a', 'b', 'c'], [{ nodes: ['c', 'x', 'a'], leftwards: true }])).toEqual(['a', 'x', 'b', 'c']);
    expect(mergeColumns(['a', 'b'], [{ nodes: ['a', 'x', 'b'], leftwards: false }])).toEqual(['a', 'x', 'b']);
    expect(mergeColumns(['a', 'b', 'c'], [{ nodes: ['c', 'y', 'z'], leftwards: true }])).toEqual(['a', 'b', 'z', 'y', 'c']);
    expect(mergeColumns(['a'], [{ nodes: ['q'], leftwards: false }])).toEqual(['a', 'q']);
  });

  it('names the NAT rewrite by what changed', () => {
    const before = s('fw', 'e1', 'in', 1);
    expect(natOf(before, { ...before, direction: 'out', src: '192.0.2.1', srcPort: 9 })).toBe('fw rewrote src 10.0.0.1:1 → 192.0.2.1:9');
    expect(natOf(before, { ...before, direction: 'out' })).toBeUndefined();
    expect(natOf(before, { ...before, dst: '2001:db8::1', dstPort: 80 })).toBe('fw rewrote dst 10.0.0.2:2 → [2001:db8::1]:80');
  });
});

describe('an older report.json (revision 1, no topology)', () => {
  it('draws the nodes and wires its packets crossed, and says so', () => {
    const r = report();
    delete r.topology;
    delete r.nodes;
    delete r.captures;
    delete r.revision;
    const m = drawingModel(r);
    expect(m.note).toMatch(/predates the topology section/);
    expect(m.topology.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['client', 'fw-inet', 'exo', 'wu']));
    expect(m.topology.nodes.find((n) => n.id === 'fw-inet')!.kind).toBe('firewall');
    expect(m.paths.find((p) => p.flow === 'client-to-exo')!.drop!.node).toBe('fw-inet');
    expect(m.paths.every((p) => [...p.forward, ...p.back].every((h) => h.link !== null))).toBe(true);
  });
});
