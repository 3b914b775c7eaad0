import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import type { LabPlan, NodePlan } from '../plan/plan.js';
import { NFLOG_GROUP } from '../firewall/nflog-prefix.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Background } from '../util/exec.js';

/** One running capture: an interface of a node, or a firewall's NFLOG group. */
export interface CaptureJob {
  node: string;
  /** The interface, or `nflog`. */
  iface: string;
  file: string;
  bg: Background;
}

export interface CaptureStats {
  node: string;
  iface: string;
  file: string;
  captured: number;
  droppedByKernel: number;
  droppedByInterface: number;
  /** tcpdump failed or said something that puts the capture in doubt. */
  problem?: string;
}

/**
 * tcpdump with a 16 MiB buffer and no -U: at high rates -U lost packets here, a large buffer lost
 * none. --immediate-mode hands each packet to tcpdump at once: without it libpcap holds packets in
 * a ring block until the block fills or ~1 s passes, and tcpdump, stopped, never writes that block
 * (short flows were missing from their captures). The snaplen keeps headers and the first bytes of
 * payload. TZ=UTC spares tcpdump a timezone lookup.
 */
export function tcpdumpArgv(iface: string, file: string, snaplen = 256): string[] {
  return ['tcpdump', '-i', iface, '-n', '--immediate-mode', '-B', '16384', '-s', String(snaplen), '-w', file];
}

const env = { ...process.env, TZ: 'UTC' };

export async function startCaptures(plan: LabPlan, runtime: Runtime, dir: string, opts: { readyTimeoutMs?: number; signal?: AbortSignal } = {}): Promise<CaptureJob[]> {
  await mkdir(dir, { recursive: true });
  const jobs: CaptureJob[] = [];
  const start = (n: NodePlan, iface: string, tcpIface: string, snaplen?: number) => {
    const file = join(dir, `${n.node.name}-${iface}.pcap`);
    jobs.push({ node: n.node.name, iface, file, bg: runtime.spawn(n, tcpdumpArgv(tcpIface, file, snaplen), { env }) });
  };
  for (const n of plan.nodes) {
    for (const i of n.node.interfaces) start(n, i.name, i.name);
    // An NFLOG read can carry several records: the snaplen must not cut them.
    if (n.firewall) start(n, 'nflog', `nflog:${NFLOG_GROUP}`, 65535);
  }
  try {
    await waitReady(jobs, opts.readyTimeoutMs ?? 10_000, opts.signal);
  } catch (e) {
    await stopCaptures(jobs);
    throw e;
  }
  return jobs;
}

/** tcpdump says "listening on IFACE" once the socket is bound: nothing is missed after that. */
async function waitReady(jobs: CaptureJob[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ready = new Set<CaptureJob>();
  const texts = new Map<CaptureJob, string>();
  for (const j of jobs) j.bg.child.stderr?.on('data', (d: Buffer | string) => texts.set(j, (texts.get(j) ?? '') + d.toString()));
  const exited = new Set<CaptureJob>();
  for (const j of jobs) void j.bg.exited.then(() => exited.add(j));
  while (ready.size < jobs.length) {
    // Ctrl-C ends tcpdump too: its exit is then the interrupt's doing, not a capture failure.
    if (signal?.aborted) throw new LabError('interrupted', `interrupted while tcpdump was starting (${ready.size} of ${jobs.length} listening)`);
    for (const j of jobs) {
      if (/listening on/.test(texts.get(j) ?? '')) ready.add(j);
      else if (exited.has(j)) throw new LabError('runtime', `[${j.node}] tcpdump on ${j.iface} failed: ${(texts.get(j) ?? '').trim().slice(-300)}`);
    }
    if (Date.now() > deadline) {
      const late = jobs.filter((j) => !ready.has(j)).map((j) => `${j.node}:${j.iface}`);
      throw new LabError('timeout', `tcpdump was not listening within ${timeoutMs} ms on ${late.join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** "N packets captured", "N packets received by filter", "N packets dropped by kernel", "N packets dropped by interface". */
export function parseTcpdumpStats(stderr: string): { captured: number; droppedByKernel: number; droppedByInterface: number } | undefined {
  const num = (re: RegExp) => Number(re.exec(stderr)?.[1] ?? NaN);
  const captured = num(/(\d+) packets? captured/);
  if (Number.isNaN(captured)) return undefined;
  const byKernel = num(/(\d+) packets? dropped by kernel/);
  const byIface = num(/(\d+) packets? dropped by interface/);
  return { captured, droppedByKernel: Number.isNaN(byKernel) ? 0 : byKernel, droppedByInterface: Number.isNaN(byIface) ? 0 : byIface };
}

export async function stopCaptures(jobs: CaptureJob[]): Promise<CaptureStats[]> {
  return Promise.all(
    jobs.map(async (j) => {
      const r = await j.bg.stop('SIGTERM');
      const stats = parseTcpdumpStats(r.stderr);
      return {
        node: j.node,
        iface: j.iface,
        file: j.file,
        captured: stats?.captured ?? 0,
        droppedByKernel: stats?.droppedByKernel ?? 0,
        droppedByInterface: stats?.droppedByInterface ?? 0,
        problem: stats ? undefined : `tcpdump gave no statistics (${r.stderr.trim().slice(-200) || describe(r)})`,
      };
    }),
  );
}

function describe(r: { exitCode: number | null; signal: string | null }): string {
  return r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`;
}
