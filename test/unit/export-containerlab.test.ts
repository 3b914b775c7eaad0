/**
 * `asymlab export --to containerlab` on every bundled lab (`asymlab labs`): the topology validates
 * against containerlab's own JSON Schema (test/fixtures/containerlab, from containerlab's
 * repository, BSD-3 licence beside it), meets clabernetes' limits, binds only files the export
 * holds, and its scripts are valid sh. Labs that cannot meet a limit say which file and which
 * limit. No root needed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { BUNDLED_LABS, findLabs } from '../../src/cli/commands/labs.js';
import { LabError } from '../../src/errors.js';
import { CLABERNETES_MAX_BIND_BYTES, clabernetesProblems } from '../../src/export/clabernetes.js';
import { exportLab, type LabExport } from '../../src/export/export-lab.js';
import { DEFAULT_EXPORT_IMAGE, imageFor, parseImageOptions } from '../../src/export/images.js';
import { FIREWALL_BACKENDS } from '../../src/firewall/registry.js';
import { planLab } from '../../src/plan/plan.js';
import { daemonsFromDaemonsFile } from '../../src/services/frr/daemons.js';
import { loadLab } from '../../src/topology/load.js';
import type { Lab } from '../../src/topology/types.js';
import { repoRoot } from '../helpers/machine.js';

const schema = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/containerlab/clab.schema.json'), 'utf8')) as object;
// containerlab's schema uses keywords of later drafts (prefixItems, markdownDescription): not strict
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const bundled = (await findLabs(BUNDLED_LABS)).map((l) => l.file);

const fileOf = (ex: LabExport, path: string) => ex.files.find((f) => f.path === path)?.content;

async function exported(file: string): Promise<{ lab: Lab; ex: LabExport; clab: { name: string; topology: { nodes: Record<string, { kind: string; image: string; binds?: string[]; exec?: string[] }>; links: { endpoints: string[] }[]; groups?: unknown } } }> {
  const lab = await loadLab(file);
  const ex = await exportLab(lab);
  return { lab, ex, clab: parse(fileOf(ex, ex.clabFile)!) };
}

describe.each(bundled.map((f) => [f.slice(repoRoot.length + 1), f]))('export of %s', (_shown, file) => {
  it("validates against containerlab's schema and keeps every node and link", async () => {
    const { lab, clab } = await exported(file);
    expect(validate(clab), JSON.stringify(validate.errors, null, 1)).toBe(true);
    expect(clab.name).toBe(lab.name);
    expect(Object.keys(clab.topology.nodes).sort()).toEqual(lab.nodes.map((n) => n.name).sort());
    for (const n of Object.values(clab.topology.nodes)) expect(n.kind).toBe('linux');
    expect(clab.topology.links.map((l) => l.endpoints)).toEqual(lab.links.map((l) => l.endpoints.map((e) => `${e.node}:${e.iface}`)));
  });

  it("meets clabernetes' limits: no groups, plain bound files under 950 kB, all in the export", async () => {
    const { ex, clab } = await exported(file);
    expect(clab.topology.groups).toBeUndefined();
    for (const n of Object.values(clab.topology.nodes)) {
      for (const b of n.binds ?? []) {
        const [src, dst] = b.split(':');
        const content = fileOf(ex, src);
        expect(content, `${b} binds a file of the export`).toBeDefined();
        expect(Buffer.byteLength(content!)).toBeLessThanOrEqual(CLABERNETES_MAX_BIND_BYTES);
        expect(dst.startsWith('/')).toBe(true);
      }
    }
    expect(clabernetesProblems(ex.clabFile, clab, [])).toEqual([]);
  });

  it('writes valid sh, and routers a daemons file that starts exactly their daemons', async () => {
    const { lab, ex } = await exported(file);
    for (const n of planLab(lab).nodes) {
      const script = fileOf(ex, `${lab.name}/${n.node.name}/start.sh`)!;
      const r = spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const daemons = fileOf(ex, `${lab.name}/${n.node.name}/daemons`);
      if (!n.frr) {
        expect(daemons).toBeUndefined();
        continue;
      }
      // FRR's init scripts start zebra and staticd whatever the file says
      expect(daemonsFromDaemonsFile(daemons!)).toEqual([...new Set(['zebra', 'staticd', ...n.daemons])].sort((a, b) => order(a) - order(b)));
    }
  });

  it('gives the flows and what the proof needs to an asymlab file that extends the topology', async () => {
    const { lab, ex } = await exported(file);
    const asym = parse(fileOf(ex, ex.asymlabFile)!) as { name: string; extends: string; flows?: unknown[]; events?: unknown[]; topology: { nodes: Record<string, { interfaces?: Record<string, unknown>; firewall?: unknown; iptables?: string; nftables?: string }> } };
    expect(asym.name).toBe(lab.name);
    expect(asym.extends).toBe(ex.clabFile);
    expect(asym.flows?.length ?? 0).toBe(lab.flows.length);
    expect(asym.events?.length ?? 0).toBe(lab.events?.length ?? 0);
    for (const n of lab.nodes) {
      const own = asym.topology.nodes[n.name];
      // addresses a node sets itself (containerlab exec lines) stay with those lines
      expect(Object.keys(own.interfaces ?? {}).sort()).toEqual(n.interfaces.filter((i) => i.addresses.some((a) => !i.selfAddresses?.includes(a))).map((i) => i.name).sort());
      // the firewall goes along as its intent or as its raw ruleset file, whatever the backend
      if (n.firewall || n.iptables || n.nftables) expect(own.firewall ?? own.iptables ?? own.nftables).toBeDefined();
    }
  });
});

const order = (d: string) => ['zebra', 'staticd', 'bgpd', 'ospfd', 'ospf6d', 'isisd', 'fabricd', 'ripd', 'ripngd', 'eigrpd', 'babeld', 'pimd', 'ldpd', 'nhrpd', 'pbrd', 'bfdd', 'vrrpd', 'pathd'].indexOf(d);

/** A small lab, built in memory: a host and a firewall. */
function smallLab(over: Partial<Lab['nodes'][number]> = {}): Lab {
  const lab: Lab = {
    name: 'small',
    file: join(repoRoot, 'labs/basic/quick.yaml'),
    dir: join(repoRoot, 'labs/basic'),
    runtime: 'netns',
    nodes: [
      { name: 'a', kind: 'host', interfaces: [{ name: 'eth1', addresses: ['10.0.0.1/24'] }], loopbacks: [], routes: [], sysctls: {}, exec: [], binds: [], ...over },
      { name: 'b', kind: 'host', interfaces: [{ name: 'eth1', addresses: ['10.0.0.2/24'] }], loopbacks: [], routes: [], sysctls: {}, exec: [], binds: [] },
    ],
    links: [{ endpoints: [{ node: 'a', iface: over.interfaces?.[0]?.name ?? 'eth1' }, { node: 'b', iface: 'eth1' }] }],
    flows: [],
  };
  return lab;
}

