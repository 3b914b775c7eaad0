import { fileURLToPath } from 'node:url';
import { LabError } from '../errors.js';
import type { ConnectionRecord } from '../analysis/types.js';
import type { LabPlan, NodePlan } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Flow } from '../topology/types.js';
import type { Background } from '../util/exec.js';
import { addressKey, indexLab } from '../net/lab-index.js';
import type { FlowProtocol } from '../protocols/protocol.js';
import { DEFAULT_PROTOCOL, protocolOfFlow } from '../protocols/registry.js';
import { hostOf } from '../util/ip.js';
import { waitForLine } from '../util/wait-for.js';
import { clientArgv, serverArgv } from './agent-args.js';

/** The agent runs from the compiled tree: dist/traffic/agent.js. */
export const AGENT = fileURLToPath(new URL('../../dist/traffic/agent.js', import.meta.url));

/** Source ports: flow k uses 20000 + 100k + attempt, so every 5-tuple is known before a packet is sent. */
export function sourcePortOf(flowIndex: number): number {
  return 20_000 + 100 * flowIndex;
}

export interface Servers {
  stop(): Promise<void>;
}

/**
 * The ports a flow's server must listen on: the flow's own, and the port of any DNAT that sends
 * that address:port to one of the server's addresses on another port. Pure.
 */
export function serverPorts(plan: LabPlan, f: Flow): number[] {
  const ports = new Set([f.toPort]);
  const lab = indexLab(plan.lab.nodes);
  for (const n of plan.nodes) {
    for (const d of n.node.firewall?.dnat ?? []) {
      const m = /^(.+):(\d+)$/.exec(d.to);
      if (m && lab.owns(f.server, m[1]) && addressKey(hostOf(d.dst)) === addressKey(f.toAddress) && (d.dport === undefined || d.dport === f.toPort)) ports.add(Number(m[2]));
    }
  }
  return [...ports];
}

/** One echo server per server node and protocol, listening on every port its flows use. */
export async function startServers(plan: LabPlan, runtime: Runtime, flows: Flow[], timeoutMs = 10_000): Promise<Servers> {
  const wanted = new Map<string, { node: string; protocol: FlowProtocol; ports: Set<number> }>();
  for (const f of flows) {
    const protocol = protocolOfFlow(f);
    // Without ports (ICMP echo) the server's kernel answers: nothing to start.
    if (!protocol.form.ports) continue;
    const k = `${f.server}\0${protocol.name}`;
    const w = wanted.get(k) ?? { node: f.server, protocol, ports: new Set<number>() };
    for (const p of serverPorts(plan, f)) w.ports.add(p);
    wanted.set(k, w);
  }
  const started: Background[] = [];
  try {
    for (const { node, protocol, ports } of wanted.values()) {
      const n = nodeOf(plan, node);
      const bg = runtime.spawn(n, [process.execPath, AGENT, ...serverArgv(protocol.name, [...ports])], { captureStdout: true });
      started.push(bg);
      await waitForLine(bg, /"ready"/, timeoutMs, `echo server on ${node}`);
    }
  } catch (e) {
    await Promise.all(started.map((b) => b.stop()));
    throw e;
  }
  return { stop: async () => void (await Promise.all(started.map((b) => b.stop()))) };
}

function nodeOf(plan: LabPlan, name: string): NodePlan {
  const n = plan.nodes.find((x) => x.node.name === name);
  if (!n) throw new LabError('input', `flow names node '${name}', which is not in lab '${plan.lab.name}'`);
  return n;
}

async function routeSource(runtime: Runtime, n: NodePlan, dst: string): Promise<string | undefined> {
  const r = await runtime.exec(n, ['ip', '-j', 'route', 'get', dst], { context: 'net', reject: false });
  try {
    return (JSON.parse(r.stdout) as { prefsrc?: string }[])[0]?.prefsrc;
  } catch {
    return undefined;
  }
}

/**
 * The agent's command line for flow number `k`. Every user string (the flow's name above all)
 * goes as a `--key=value` value, so a name like `--count` is never read as an option. Pure.
 */
export function flowArgv(f: Flow, k: number): string[] {
  const protocol = protocolOfFlow(f);
  const fixed = f.sourcePort !== undefined && protocol.form.sourcePort === 'fixed';
  const spec = {
    flow: f.name,
    address: f.toAddress,
    port: f.toPort,
    ...(f.source ? { source: f.source } : {}),
    sourcePort: f.sourcePort ?? sourcePortOf(k),
    ...(fixed ? { fixedSourcePort: true } : {}),
    count: f.count,
    timeoutMs: f.timeoutMs,
    ...(f.size !== undefined ? { size: f.size } : {}),
  };
  return clientArgv(protocol.name, spec);
}

/** Runs every flow's connections (flows at once, attempts of a flow one after another). */
export async function runFlows(plan: LabPlan, runtime: Runtime, flows: Flow[]): Promise<ConnectionRecord[]> {
  const all = await Promise.all(
    flows.map(async (f, k) => {
      const n = nodeOf(plan, f.from);
      const argv = [process.execPath, AGENT, ...flowArgv(f, k)];
      const r = await runtime.exec(n, argv, { context: 'net', timeoutMs: f.count * (f.timeoutMs + 2000) + 5000 });
      // A connection that never got an answer has no local address to report: the kernel's choice is the route's.
      const src = f.source ?? (await routeSource(runtime, n, f.toAddress));
      // Records of the default protocol name none, as before protocols were named.
      const protocol = protocolOfFlow(f).name;
      const named = protocol === DEFAULT_PROTOCOL ? {} : { protocol };
      return r.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Omit<ConnectionRecord, 'client' | 'server'>)
        .map((c) => ({ ...c, ...named, srcAddress: c.srcAddress ? c.srcAddress.replace(/^::ffff:/, '') : (src ?? ''), client: f.from, server: f.server }));
    }),
  );
  return all.flat();
}
