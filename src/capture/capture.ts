import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import { waitForLine } from '../util/wait-for.js';
import type { LabPlan, NodePlan } from '../plan/plan.js';
import { NFLOG_GROUP } from '../firewall/nflog-prefix.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Background } from '../util/exec.js';

/** What a capture records: one interface of a node, or a firewall's NFLOG group (its drops). */
export type CaptureTarget = { node: string; kind: 'interface'; iface: string } | { node: string; kind: 'nflog'; nflogGroup: number };

/** One running capture. */
export interface CaptureJob {
  node: string;
  kind: CaptureTarget['kind'];
  /** The interface, or `nflog:GROUP` for the NFLOG capture: what tcpdump was given with -i. */
  iface: string;
  file: string;
  bg: Background;
}

export interface CaptureStats {
  node: string;
  /** Which of the two a capture is: never guess it from `iface` or the file name. */
  kind: CaptureTarget['kind'];
  /** The interface, or `nflog:GROUP` for the NFLOG capture. */
  iface: string;
  file: string;
  captured: number;
  droppedByKernel: number;
  droppedByInterface: number;
  /** tcpdump failed or said something that puts the capture in doubt. */
  problem?: string;
}

/**
 * The capture file's name, distinct for every target of a lab by construction, and readable:
 * `<node>-<iface>.pcap`, `<node>-nflog.pcap`. The hyphen before the interface is the last one in
 * the name, because a hyphen inside an interface name is written `~` (never in an interface name):
 * node `fw-a` interface `eth1` is `fw-a-eth1.pcap`, node `fw` interface `a-eth1` is
 * `fw-a~eth1.pcap`. An interface named `nflog` is written `~nflog`, so it cannot take the NFLOG
 * capture's name (no other spelling starts with `~`: interface names start with a letter).
 */
export function captureFileName(t: CaptureTarget): string {
  if (t.kind === 'nflog') return `${t.node}-nflog.pcap`;
  const iface = t.iface.replaceAll('-', '~');
  return `${t.node}-${iface === 'nflog' ? '~nflog' : iface}.pcap`;
}

/** `captures/manifest.json`: which node and interface (or NFLOG group) each file holds. */
export interface CaptureManifest {
  schema: 'asymlab.captures/v1';
  /** File name (in the captures folder) → what it holds. */
  files: Record<string, CaptureTarget>;
}

/** The manifest of a set of targets; throws if two would share a file (a bug in the naming). */
export function captureManifest(targets: CaptureTarget[]): CaptureManifest {
  const files: CaptureManifest['files'] = {};
  for (const t of targets) {
    const name = captureFileName(t);
    if (files[name]) throw new LabError('runtime', `captures ${describeTarget(files[name])} and ${describeTarget(t)} would both write ${name}`);
    files[name] = t;
  }
  return { schema: 'asymlab.captures/v1', files };
}

const describeTarget = (t: CaptureTarget) => (t.kind === 'nflog' ? `${t.node} NFLOG group ${t.nflogGroup}` : `${t.node}:${t.iface}`);

/** What a lab captures: every interface of every node, and each firewall's NFLOG group. */
export function captureTargets(plan: LabPlan): CaptureTarget[] {
  return plan.nodes.flatMap((n): CaptureTarget[] => [
    ...n.node.interfaces.map((i): CaptureTarget => ({ node: n.node.name, kind: 'interface', iface: i.name })),
    ...(n.firewall ? [{ node: n.node.name, kind: 'nflog' as const, nflogGroup: NFLOG_GROUP }] : []),
  ]);
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
  const manifest = captureManifest(captureTargets(plan));
  // Written first, so the folder explains itself even if the run dies during the capture.
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const byName = new Map(plan.nodes.map((n) => [n.node.name, n]));
  const jobs: CaptureJob[] = [];
  for (const [name, t] of Object.entries(manifest.files)) {
    const n = byName.get(t.node)!;
    const file = join(dir, name);
    // An NFLOG read can carry several records: the snaplen must not cut them.
    const [iface, snaplen] = t.kind === 'nflog' ? [`nflog:${t.nflogGroup}`, 65535] : [t.iface, undefined];
    jobs.push({ node: t.node, kind: t.kind, iface, file, bg: runtime.spawn(n, tcpdumpArgv(iface, file, snaplen), { env }) });
  }
  try {
    await waitReady(jobs, opts.readyTimeoutMs ?? 10_000, opts.signal);
  } catch (e) {
    await stopCaptures(jobs);
    throw e;
  }
  return jobs;
}

/** tcpdump says "listening on IFACE" once the socket is bound: nothing is missed after that. All jobs share one deadline. */
async function waitReady(jobs: CaptureJob[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
  await Promise.all(jobs.map((j) => waitForLine(j.bg, /listening on/, timeoutMs, `[${j.node}] tcpdump on ${j.iface}`, { signal })));
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
        kind: j.kind,
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
