import { LabError } from '../../errors.js';
import { inspectLab } from '../../lab/inspect.js';
import { readState } from '../../lab/state.js';
import { planLab } from '../../plan/plan.js';
import { createRuntime } from '../../runtime/select.js';
import { resolveLab, type CliContext } from '../context.js';

async function runningLab(arg: string) {
  const lab = await resolveLab(arg);
  const state = await readState(lab.name);
  if (!state) throw new LabError('input', `lab '${lab.name}' is not up`, { hint: `run: asymlab up ${arg}` });
  const runtime = await createRuntime(state.runtime);
  return { lab: { ...lab, runtime: state.runtime }, runtime };
}

export async function inspectCommand(args: { lab: string; json: boolean }, ctx: CliContext): Promise<number> {
  const { lab, runtime } = await runningLab(args.lab);
  const nodes = await inspectLab(lab, runtime);
  if (args.json) {
    ctx.out(`${JSON.stringify({ lab: lab.name, runtime: runtime.kind, nodes }, null, 2)}\n`);
    return 0;
  }
  ctx.out(`lab ${lab.name} (${runtime.kind}, ${lab.file})\n`);
  for (const n of nodes) {
    ctx.out(`\n${n.name} [${n.kind}]${n.up ? '' : '  NOT UP'}\n`);
    for (const i of n.interfaces) {
      if (i.name === 'lo' && i.addresses.length === 0) continue;
      ctx.out(`  ${i.name.padEnd(8)} ${i.state.padEnd(7)} ${i.mac.padEnd(18)} ${i.addresses.join(' ')}\n`);
    }
    for (const r of n.routes) ctx.out(`  route ${r.dst}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''}${r.protocol ? ` (${r.protocol})` : ''}\n`);
    for (const b of n.bgp) ctx.out(`  bgp ${b.peer} AS${b.remoteAs} ${b.state}${b.state === 'Established' ? `, ${b.prefixesReceived} prefixes received` : ''}\n`);
    for (const p of n.protocols ?? []) {
      if (!p.adjacencies.length) ctx.out(`  ${p.name.toLowerCase()} no adjacency\n`);
      for (const a of p.adjacencies) ctx.out(`  ${p.name.toLowerCase()} ${a.iface} -> ${a.peer} ${a.state}\n`);
    }
  }
  return 0;
}

/** Runs a command in a node with the terminal attached; its exit code becomes ours. */
export async function execCommand(args: { lab: string; node: string; argv: string[] }, _ctx: CliContext): Promise<number> {
  const { lab, runtime } = await runningLab(args.lab);
  const n = planLab(lab).nodes.find((x) => x.node.name === args.node);
  if (!n) throw new LabError('input', `lab '${lab.name}' has no node '${args.node}'`, { hint: `nodes: ${lab.nodes.map((x) => x.name).join(', ')}` });
  if (!args.argv.length) throw new LabError('input', 'no command given', { hint: `asymlab exec ${args.lab} ${args.node} -- ip addr` });
  // In the node itself: a container's own binaries on docker.
  return runtime.interactive(n, args.argv, { context: 'node' });
}
