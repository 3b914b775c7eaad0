/**
 * The ICMP side of the flow agent: each attempt is one echo request sent by the system's `ping`
 * (iputils) with a known id (`-e`: sourcePort + i, so the tuple is known before any answer), the
 * flow's payload size and DF set (`-M do`). The kernel on the far side answers: no server runs.
 * ping prints what came back: an echo reply, or an ICMP error (unreachable, fragmentation
 * needed, time exceeded) with the address that sent it.
 */
import { spawn } from 'node:child_process';
import type { AttemptResult, ClientSpec, ProtocolAgent } from './protocol.js';

/** What ping printed -> outcome and errno-like code. Pure. */
export function pingOutcome(text: string, exitCode: number | null): Pick<AttemptResult, 'outcome' | 'errorCode' | 'echoed'> {
  if (/ bytes from /.test(text)) return { outcome: 'connected', echoed: true };
  if (/Time to live exceeded|Hop limit/i.test(text)) return { outcome: 'ttl-exceeded', errorCode: 'ETIMEEXCEEDED', echoed: false };
  if (/Frag needed|message too long|Packet too big/i.test(text)) return { outcome: 'unreachable', errorCode: 'EMSGSIZE', echoed: false };
  if (/Port Unreachable/i.test(text)) return { outcome: 'unreachable', errorCode: 'ECONNREFUSED', echoed: false };
  if (/Net Unreachable|No route/i.test(text)) return { outcome: 'unreachable', errorCode: 'ENETUNREACH', echoed: false };
  if (/Unreachable|Prohibited|Packet filtered|Destination/i.test(text)) return { outcome: 'unreachable', errorCode: 'EHOSTUNREACH', echoed: false };
  if (exitCode === 1 || exitCode === null) return { outcome: 'timeout', errorCode: 'ETIMEDOUT', echoed: false };
  return { outcome: 'error', errorCode: `EPING${exitCode}`, echoed: false };
}

/** ping's arguments for attempt i. Pure. */
export function pingArgv(a: ClientSpec, i: number): string[] {
  const v6 = a.address.includes(':');
  return [
    v6 ? '-6' : '-4',
    '-n',
    '-c', '1',
    '-W', (a.timeoutMs / 1000).toFixed(3),
    '-e', String((a.sourcePort + i) & 0xffff),
    '-M', 'do',
    ...(a.size !== undefined ? ['-s', String(a.size)] : []),
    ...(a.source !== undefined ? ['-I', a.source] : []),
    '--',
    a.address,
  ];
}

function attempt(a: ClientSpec, i: number): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const startedAt = Date.now() / 1000;
    const t0 = performance.now();
    const id = (a.sourcePort + i) & 0xffff;
    let text = '';
    const child = spawn('ping', pingArgv(a, i), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (text += d.toString()));
    child.stderr.on('data', (d) => (text += d.toString()));
    // ping keeps to -W; this only guards against one that hangs.
    const guard = setTimeout(() => child.kill('SIGKILL'), a.timeoutMs + 2000);
    let finished = false;
    const done = (exitCode: number | null, spawnError?: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(guard);
      const totalMs = performance.now() - t0;
      const rtt = /time=([\d.]+) ms/.exec(text);
      const got = spawnError ? { outcome: 'error' as const, errorCode: spawnError, echoed: false } : pingOutcome(text, exitCode);
      resolve({
        attempt: i,
        srcAddress: a.source ?? '',
        srcPort: id,
        dstAddress: a.address,
        dstPort: id,
        ...got,
        ...(a.size !== undefined ? { size: a.size } : {}),
        startedAt,
        ...(rtt ? { connectMs: Number(rtt[1]) } : {}),
        totalMs,
      });
    };
    child.on('error', (e: NodeJS.ErrnoException) => done(null, e.code === 'ENOENT' ? 'ENOPING' : (e.code ?? 'ERROR')));
    child.on('close', (code) => done(code));
  });
}

/** Nothing to start: the destination's kernel answers echo requests. */
async function serve(): Promise<void> {}

export const icmpAgent: ProtocolAgent = { attempt, serve };
