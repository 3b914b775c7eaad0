/**
 * `asymlab run LAB --attach` on labs deployed the way containerlab deploys them (test/helpers/
 * clab-deploy.ts: containers with network none, containerlab's labels, veths moved in, the export's
 * exec lines run inside), so nothing here depends on containerlab or on asymlab's own docker
 * runtime. Each lab is exported (asymlab export), deployed, then proved twice: through the
 * containers' network namespaces (netns) and through docker exec alone (exec). The verdicts must be
 * those of `run` of the same lab on netns, and the deployment must be left exactly as found: the
 * same containers, links and addresses, the same processes, the same files in /tmp.
 * Lab names start with h13-; every container made here is removed by its ID.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlowVerdict } from '../../src/analysis/types.js';
import { LabError } from '../../src/errors.js';
import { exportLab } from '../../src/export/export-lab.js';
import { writeExport } from '../../src/export/write-export.js';
import { runLab } from '../../src/run/run-lab.js';
import type { Lab } from '../../src/topology/types.js';
import { deployClabLike, type ClabDeployment } from '../helpers/clab-deploy.js';
import { canBuildLabs, labFile, leftovers, whyNoLabs } from '../helpers/machine.js';

const docker = new Dockerode();
const IMAGE = 'asymlab/node:latest';

async function skipReason(): Promise<string | undefined> {
  if (!canBuildLabs) return whyNoLabs;
  try {
    await docker.ping();
    await docker.getImage(IMAGE).inspect();
  } catch {
    return `no docker daemon, or no ${IMAGE} (asymlab images build)`;
  }
  try {
    execFileSync('sh', ['-c', 'command -v cc && command -v nsenter'], { stdio: 'ignore' });
  } catch {
    return 'cc (for the static flow agent) or nsenter is missing';
  }
  return undefined;
}
const reason = await skipReason();

const out = mkdtempSync(join(tmpdir(), 'asymlab-attach-'));
const deployments: ClabDeployment[] = [];
afterAll(async () => {
  for (const d of deployments) await d.remove();
  rmSync(out, { recursive: true, force: true });
});

/** What must agree between a run and an attached run: the verdict, not timings or packet counts. */
const essence = (v: FlowVerdict) => ({ name: v.name, result: v.result, at: v.at, path: v.path, returnPath: v.returnPath, asymmetric: v.asymmetric, pass: v.pass });

/** The processes in a network namespace, from /proc: PID and command line. */
function processesIn(netInode: string): string[] {
  const out: string[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readlinkSync(`/proc/${p}/ns/net`) !== netInode) continue;
      if (/\) [ZX] /.test(readFileSync(`/proc/${p}/stat`, 'utf8'))) continue;
      out.push(`${p} ${readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`);
    } catch {
      /* gone */
    }
  }
  return out.sort();
}

/** Everything of a deployment an attached run must leave as it was. */
async function stateOf(d: ClabDeployment): Promise<unknown> {
  const containers = (await docker.listContainers({ all: true, filters: { label: [`containerlab=${d.lab}`] } })).map((c) => `${c.Id} ${c.Names[0]} ${c.State}`).sort();
  const nodes = d.nodes.map((n) => {
    const net = (argv: string[]) => execFileSync('nsenter', ['-t', String(n.pid), '-n', ...argv], { encoding: 'utf8' });
    const links = (JSON.parse(net(['ip', '-j', 'addr', 'show'])) as { ifname: string; address: string; mtu: number; operstate: string; addr_info: { local: string; prefixlen: number }[] }[]).map(
      (l) => `${l.ifname} ${l.address} ${l.mtu} ${l.operstate} ${l.addr_info.map((a) => `${a.local}/${a.prefixlen}`).join(',')}`,
    );
    const tmp = execFileSync('docker', ['exec', n.id, 'ls', '-a', '/tmp'], { encoding: 'utf8' });
    return { node: n.node, links, tmp, processes: processesIn(readlinkSync(`/proc/${n.pid}/ns/net`)) };
  });
  return { containers, nodes };
}

/** The deployment's state once two reads 200 ms apart agree (bounded: a busy machine is slow, not wrong). */
async function settled(d: ClabDeployment): Promise<unknown> {
  let last = JSON.stringify(await stateOf(d));
  for (let i = 0; i < 300; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const now = JSON.stringify(await stateOf(d));
    if (now === last) return JSON.parse(now) as unknown;
    last = now;
  }
  throw new Error('the deployment did not settle within 60 s');
}

