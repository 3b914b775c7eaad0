/**
 * A long-lived TCP flow: one connection that writes a fixed-length line every interval and reads
 * the echo back. Lines are all `messageBytes` long, so message i is bytes i×n to (i+1)×n-1 of the
 * stream both ways, which is how the analysis finds its segments again (whatever way the kernel
 * cut or merged them). The kernel retransmits what is lost; the session only says what came back
 * and when. A reset ends it: what was sent and not echoed is `reset`, the rest `unsent`.
 */
import net from 'node:net';
import type { MessageRecord } from '../analysis/types.js';
import type { AttemptResult, ClientSpec } from './protocol.js';
import { linePayload } from './tcp-agent.js';

/** The line of message i when the flow sets no size: long enough to hold its name and number. */
export const DEFAULT_MESSAGE_BYTES = 48;

const sleepUntil = (epochMs: number) => new Promise((r) => setTimeout(r, Math.max(0, epochMs - Date.now())));

export function sessionPayload(flow: string, i: number, bytes: number): string {
  return linePayload(`asymlab ${flow} m${i}`, bytes);
}

function outcomeOf(code: string): AttemptResult['outcome'] {
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return 'refused';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable';
  return code === 'ETIMEDOUT' ? 'timeout' : 'error';
}

export function tcpSession(a: ClientSpec, startAtMs: number): Promise<AttemptResult> {
  const bytes = a.size ?? DEFAULT_MESSAGE_BYTES;
  const interval = a.intervalMs ?? 100;
  const count = Math.max(1, Math.floor((a.durationMs ?? interval) / interval));
  const messages: MessageRecord[] = Array.from({ length: count }, (_, index) => ({ index, outcome: 'unsent' }));
  const startedAt = Date.now() / 1000;
  const t0 = performance.now();
  return new Promise((resolve) => {
    let echoedBytes = 0;
    let echoed = 0;
    let connectMs: number | undefined;
    let errorCode: string | undefined;
    let done = false;
    const v6 = a.address.includes(':');
    const socket = net.connect({ host: a.address, port: a.port, localAddress: a.source ?? (v6 ? '::' : '0.0.0.0'), localPort: a.sourcePort, family: v6 ? 6 : 4 });
    socket.setNoDelay(true);
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      const failed = errorCode !== undefined;
      for (const m of messages) if (m.sentAt !== undefined && m.echoedAt === undefined) m.outcome = failed ? 'reset' : 'lost';
      const all = echoed === count;
      const outcome: AttemptResult['outcome'] = all ? 'connected' : failed ? outcomeOf(errorCode!) : 'timeout';
      const rec: AttemptResult = {
        attempt: 0,
        srcAddress: socket.localAddress ?? a.source ?? '',
        srcPort: a.sourcePort,
        dstAddress: a.address,
        dstPort: a.port,
        outcome,
        ...(all ? {} : { errorCode: errorCode ?? (connectMs === undefined ? 'ETIMEDOUT' : 'ELOST') }),
        echoed: all,
        ...(a.size !== undefined ? { size: a.size } : {}),
        startedAt,
        ...(connectMs !== undefined ? { connectMs } : {}),
        totalMs: performance.now() - t0,
        session: { durationMs: a.durationMs ?? interval, intervalMs: interval, messageBytes: bytes, messages },
      };
      // Close politely when everything came back, so the FIN exchange is captured; else at once.
      if (all) {
        socket.end(() => setTimeout(() => resolve(rec), 50));
        socket.once('close', () => resolve(rec));
        setTimeout(() => resolve(rec), 1000);
      } else {
        socket.destroy();
        resolve(rec);
      }
    };
    // After the last message, its echo gets timeoutMs to come back; a connection never made gives up then too.
    const lastDue = startAtMs + (count - 1) * interval;
    const deadline = setTimeout(finish, Math.max(0, lastDue - Date.now()) + a.timeoutMs);
    socket.on('data', (d) => {
      echoedBytes += d.length;
      const now = Date.now() / 1000;
      while (echoed < count && echoedBytes >= (echoed + 1) * bytes) {
        messages[echoed].echoedAt = now;
        messages[echoed].outcome = 'echoed';
        echoed++;
      }
      if (echoed === count) finish();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      errorCode = e.code ?? 'ERROR';
      finish();
    });
    socket.on('close', () => {
      errorCode ??= 'ECLOSED';
      finish();
    });
    socket.on('connect', async () => {
      connectMs = performance.now() - t0;
      for (let i = 0; i < count && !done; i++) {
        await sleepUntil(startAtMs + i * interval);
        if (done) break;
        messages[i].sentAt = Date.now() / 1000;
        socket.write(sessionPayload(a.flow, i, bytes));
      }
    });
  });
}
