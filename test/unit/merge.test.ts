import { describe, expect, it } from 'vitest';
import { deepMerge, mergeLabDocs, type Json } from '../../src/topology/merge.js';
import { inheritNode } from '../../src/topology/normalise.js';

describe('deepMerge', () => {
  it('merges maps key by key, recursively', () => {
    expect(deepMerge({ a: 1, m: { x: 1, y: 2 } }, { b: 2, m: { y: 3, z: 4 } })).toEqual({ a: 1, b: 2, m: { x: 1, y: 3, z: 4 } });
  });

  it('replaces lists and scalars whole', () => {
    expect(deepMerge({ l: [1, 2, 3], s: 'a' }, { l: [9], s: 'b' })).toEqual({ l: [9], s: 'b' });
    expect(deepMerge({ l: [{ a: 1 }] }, { l: [{ b: 2 }] })).toEqual({ l: [{ b: 2 }] });
  });

  it('replaces a map by a scalar or list and back', () => {
    expect(deepMerge({ m: { x: 1 } }, { m: 'flat' })).toEqual({ m: 'flat' });
    expect(deepMerge({ m: 'flat' }, { m: { x: 1 } })).toEqual({ m: { x: 1 } });
    expect(deepMerge({ m: [1] }, { m: { x: 1 } })).toEqual({ m: { x: 1 } });
  });

  it('deletes a key set to null, at any depth', () => {
    expect(deepMerge({ a: 1, b: 2, m: { x: 1, y: 2 } }, { a: null, m: { x: null } })).toEqual({ b: 2, m: { y: 2 } });
  });

  it('keeps the base when there is nothing over it', () => {
    expect(deepMerge({ a: 1 }, undefined)).toEqual({ a: 1 });
    expect(deepMerge(undefined, { a: 1 })).toEqual({ a: 1 });
  });

  it('changes neither input', () => {
    const base: Json = { m: { x: 1 }, l: [1] };
    const over: Json = { m: { y: 2 }, l: [2] };
    deepMerge(base, over);
    expect(base).toEqual({ m: { x: 1 }, l: [1] });
    expect(over).toEqual({ m: { y: 2 }, l: [2] });
  });
});

describe('inheritNode: defaults < kinds < groups < node', () => {
  const topology = {
    defaults: { kind: 'host', sysctls: { 'net.a': 'defaults', 'net.b': 'defaults', 'net.c': 'defaults', 'net.d': 'defaults' }, exec: ['defaults'] },
    kinds: { host: { sysctls: { 'net.b': 'kind', 'net.c': 'kind', 'net.d': 'kind' } }, router: { exec: ['router'] } },
    groups: { edge: { sysctls: { 'net.c': 'group', 'net.d': 'group' }, exec: ['group'] }, core: { kind: 'router' } },
  } as Record<string, Json>;

  it('applies the layers in order, maps merged and lists replaced', () => {
    expect(inheritNode(topology, { group: 'edge', sysctls: { 'net.d': 'node' } })).toEqual({
      kind: 'host',
      group: 'edge',
      sysctls: { 'net.a': 'defaults', 'net.b': 'kind', 'net.c': 'group', 'net.d': 'node' },
      exec: ['group'],
    });
  });

  it('finds the kind in the group when the node has none, and applies that kind', () => {
    expect(inheritNode(topology, { group: 'core' })).toMatchObject({ kind: 'router', exec: ['router'] });
  });

  it('lets the node pick its kind over the defaults', () => {
    expect(inheritNode(topology, { kind: 'router' })).toMatchObject({ kind: 'router', exec: ['router'] });
  });

  it('ignores a group or kind that is not defined (containerlab uses group as a label too)', () => {
    expect(inheritNode(topology, { group: 'nowhere', kind: 'firewall' })).toMatchObject({ kind: 'firewall', exec: ['defaults'] });
  });

  it('works without defaults, kinds or groups', () => {
    expect(inheritNode({}, { kind: 'host', exec: ['x'] })).toEqual({ kind: 'host', exec: ['x'] });
  });
});

describe('mergeLabDocs (extends)', () => {
  const base: Record<string, Json> = {
    name: 'base',
    extends: 'grand.yaml',
    description: 'base lab',
    topology: {
      nodes: { a: { kind: 'host' }, b: { kind: 'router', sysctls: { 'net.x': '1' } }, c: { kind: 'host' } },
      links: [{ endpoints: ['a:eth1', 'b:eth1'] }, { endpoints: ['b:eth2', 'c:eth1'] }],
    },
    flows: [{ name: 'f', from: 'a', to: '10.0.0.1:80' }],
  };

  it('never inherits name or extends, and deep-merges the rest', () => {
    const m = mergeLabDocs(base, { name: 'child', extends: 'base.yaml', topology: { nodes: { b: { sysctls: { 'net.y': '2' } } } } });
    expect(m.name).toBe('child');
    expect('extends' in m).toBe(false);
    expect(m.description).toBe('base lab');
    expect((m.topology as { nodes: Record<string, Json> }).nodes.b).toEqual({ kind: 'router', sysctls: { 'net.x': '1', 'net.y': '2' } });
    expect(m.flows).toEqual(base.flows);
    expect(mergeLabDocs(base, {}).name).toBeUndefined();
  });

  it('appends links, a link with the same endpoints in either order replacing the base one where it was', () => {
    const m = mergeLabDocs(base, {
      name: 'c',
      topology: { links: [{ endpoints: ['c:eth2', 'a:eth2'] }, { endpoints: ['b:eth1', 'a:eth1'] }] },
    });
    expect((m.topology as { links: Json[] }).links).toEqual([
      { endpoints: ['b:eth1', 'a:eth1'] },
      { endpoints: ['b:eth2', 'c:eth1'] },
      { endpoints: ['c:eth2', 'a:eth2'] },
    ]);
  });

  it('removes a node set to null, and every link that touches it, from the base and the child', () => {
    const m = mergeLabDocs(base, { name: 'c', topology: { nodes: { c: null }, links: [{ endpoints: ['c:eth9', 'a:eth9'] }, { endpoints: ['a:eth3', 'b:eth3'] }] } });
    const topo = m.topology as { nodes: Record<string, Json>; links: Json[] };
    expect(Object.keys(topo.nodes)).toEqual(['a', 'b']);
    expect(topo.links).toEqual([{ endpoints: ['a:eth1', 'b:eth1'] }, { endpoints: ['a:eth3', 'b:eth3'] }]);
  });

  it('replaces lists other than links, flows included', () => {
    const m = mergeLabDocs(base, { name: 'c', flows: [] });
    expect(m.flows).toEqual([]);
  });

  it('keeps the link objects themselves, so a problem can be traced to the file a link came from', () => {
    const over = { name: 'c', topology: { links: [{ endpoints: ['x:eth1', 'y:eth1'] }] } } as Record<string, Json>;
    const m = mergeLabDocs(base, over);
    const links = (m.topology as { links: Json[] }).links;
    expect(links[0]).toBe((base.topology as { links: Json[] }).links[0]);
    expect(links[2]).toBe((over.topology as { links: Json[] }).links[0]);
  });

  it('survives a child that deletes the whole topology', () => {
    const m = mergeLabDocs(base, { name: 'c', topology: null });
    expect(m.topology).toBeUndefined();
  });
});