async function exportAndDeploy(lab: Lab): Promise<ClabDeployment> {
  const dir = join(out, lab.name);
  const ex = await exportLab(lab);
  await writeExport(ex, dir);
  const d = await deployClabLike(docker, join(dir, ex.clabFile));
  deployments.push(d);
  return d;
}

const CASES = [
  { file: 'labs/basic/asymmetric.yaml', name: 'h13-att-asym', vias: ['netns', 'exec'] as const },
  { file: 'labs/basic/udp-asymmetric.yaml', name: 'h13-att-udp', vias: ['exec'] as const },
  { file: 'labs/basic/three-routers.yaml', name: 'h13-att-bgp', vias: ['netns'] as const },
];

describe.skipIf(reason !== undefined)(`run --attach on a containerlab-style deployment${reason ? ` (skipped: ${reason})` : ''}`, () => {
  for (const c of CASES) {
    it(`${c.file}: the verdicts of run, through ${c.vias.join(' and ')}, and the deployment left as found`, async () => {
      const ref = await runLab({ ...(await labFile(c.file, `${c.name}-r`)), runtime: 'netns' }, { outDir: join(out, `${c.name}-ref`) });
      expect(leftovers(`${c.name}-r`)).toEqual([]);
      const lab = await labFile(c.file, c.name);
      const d = await exportAndDeploy(lab);
      const before = await stateOf(d);
      for (const via of c.vias) {
        const r = await runLab(lab, { attach: { via }, outDir: join(out, `${c.name}-${via}`) });
        expect(r.verdicts.map(essence), via).toEqual(ref.verdicts.map(essence));
        // captures came into the run folder, whichever way they were taken
        const caps = readdirSync(join(out, `${c.name}-${via}`, 'captures')).filter((f) => f.endsWith('.pcap'));
        expect(caps.length).toBeGreaterThan(0);
        for (const f of caps) expect(statSync(join(out, `${c.name}-${via}`, 'captures', f)).size).toBeGreaterThanOrEqual(24);
        expect(await stateOf(d), via).toEqual(before);
      }
    }, 300_000);
  }

  it('refuses a lab that has no containers, naming every node, and starts nothing', async () => {
    const lab = await labFile('labs/basic/quick.yaml', 'h13-att-none');
    const err = await runLab(lab, { attach: { via: 'netns' }, outDir: join(out, 'none') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toMatch(/no container labelled containerlab=h13-att-none, clab-node-name=client/);
    expect((err as LabError).message).toMatch(/node edge/);
  });

  it('refuses a deployment with a stopped node, naming it, and leaves the others as they were', async () => {
    const lab = await labFile('labs/basic/quick.yaml', 'h13-att-stop');
    const d = await exportAndDeploy(lab);
    const fw = d.nodes.find((n) => n.node === 'fw')!;
    await docker.getContainer(fw.id).stop({ t: 0 });
    const others = { ...d, nodes: d.nodes.filter((n) => n !== fw) };
    // The kernel removes the stopped node's namespace, and with it the far ends of its veths in the
    // others, a moment after docker says it stopped: take "before" once the others have settled.
    const before = await settled(others);
    const err = await runLab(lab, { attach: { via: 'exec' }, outDir: join(out, 'stopped') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toMatch(/node fw: container clab-h13-att-stop-fw is exited, not running/);
    expect(await stateOf(others)).toEqual(before);
  });

  it('refuses a deployment that differs from the lab file, naming what is missing, and removes what it brought', async () => {
    const lab = await labFile('labs/basic/quick.yaml', 'h13-att-diff');
    const d = await exportAndDeploy(lab);
    const before = await stateOf(d);
    const other: Lab = { ...lab, nodes: lab.nodes.map((n) => (n.name === 'client' ? { ...n, interfaces: n.interfaces.map((i) => ({ ...i, addresses: ['10.1.0.99/24'] })) } : n)) };
    const err = await runLab(other, { attach: { via: 'exec' }, outDir: join(out, 'diff') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).kind).toBe('input');
    expect((err as LabError).message).toMatch(/client:eth1 lacks 10\.1\.0\.99\/24/);
    expect(await stateOf(d)).toEqual(before);
  });
});
