/**
 * A long-lived UDP flow: one 5-tuple (one socket, one source port) that sends a request datagram
 * every interval and waits for each echo. Every request carries its own random part, so its
 * digest and its echo's name its packets (`payloadDigests`); an echo that comes back late still
 * counts for its own message. ICMP errors the kernel hands the connected socket mark the latest
 * message unreachable; the session goes on, as a tunnel's keepalives would.
 */
import dgram from 'node:dgram';
import type { MessageRecord } from '../analysis/types.js';
import { payloadDigest } from '../pcap/transport.js';
import type { AttemptResult, ClientSpec } from './protocol.js';
import { replyPayload, requestPayload } from './udp-agent.js';

const sleepUntil = (epochMs: number) => new Promise((r) => setTimeout(r, Math.max(0, epochMs - Date.now())));
const digestOf = (b: Buffer) => payloadDigest(b, 0, b.length)!;

export function udpSession(a: ClientSpec, startAtMs: number): Promise<AttemptResult> {
  const interval = a.intervalMs ?? 100;
  const count = Math.max(1, Math.floor((a.durationMs ?? interval) / interval));
  const messages: MessageRecord[] = Array.from({ length: count }, (_, index) => ({ index, outcome: 'unsent' }));
  const pending = new Map<string, number>();
  const startedAt = Date.now() / 1000;
  const t0 = performance.now();
  const v6 = a.address.includes(':');
  const sock = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4' });
  let bytes = 0;
  let errorCode: string | undefined;
  let srcAddress = a.source ?? '';
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      try {
        srcAddress = sock.address().address;
        sock.close();
      } catch {
        /* never bound, or closed */
      }
      for (const m of messages) if (m.sentAt !== undefined && m.outcome === 'unsent') m.outcome = 'lost';
      const all = messages.every((m) => m.outcome === 'echoed');
      resolve({
        attempt: 0,
        srcAddress: srcAddress === '0.0.0.0' || srcAddress === '::' ? '' : srcAddress,
        srcPort: a.sourcePort,
        dstAddress: a.address,
        dstPort: a.port,
        outcome: all ? 'connected' : errorCode ? 'unreachable' : 'timeout',
        ...(all ? {} : { errorCode: errorCode ?? 'ELOST' }),
        echoed: all,
        payloadDigests: messages.flatMap((m) => m.payloadDigests ?? []),
        ...(a.size !== undefined ? { size: a.size } : {}),
        startedAt,
        totalMs: performance.now() - t0,
        session: { durationMs: a.durationMs ?? interval, intervalMs: interval, messageBytes: bytes, messages },
      });
    };
    sock.on('message', (m) => {
      const i = pending.get(m.toString('latin1'));
      if (i === undefined) return;
      pending.delete(m.toString('latin1'));
      messages[i].echoedAt = Date.now() / 1000;
      messages[i].outcome = 'echoed';
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      errorCode = e.code ?? 'ERROR';
      const last = [...messages].reverse().find((m) => m.sentAt !== undefined && m.outcome === 'unsent');
      if (last) last.outcome = 'unreachable';
    });
    sock.bind({ port: a.sourcePort, ...(a.source ? { address: a.source } : {}), exclusive: true }, () => {
      sock.connect(a.port, a.address, (async (err?: NodeJS.ErrnoException) => {
        if (err) {
          errorCode = err.code ?? 'ERROR';
          return finish();
        }
        for (let i = 0; i < count && !done; i++) {
          await sleepUntil(startAtMs + i * interval);
          const request = requestPayload(a.flow, i, a.size);
          bytes = request.length;
          messages[i].payloadDigests = [digestOf(request), digestOf(replyPayload(request))];
          pending.set(replyPayload(request).toString('latin1'), i);
          messages[i].sentAt = Date.now() / 1000;
          sock.send(request, (e) => {
            if (e && messages[i].outcome === 'unsent') messages[i].outcome = 'unreachable';
          });
        }
        // The last echo gets timeoutMs to come back.
        setTimeout(finish, a.timeoutMs);
      }) as () => void);
    });
  });
}
