import { readConfigFile } from '../../topology/file-ref.js';
import { LabError } from '../../errors.js';
import type { NodePlan } from '../../plan/plan.js';
import { renderFrr, renderFrrDaemons } from '../../render/frr.js';
import type { Runtime } from '../../runtime/runtime.js';
import { CommandError } from '../../util/exec.js';
import { daemonSpec, type FrrDaemon } from './catalogue.js';
import { frrPaths } from './paths.js';
import { vtyshArgv, vtyshErrors } from './vtysh.js';
import { bindCovering } from '../../topology/binds.js';

/** The config a router runs: the user's raw file (as read when the lab was planned), or ours rendered from the lab. */
export async function frrConfigOf(n: NodePlan): Promise<string> {
  if (n.frrConfigText !== undefined) return n.frrConfigText;
  return n.node.frrConfig ? readConfigFile(n.node.frrConfig, `topology.nodes.${n.node.name}.frr-config`) : renderFrr(n.node);
}

/** The daemons a node runs, in start order (zebra first); none on a node without FRR. */
export function daemonsFor(n: NodePlan): FrrDaemon[] {
  return n.daemons;
}

/** Why a daemon did not start, when the reason is that its binary is missing (an image without it). */
async function missingBinary(runtime: Runtime, n: NodePlan, path: string): Promise<boolean> {
  const r = await runtime.exec(n, ['test', '-x', path], { context: 'node', reject: false, timeoutMs: 10_000 });
  return r.failed;
}

/**
 * Starts the node's daemons (zebra first, then the rest at once) and loads the config: rendered
 * configs are read by each daemon at start (-f), a raw integrated config is loaded through vtysh -b.
 * With -d an FRR daemon returns once it is ready to serve, so vtysh -b can follow at once.
 */
export async function startFrr(runtime: Runtime, n: NodePlan): Promise<void> {
  const layout = frrPaths(runtime, n);
  const config = await frrConfigOf(n);
  const raw = n.node.frrConfig !== undefined;
  // frr.conf is what vtysh shows and what a raw config is; rendered configs also go per daemon.
  const perDaemon: Partial<Record<FrrDaemon, string>> | undefined = raw ? undefined : renderFrrDaemons(n.node);
  const files = [
    { path: `${layout.confDir}/frr.conf`, content: config },
    { path: `${layout.confDir}/vtysh.conf`, content: `service integrated-vtysh-config\nhostname ${n.node.name}\n` },
    ...(perDaemon ? n.daemons.map((d) => ({ path: `${layout.confDir}/${d}.conf`, content: perDaemon[d] ?? '' })) : []),
    // the run folder must exist and be frr's before the daemons write their pid files there
    { path: `${layout.runDir}/.asymlab`, content: `${n.node.name}\n` },
  ];
  // A file a bind provides (containerlab's frr.conf at /etc/frr/frr.conf) is the host's: FRR reads
  // it where it is, and asymlab never writes over it (nor into a bound folder).
  const writable = files.filter((f) => bindCovering(n.node, f.path) === undefined);
  if (writable.length) await runtime.writeFiles(n, writable, { owner: 'frr' });
  const ps = layout.pathspace ? ['-N', layout.pathspace] : [];
  const start = async (d: FrrDaemon) => {
    const bin = `${layout.daemonDir}/${d}`;
    const argv = [bin, '-d', ...ps, '-A', '127.0.0.1', '-F', 'traditional', ...(perDaemon ? ['-f', `${layout.confDir}/${d}.conf`] : []), ...(daemonSpec(d).args ?? [])];
    const r = await runtime.exec(n, argv, { context: 'node', timeoutMs: 20_000, reject: false });
    if (!r.failed) return;
    if (await missingBinary(runtime, n, bin)) {
      const why = raw ? `${n.node.frrConfig} has ${daemonSpec(d).sections}` : 'the lab asks for it';
      throw new LabError('environment', `[${n.node.name}] ${d} is not installed (${bin} missing${runtime.kind === 'docker' ? ` in its image` : ''}); ${why}`, {
        hint: runtime.kind === 'docker' ? 'use an image with FRR 8.4 or later (asymlab images build)' : 'install FRR 8.4 or later: sudo ./scripts/setup.sh',
      });
    }
    throw new CommandError(r);
  };
  // zebra first: a client daemon that starts before zebra's socket exists registers nothing
  // (staticd's routes were lost that way), and with -d zebra returns only once it serves.
  await start('zebra');
  await Promise.all(n.daemons.filter((d) => d !== 'zebra').map(start));
  if (perDaemon) return;
  // A raw integrated config is loaded through vtysh, as FRR's own init scripts do.
  const r = await runtime.exec(n, [...vtyshArgv(runtime, n), '-b'], { context: 'node', reject: false, timeoutMs: 20_000 });
  if (r.failed) {
    throw new LabError('runtime', `FRR on ${n.node.name} rejected ${n.node.frrConfig}:\n    ${vtyshErrors(r.stdout + r.stderr).join('\n    ')}`, {
      hint: 'fix the raw config (vtysh -C -f FILE checks it)',
    });
  }
}
