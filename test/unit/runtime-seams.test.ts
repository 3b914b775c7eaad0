import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planLab } from '../../src/plan/plan.js';
import { netArgv, renderLinkBatch } from '../../src/runtime/host-net.js';
import { RUNTIME_NAMES, RUNTIMES } from '../../src/runtime/registry.js';
import { frrPaths } from '../../src/services/frr/paths.js';
import { vtyshArgv } from '../../src/services/frr/vtysh.js';
import { labSchemaUrl, withRegistryEnums } from '../../src/topology/schema-check.js';
import { loadLab } from '../../src/topology/load.js';

const LAB = `
name: seams
topology:
  nodes:
    a: {kind: host, interfaces: {eth1: 10.0.0.1/30}}
    r1: {kind: router, interfaces: {eth1: 10.0.0.2/30, eth2: 10.0.1.1/30}}
    b: {kind: host, interfaces: {eth1: 10.0.1.2/30}}
  links:
    - endpoints: ["a:eth1", "r1:eth1"]
    - endpoints: ["r1:eth2", "b:eth1"]
`;

const plan = async () => planLab(await loadLab('/lab/lab.yaml', { fs: { readFile: async () => LAB, exists: async () => true }, exists: () => true }));

describe('the network side both runtimes share', () => {
  it('runs ip with -n (one process) and any other binary through ip netns exec', () => {
    expect(netArgv('asymlab_x_a', ['ip', '-j', 'route', 'show'])).toEqual(['ip', '-n', 'asymlab_x_a', '-j', 'route', 'show']);
    expect(netArgv('asymlab_x_a', ['tcpdump', '-i', 'eth1'])).toEqual(['ip', 'netns', 'exec', 'asymlab_x_a', 'tcpdump', '-i', 'eth1']);
  });

  it('makes every link with one ip -batch line, straight into both namespaces, MACs from the plan', async () => {
    const p = await plan();
    const [a, r1] = p.nodes;
    const lines = renderLinkBatch(p);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`link add eth1 netns asymlab_seams_a address ${a.macs.eth1} type veth peer name eth1 netns asymlab_seams_r1 address ${r1.macs.eth1}\n`);
    // Both ends name their namespace: neither is ever made in the host's.
    for (const l of lines) expect(l.match(/ netns /g)).toHaveLength(2);
  });
});

describe("FRR's paths, from the runtime's filesystem alone", () => {
  it('a folder per node and a pathspace where nodes share the host filesystem; the usual paths where each has its own', async () => {
    const r1 = (await plan()).nodes[1];
    expect(frrPaths({ filesystem: 'shared-host' }, r1)).toEqual({ confDir: '/etc/frr/asymlab_seams_r1', runDir: '/var/run/frr/asymlab_seams_r1', pathspace: 'asymlab_seams_r1', daemonDir: '/usr/lib/frr' });
    expect(frrPaths({ filesystem: 'per-node' }, r1)).toEqual({ confDir: '/etc/frr', runDir: '/var/run/frr', daemonDir: '/usr/lib/frr' });
    expect(vtyshArgv({ filesystem: 'shared-host' } as never, r1)).toEqual(['vtysh', '-N', 'asymlab_seams_r1']);
    expect(vtyshArgv({ filesystem: 'per-node' } as never, r1)).toEqual(['vtysh']);
  });
});

describe('the runtime registry', () => {
  it('is where the schema check takes the runtime names from', () => {
    const schema = withRegistryEnums({ properties: { runtime: { enum: ['netns'] } } });
    expect(schema.properties.runtime.enum).toEqual([...RUNTIME_NAMES]);
    expect(RUNTIME_NAMES).toEqual(RUNTIMES.map((r) => r.name));
  });

  it('is what the schema file lists for editors (add a new runtime there too)', () => {
    const file = JSON.parse(readFileSync(labSchemaUrl, 'utf8')) as { properties: { runtime: { enum: string[] } } };
    expect(file.properties.runtime.enum).toEqual([...RUNTIME_NAMES]);
  });
});

describe('the flow protocols', () => {
  it('are what the schema check takes the proto names from, and what the schema file lists for editors', async () => {
    const { PROTOCOL_NAMES } = await import('../../src/protocols/names.js');
    const schema = withRegistryEnums({ definitions: { flow: { properties: { proto: { enum: ['tcp'] } } } } });
    expect(schema.definitions.flow.properties.proto.enum).toEqual([...PROTOCOL_NAMES]);
    const file = JSON.parse(readFileSync(labSchemaUrl, 'utf8')) as { definitions: { flow: { properties: { proto: { enum: string[] } } } } };
    expect(file.definitions.flow.properties.proto.enum).toEqual([...PROTOCOL_NAMES]);
  });
});
