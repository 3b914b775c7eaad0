import { LabError } from '../errors.js';
import type { LabPlan, NodePlan } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import { indexLab } from '../net/lab-index.js';

export interface TraceHop {
  ttl: number;
  /** The address that answered, or undefined for `*`. */
  address?: string;
  node?: string;
  iface?: string;
  rttMs?: number;
}

export interface TraceResult {
  from: string;
  to: string;
  /** FROM to TO. */
  forward: TraceHop[];
  /** TO's node back to FROM. */
  back: TraceHop[];
  /** The stateful edges (firewalls; else every transit node) each way, in order. */
  forwardEdges: string[];
  backEdges: string[];
  sameEdge: boolean;
  verdict: string;
}

/** `traceroute -n -q 1` output -> hops. Pure. */
export function parseTraceroute(text: string): TraceHop[] {
  const hops: TraceHop[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[2].trim();
    const hit = /^([0-9a-fA-F.:]+)\s+([\d.]+)\s*ms/.exec(rest);
    hops.push(hit ? { ttl: Number(m[1]), address: hit[1], rttMs: Number(hit[2]) } : { ttl: Number(m[1]) });
  }
  return hops;
}

/** Names each hop by the node and interface that own its address. Pure. */
export function nameHops(plan: LabPlan, hops: TraceHop[]): TraceHop[] {
  const lab = indexLab(plan.lab.nodes);
  return hops.map((h) => {
    const owner = h.address ? lab.ownerOf(h.address) : undefined;
    return owner ? { ...h, node: owner.node.name, iface: owner.iface } : h;
  });
}

function edges(plan: LabPlan, hops: TraceHop[], ends: string[]): string[] {
  const nodes = hops.map((h) => h.node).filter((n): n is string => !!n && !ends.includes(n));
  const fws = nodes.filter((n) => plan.nodes.find((x) => x.node.name === n)?.firewall);
  return [...new Set(fws.length ? fws : nodes)];
}

function nodeOf(plan: LabPlan, name: string): NodePlan {
  const n = plan.nodes.find((x) => x.node.name === name);
  if (!n) throw new LabError('input', `lab '${plan.lab.name}' has no node '${name}'`, { hint: `nodes: ${plan.nodes.map((x) => x.node.name).join(', ')}` });
  return n;
}

function ownerOf(plan: LabPlan, address: string): NodePlan | undefined {
  const owner = indexLab(plan.lab.nodes).ownerOf(address);
  return plan.nodes.find((n) => n.node === owner?.node);
}

/** How traceroute probes: the flow's protocol, so the probes meet the rules the flow meets. */
export type TraceProto = 'tcp' | 'udp' | 'icmp';

/** traceroute's probe options. Without a protocol: TCP to the port when given (what a firewall lets through), else classic UDP. Pure. */
export function probeArgs(proto: TraceProto | undefined, port?: number): string[] {
  if (proto === 'icmp') return ['-I'];
  if (proto === 'udp') return ['-U', ...(port ? ['-p', String(port)] : [])];
  if (proto === 'tcp') return ['-T', ...(port ? ['-p', String(port)] : [])];
  return port ? ['-T', '-p', String(port)] : [];
}

async function traceroute(runtime: Runtime, n: NodePlan, to: string, port?: number, proto?: TraceProto, maxHops = 12): Promise<TraceHop[]> {
  // One probe per hop, 1 s each.
  const argv = ['traceroute', '-n', '-q', '1', '-w', '1', '-m', String(maxHops), ...probeArgs(proto, port), to];
  const r = await runtime.exec(n, argv, { context: 'net', reject: false, timeoutMs: maxHops * 2000 + 5000 });
  if (r.exitCode === 127) throw new LabError('environment', 'traceroute is not installed', { hint: 'run: sudo ./scripts/setup.sh' });
  const hops = parseTraceroute(r.stdout);
  // Trailing silent hops past the last answer say nothing: keep one to show the path went dark.
  let last = hops.length - 1;
  while (last > 0 && !hops[last].address && !hops[last - 1].address) last--;
  return hops.slice(0, last + 1);
}

/**
 * The article's detection step: traceroute FROM -> TO and TO's node -> FROM, each hop named by node
 * and interface, and whether both directions cross the same edge.
 */
export async function traceBoth(
  plan: LabPlan,
  runtime: Runtime,
  from: string,
  to: string,
  opts: { port?: number; server?: string; source?: string; proto?: TraceProto } = {},
): Promise<TraceResult> {
  const src = nodeOf(plan, from);
  const dstNode = opts.server ? nodeOf(plan, opts.server) : ownerOf(plan, to);
  if (!dstNode) throw new LabError('input', `no node owns ${to}`, { hint: 'trace to an address of a lab node, or name the server' });
  const route = await runtime.exec(src, ['ip', '-j', 'route', 'get', to], { context: 'net', reject: false });
  let back = opts.source;
  try {
    back ??= (JSON.parse(route.stdout) as { prefsrc?: string }[])[0]?.prefsrc;
  } catch {
    /* no route: the forward trace will show it */
  }
  const [forward, backHops] = await Promise.all([
    traceroute(runtime, src, to, opts.port, opts.proto).then((h) => nameHops(plan, h)),
    // Back with the same kind of probe (the port is the forward one's alone).
    back ? traceroute(runtime, dstNode, back, undefined, opts.proto).then((h) => nameHops(plan, h)) : Promise.resolve([] as TraceHop[]),
  ]);
  const ends = [src.node.name, dstNode.node.name];
  const fe = edges(plan, forward, ends);
  const be = edges(plan, backHops, ends);
  const sameEdge = fe.length === be.length && fe.every((e, i) => e === be[be.length - 1 - i]);
  const describe = (e: string[]) => (e.length ? e.join(' > ') : 'no transit node');
  const verdict = sameEdge
    ? `both directions use the same edge (${describe(fe)}): symmetric`
    : `forward via ${describe(fe)}, back via ${describe([...be].reverse())}: different edges (asymmetric)`;
  return { from, to, forward, back: backHops, forwardEdges: fe, backEdges: be, sameEdge, verdict };
}

export function formatTrace(t: TraceResult): string {
  const hop = (h: TraceHop) => `  ${String(h.ttl).padStart(2)}  ${h.address ? `${h.address.padEnd(16)} ${h.node ? `${h.node}:${h.iface}` : '(not in the lab)'}${h.rttMs !== undefined ? `  ${h.rttMs} ms` : ''}` : '*'}`;
  return [`${t.from} -> ${t.to}`, ...t.forward.map(hop), `back to ${t.from}`, ...t.back.map(hop), t.verdict, ''].join('\n');
}
