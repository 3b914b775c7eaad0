/**
 * A long-lived ICMP flow: one echo id, an echo request every interval (the system's ping, `-i`),
 * each reply read back by its sequence number (`-D` stamps it, `-O` says when one is missing).
 * Message i is icmp_seq i+1; ping numbers from 1.
 */
import { spawn } from 'node:child_process';
import type { MessageRecord } from '../analysis/types.js';
import type { AttemptResult, ClientSpec } from './protocol.js';

/** ping's arguments for a session of `count` requests. Pure. */
export function sessionPingArgv(a: ClientSpec, count: number): string[] {
  const v6 = a.address.includes(':');
  const interval = a.intervalMs ?? 100;
  return [
    v6 ? '-6' : '-4',
    '-n',
    '-D',
    '-O',
    '-c', String(count),
    '-i', (interval / 1000).toFixed(3),
    // No -w: with a deadline ping sends until it has `count` replies, past the session's end.
    '-W', (a.timeoutMs / 1000).toFixed(3),
    '-e', String(a.sourcePort & 0xffff),
    '-M', 'do',
    ...(a.size !== undefined ? ['-s', String(a.size)] : []),
    ...(a.source !== undefined ? ['-I', a.source] : []),
    '--',
    a.address,
  ];
}

/** Replies (and errors) in ping's output, by sequence number. Pure. */
export function parseSessionPing(text: string): { replies: Map<number, number>; errors: Set<number> } {
  const replies = new Map<number, number>();
  const errors = new Set<number>();
  for (const line of text.split('\n')) {
    const seq = /icmp_seq=(\d+)/.exec(line);
    if (!seq) continue;
    const n = Number(seq[1]);
    const ts = /^\[(\d+\.\d+)\]/.exec(line);
    if (/ bytes from /.test(line) && ts) replies.set(n, Number(ts[1]));
    else if (/\bFrom \S+.*icmp_seq=/.test(line)) errors.add(n);
  }
  return { replies, errors };
}

export function icmpSession(a: ClientSpec, startAtMs: number): Promise<AttemptResult> {
  const interval = a.intervalMs ?? 100;
  const count = Math.max(1, Math.floor((a.durationMs ?? interval) / interval));
  const startedAt = Date.now() / 1000;
  const t0 = performance.now();
  return new Promise((resolve) => {
    setTimeout(() => {
      const sentBase = Date.now() / 1000;
      let text = '';
      const child = spawn('ping', sessionPingArgv(a, count), { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d) => (text += d.toString()));
      child.stderr.on('data', (d) => (text += d.toString()));
      const guard = setTimeout(() => child.kill('SIGKILL'), count * interval + a.timeoutMs + 3000);
      let finished = false;
      const done = (spawnError?: string) => {
        if (finished) return;
        finished = true;
        clearTimeout(guard);
        const { replies, errors } = parseSessionPing(text);
        // ping sends request k (seq k+1) at k intervals after it starts.
        const messages: MessageRecord[] = Array.from({ length: count }, (_, index) => {
          const seq = index + 1;
          const echoedAt = replies.get(seq);
          const sentAt = spawnError ? undefined : sentBase + (index * interval) / 1000;
          return { index, seq, ...(sentAt !== undefined ? { sentAt } : {}), ...(echoedAt !== undefined ? { echoedAt } : {}), outcome: echoedAt !== undefined ? 'echoed' : errors.has(seq) ? 'unreachable' : spawnError ? 'unsent' : 'lost' };
        });
        const all = messages.every((m) => m.outcome === 'echoed');
        const id = a.sourcePort & 0xffff;
        resolve({
          attempt: 0,
          srcAddress: a.source ?? '',
          srcPort: id,
          dstAddress: a.address,
          dstPort: id,
          outcome: all ? 'connected' : errors.size ? 'unreachable' : spawnError ? 'error' : 'timeout',
          ...(all ? {} : { errorCode: spawnError ?? (errors.size ? 'EHOSTUNREACH' : 'ELOST') }),
          echoed: all,
          ...(a.size !== undefined ? { size: a.size } : {}),
          startedAt,
          totalMs: performance.now() - t0,
          session: { durationMs: a.durationMs ?? interval, intervalMs: interval, messageBytes: a.size ?? 56, messages },
        });
      };
      child.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ENOENT' ? 'ENOPING' : (e.code ?? 'ERROR')));
      child.on('close', () => done());
    }, Math.max(0, startAtMs - Date.now()));
  });
}