async function refusal(lab: Lab, opts: Parameters<typeof exportLab>[1] = {}): Promise<LabError> {
  try {
    await exportLab(lab, { raw: {}, ...opts });
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    expect((e as LabError).kind).toBe('input');
    return e as LabError;
  }
  throw new Error('exported, but should not have');
}

describe('an export that cannot meet a limit says which file and which limit', () => {
  it('a raw ruleset over 950 kB', async () => {
    const big = 'x'.repeat(CLABERNETES_MAX_BIND_BYTES + 1);
    const lab = smallLab({ kind: 'firewall', iptables: '/labs/big.rules', firewall: { inside: [], allow: [], snat: [], dnat: [] } });
    const err = await refusal(lab, { readFile: async () => big });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0].file).toBe('/labs/big.rules');
    expect(err.problems[0].message).toMatch(/at most 950 kB/);
  });

  it('a bind of a folder', async () => {
    const err = await refusal(smallLab({ binds: ['conf:/etc/conf'] }), { probe: async (p) => ({ kind: 'directory', sizeBytes: 0, realPath: p }) });
    expect(err.problems[0].file).toBe(join(repoRoot, 'labs/basic/conf'));
    expect(err.problems[0].message).toMatch(/plain files only/);
  });

  it('an interface named eth0, the management interface', async () => {
    const err = await refusal(smallLab({ interfaces: [{ name: 'eth0', addresses: ['10.0.0.1/24'] }] }));
    expect(err.problems[0].path).toBe('topology.nodes.a.interfaces.eth0');
  });

  it('a node named host, which containerlab reads as a host link', async () => {
    const lab = smallLab();
    lab.nodes[0] = { ...lab.nodes[0], name: 'host' };
    lab.links[0].endpoints[0].node = 'host';
    const err = await refusal(lab);
    expect(err.problems.map((p) => p.message).join('\n')).toMatch(/host link/);
  });

  it('a firewall backend that cannot say how it loads without asymlab', async () => {
    const lab = smallLab({ kind: 'firewall', firewall: { inside: [], allow: [], snat: [], dnat: [] } });
    const iptables = FIREWALL_BACKENDS[0];
    const standalone = iptables.standalone;
    (iptables as { standalone?: unknown }).standalone = undefined;
    try {
      const err = await refusal(lab);
      expect(err.problems[0].message).toMatch(/cannot be exported/);
    } finally {
      (iptables as { standalone?: unknown }).standalone = standalone;
    }
  });

  it('groups, host-network keys and host links in a topology', () => {
    const problems = clabernetesProblems('x.clab.yml', { topology: { groups: {}, nodes: { a: { 'network-mode': 'host' } }, links: [{ endpoints: ['a:eth1', 'macvlan:enp0s3'] }] } }, []);
    expect(problems.map((p) => p.path)).toEqual(['topology.groups', 'topology.nodes.a.network-mode', 'topology.links[0].endpoints[1]']);
  });
});

describe('images', () => {
  const node = smallLab().nodes[0];
  it("defaults to asymlab's node image; --image, KIND=IMAGE and the node's own image win in that order", () => {
    expect(imageFor(node, parseImageOptions([]))).toBe(DEFAULT_EXPORT_IMAGE);
    expect(imageFor(node, parseImageOptions(['alpine:3']))).toBe('alpine:3');
    expect(imageFor(node, parseImageOptions(['alpine:3', 'host=debian:12']))).toBe('debian:12');
    expect(imageFor({ ...node, kind: 'router' }, parseImageOptions(['alpine:3', 'host=debian:12']))).toBe('alpine:3');
    expect(imageFor({ ...node, image: 'mine:1' }, parseImageOptions(['host=debian:12']))).toBe('mine:1');
  });

  it.each([['bad image'], ['router=a b'], ['nokind=x:1'], ["x'y"]])('refuses --image %s', (v) => {
    expect(() => parseImageOptions([v])).toThrow(LabError);
  });

  it('puts the chosen image on the exported nodes', async () => {
    const ex = await exportLab(await loadLab(join(repoRoot, 'labs/basic/quick.yaml')), { images: parseImageOptions(['router=quay.io/frrouting/frr:10.5.1']) });
    const clab = parse(ex.files[0].content) as { topology: { nodes: Record<string, { image: string }> } };
    expect(clab.topology.nodes.edge.image).toBe('quay.io/frrouting/frr:10.5.1');
    expect(clab.topology.nodes.fw.image).toBe(DEFAULT_EXPORT_IMAGE);
  });
});
