import { fileURLToPath } from 'node:url';
import { LabError } from '../errors.js';
import type { ConnectionRecord } from '../analysis/types.js';
import type { LabPlan, NodePlan } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Flow } from '../topology/types.js';
import type { Background } from '../util/exec.js';
import { nodeAddresses } from '../topology/addresses.js';
import { canonicalAddress, hostOf } from '../util/ip.js';

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
  const server = plan.nodes.find((n) => n.node.name === f.server);
  const own = new Set(server ? nodeAddresses(server.node) : []);
  for (const n of plan.nodes) {
    for (const d of n.node.firewall?.dnat ?? []) {
      const m = /^(.+):(\d+)$/.exec(d.to);
      if (m && own.has(canonicalAddress(m[1])) && canonicalAddress(hostOf(d.dst)) === canonicalAddress(f.toAddress) && (d.dport === undefined || d.dport === f.toPort)) ports.add(Number(m[2]));
    }
  }
  return [...ports];
}

/** One echo server per server node, listening on every port its flows use. */
export async function startServers(plan: LabPlan, runtime: Runtime, flows: Flow[], timeoutMs = 10_000): Promise<Servers> {
  const byNode = new Map<string, Set<number>>();
  for (const f of flows) byNode.set(f.server, new Set([...(byNode.get(f.server) ?? []), ...serverPorts(plan, f)]));
  const started: Background[] = [];
  try {
    for (const [name, ports] of byNode) {
      const n = nodeOf(plan, name);
      const bg = runtime.spawn(n, [process.execPath, AGENT, 'server', ...[...ports].map(String)], { captureStdout: true });
      started.push(bg);
      await waitForLine(bg, /"ready"/, timeoutMs, `echo server on ${name}`);
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

/** Waits until a background process prints a matching line on stdout (or stderr). */
export async function waitForLine(bg: Background, re: RegExp, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let out = '';
  const onData = (d: Buffer | string) => (out += d.toString());
  bg.child.stdout?.on('data', onData);
  bg.child.stderr?.on('data', onData);
  let exited = false;
  void bg.exited.then(() => (exited = true));
  try {
    while (!re.test(out)) {
      if (exited) throw new LabError('runtime', `${what} exited before it was ready: ${out.trim().slice(-300)}`);
      if (Date.now() > deadline) throw new LabError('timeout', `${what} was not ready within ${timeoutMs} ms: ${out.trim().slice(-300)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    bg.child.stdout?.off('data', onData);
    bg.child.stderr?.off('data', onData);
  }
}

async function routeSource(runtime: Runtime, n: NodePlan, dst: string): Promise<string | undefined> {
  const r = await runtime.exec(n, ['ip', '-j', 'route', 'get', dst], { context: 'net', reject: false });
  try {
    return (JSON.parse(r.stdout) as { prefsrc?: string }[])[0]?.prefsrc;
  } catch {
    return undefined;
  }
}

/** Runs every flow's connections (flows at once, attempts of a flow one after another). */
export async function runFlows(plan: LabPlan, runtime: Runtime, flows: Flow[]): Promise<ConnectionRecord[]> {
  const all = await Promise.all(
    flows.map(async (f, k) => {
      const n = nodeOf(plan, f.from);
      const argv = [
        process.execPath,
        AGENT,
        'client',
        '--flow',
        f.name,
        '--address',
        f.toAddress,
        '--port',
        String(f.toPort),
        '--source-port',
        String(sourcePortOf(k)),
        '--count',
        String(f.count),
        '--timeout-ms',
        String(f.timeoutMs),
        ...(f.source ? ['--source', f.source] : []),
      ];
      const r = await runtime.exec(n, argv, { context: 'net', timeoutMs: f.count * (f.timeoutMs + 2000) + 5000 });
      // A connection that never got an answer has no local address to report: the kernel's choice is the route's.
      const src = f.source ?? (await routeSource(runtime, n, f.toAddress));
      return r.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Omit<ConnectionRecord, 'client' | 'server'>)
        .map((c) => ({ ...c, srcAddress: c.srcAddress ? c.srcAddress.replace(/^::ffff:/, '') : (src ?? ''), client: f.from, server: f.server }));
    }),
  );
  return all.flat();
}
