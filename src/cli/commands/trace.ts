import { LabError } from '../../errors.js';
import { readState } from '../../lab/state.js';
import { splitHostPort } from '../../topology/normalise.js';
import { planLab } from '../../plan/plan.js';
import { createRuntime } from '../../runtime/select.js';
import { formatTrace, traceBoth, type TraceProto } from '../../traffic/trace.js';
import { isAddress } from '../../util/ip.js';
import { resolveLab, type CliContext } from '../context.js';

/** `asymlab trace LAB FROM TO[:PORT] [--proto tcp|udp|icmp]` on a running lab. TO may be an address or a node name. */
const PROTOS = ['tcp', 'udp', 'icmp'] as const;

export async function traceCommand(args: { lab: string; from: string; to: string; json: boolean; proto?: string }, ctx: CliContext): Promise<number> {
  const proto = args.proto as TraceProto | undefined;
  if (proto !== undefined && !PROTOS.includes(proto)) throw new LabError('input', `--proto ${args.proto}: unknown probe protocol`, { hint: `use one of: ${PROTOS.join(', ')}` });
  const lab = await resolveLab(args.lab);
  const state = await readState(lab.name);
  if (!state) throw new LabError('input', `lab '${lab.name}' is not up`, { hint: `run: asymlab up ${args.lab}  (or add trace: true to a flow and use asymlab run)` });
  const plan = planLab({ ...lab, runtime: state.runtime });
  const runtime = await createRuntime(state.runtime);
  const hp = splitHostPort(args.to);
  let to = hp?.address ?? args.to;
  if (!isAddress(to)) {
    const node = plan.nodes.find((n) => n.node.name === to);
    const addr = node && [...node.node.loopbacks, ...node.node.interfaces.flatMap((i) => i.addresses)][0];
    if (!addr) throw new LabError('input', `'${args.to}' is neither an address nor a node of lab '${lab.name}' with an address`);
    to = addr.split('/')[0];
  }
  const t = await traceBoth(plan, runtime, args.from, to, { port: hp?.port, ...(proto ? { proto } : {}) });
  ctx.out(args.json ? `${JSON.stringify(t, null, 2)}\n` : formatTrace(t));
  return 0;
}
