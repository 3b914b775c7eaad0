import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import type { NodePlan } from '../plan/plan.js';
import { renderFrr, renderFrrDaemons } from '../render/frr.js';
import type { Runtime } from '../runtime/runtime.js';
import { readConfigFile } from '../topology/file-ref.js';
import type { CommandResult, Runner } from '../util/exec.js';

export const FRR_DAEMONS = ['zebra', 'staticd', 'bgpd'] as const;

/** The config a router runs: the user's raw file (a bounded regular file, as loading checked), or ours rendered from the lab. */
export async function frrConfigOf(n: NodePlan): Promise<string> {
  return n.node.frrConfig ? readConfigFile(n.node.frrConfig, `topology.nodes.${n.node.name}.frr-config`) : renderFrr(n.node);
}

/**
 * vtysh's complaints about a config, without the config: it quotes each line it rejects
 * ("line 4: % Unknown command[4]: <the line>"), and a config that is not one (a lab that named
 * some other file) must not be printed back. The line number and the reason are what a fix needs.
 */
export function vtyshErrors(output: string, maxLines = 6): string[] {
  return output
    .trim()
    .split('\n')
    .map((l) => l.replace(/^(.*?%[^:[]*)(?:\[\d+\])?:.*$/, '$1').trimEnd())
    .filter((l) => l !== '')
    .slice(-maxLines);
}

/** zebra always; staticd and bgpd only where the node has static routes or BGP (a raw config may have either). */
export function daemonsFor(n: NodePlan): (typeof FRR_DAEMONS)[number][] {
  const raw = n.node.frrConfig !== undefined;
  return FRR_DAEMONS.filter((d) => d === 'zebra' || raw || (d === 'staticd' ? n.node.routes.length > 0 : n.node.bgp !== undefined));
}

function vtysh(runtime: Runtime, n: NodePlan): string[] {
  const ps = runtime.frrLayout(n).pathspace;
  return ps ? ['vtysh', '-N', ps] : ['vtysh'];
}

/** Runs vtysh commands on a node; `json` parses the output. */
export async function vtyshRun(runtime: Runtime, n: NodePlan, commands: string[], opts: { reject?: boolean } = {}): Promise<CommandResult> {
  return runtime.exec(n, [...vtysh(runtime, n), ...commands.flatMap((c) => ['-c', c])], { context: 'node', reject: opts.reject, timeoutMs: 10_000 });
}

/**
 * Starts zebra, staticd and bgpd in the node and loads the integrated config through vtysh.
 * With -d an FRR daemon returns once it is ready to serve, so vtysh -b can follow at once.
 */
export async function startFrr(runtime: Runtime, n: NodePlan): Promise<void> {
  const layout = runtime.frrLayout(n);
  const config = await frrConfigOf(n);
  // frr.conf is what vtysh shows and what a raw config is; rendered configs also go per daemon.
  const perDaemon = n.node.frrConfig ? undefined : renderFrrDaemons(n.node);
  await runtime.writeFiles(
    n,
    [
      { path: `${layout.confDir}/frr.conf`, content: config },
      { path: `${layout.confDir}/vtysh.conf`, content: `service integrated-vtysh-config\nhostname ${n.node.name}\n` },
      ...(perDaemon ? daemonsFor(n).map((d) => ({ path: `${layout.confDir}/${d}.conf`, content: perDaemon[d] })) : []),
      // the run folder must exist and be frr's before the daemons write their pid files there
      { path: `${layout.runDir}/.asymlab`, content: `${n.node.name}\n` },
    ],
    { owner: 'frr' },
  );
  const ps = layout.pathspace ? ['-N', layout.pathspace] : [];
  const start = (d: (typeof FRR_DAEMONS)[number], extra: string[] = []) =>
    runtime.exec(
      n,
      [`${layout.daemonDir}/${d}`, '-d', ...ps, '-A', '127.0.0.1', '-F', 'traditional', ...(perDaemon ? ['-f', `${layout.confDir}/${d}.conf`] : []), ...extra],
      { context: 'node', timeoutMs: 20_000 },
    );
  // zebra first: a client daemon that starts before zebra's socket exists registers nothing
  // (staticd's routes were lost that way), and with -d zebra returns only once it serves.
  await start('zebra', ['-s', '16777216']);
  await Promise.all(daemonsFor(n).filter((d) => d !== 'zebra').map((d) => start(d)));
  if (perDaemon) return;
  // A raw integrated config is loaded through vtysh, as FRR's own init scripts do.
  const r = await runtime.exec(n, [...vtysh(runtime, n), '-b'], { context: 'node', reject: false, timeoutMs: 20_000 });
  if (r.failed) {
    throw new LabError('runtime', `FRR on ${n.node.name} rejected ${n.node.frrConfig}:\n    ${vtyshErrors(r.stdout + r.stderr).join('\n    ')}`, {
      hint: 'fix the raw config (vtysh -C -f FILE checks it and shows the lines)',
    });
  }
}

/** Checks a raw or rendered config with vtysh's dry run (no daemon needed), before anything is created. */
export async function checkFrrConfig(run: Runner, config: string, file: string): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'asymlab-frr-'));
  try {
    await writeFile(join(dir, 'frr.conf'), config);
    const r = await run(['vtysh', '-C', '-f', join(dir, 'frr.conf')], { reject: false, timeoutMs: 20_000 });
    if (!r.failed) return undefined;
    return vtyshErrors((r.stdout + r.stderr).replaceAll(join(dir, 'frr.conf'), file)).join('\n    ');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface BgpPeerStatus {
  node: string;
  peer: string;
  remoteAs: number;
  state: string;
  prefixesReceived: number;
}

interface SummaryJson {
  [afi: string]: { peers?: Record<string, { remoteAs: number; state: string; pfxRcd?: number; peerState?: string }> };
}

/** BGP sessions of a node, from `show bgp summary json` (all address families). */
export async function bgpPeers(runtime: Runtime, n: NodePlan): Promise<BgpPeerStatus[]> {
  const r = await vtyshRun(runtime, n, ['show bgp summary json'], { reject: false });
  if (r.failed) return [];
  let data: SummaryJson;
  try {
    data = JSON.parse(r.stdout) as SummaryJson;
  } catch {
    return [];
  }
  const out = new Map<string, BgpPeerStatus>();
  for (const afi of Object.values(data)) {
    for (const [peer, p] of Object.entries(afi.peers ?? {})) {
      const prev = out.get(peer);
      out.set(peer, { node: n.node.name, peer, remoteAs: p.remoteAs, state: p.state, prefixesReceived: (prev?.prefixesReceived ?? 0) + (p.pfxRcd ?? 0) });
    }
  }
  return [...out.values()];
}
