/**
 * The TCP side of the flow agent: the client connects from a known source port, sends one line
 * (padded to the flow's `size:`, so a large one is one full-sized data segment) and waits for it
 * to come back; the server echoes every connection's bytes. Real kernel sockets only: nothing is
 * crafted. TCP segments always carry DF, so path MTU discovery applies to them.
 */
import net from 'node:net';
import type { AttemptResult, ClientSpec, ProtocolAgent } from './protocol.js';

/** The line, padded with dots (or cut) to `size` bytes, newline last; as is without a size. */
export function linePayload(line: string, size?: number): string {
  if (size === undefined) return `${line}\n`;
  // Printable ASCII only, so characters are bytes and the segment is `size` bytes long.
  return `${line.replace(/[^\x20-\x7e]/g, '?').slice(0, size - 1).padEnd(size - 1, '.')}\n`;
}

function attempt(a: ClientSpec, i: number): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const startedAt = Date.now() / 1000;
    const t0 = performance.now();
    const payload = linePayload(`asymlab ${a.flow} ${i}`, a.size);
    let echoed = '';
    let connectMs: number | undefined;
    let done = false;
    const v6 = a.address.includes(':');
    const socket = net.connect({ host: a.address, port: a.port, localAddress: a.source ?? (v6 ? '::' : '0.0.0.0'), localPort: a.sourcePort + i, family: v6 ? 6 : 4 });
    const finish = (outcome: AttemptResult['outcome'], errorCode?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const rec: AttemptResult = {
        attempt: i,
        srcAddress: socket.localAddress ?? a.source ?? '',
        srcPort: a.sourcePort + i,
        dstAddress: a.address,
        dstPort: a.port,
        outcome,
        errorCode,
        echoed: echoed === payload,
        ...(a.size !== undefined ? { size: a.size } : {}),
        startedAt,
        connectMs,
        totalMs: performance.now() - t0,
      };
      if (outcome === 'connected') {
        // Close politely so the FIN exchange is captured too.
        socket.end(() => setTimeout(() => resolve(rec), 50));
        socket.once('close', () => resolve(rec));
      } else {
        socket.destroy();
        resolve(rec);
      }
    };
    const timer = setTimeout(() => finish('timeout', 'ETIMEDOUT'), a.timeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      connectMs = performance.now() - t0;
      socket.write(payload);
    });
    socket.on('data', (d) => {
      echoed += d.toString();
      if (echoed.length >= payload.length) finish(echoed === payload ? 'connected' : 'error', echoed === payload ? undefined : 'EBADECHO');
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? 'ERROR';
      const outcome = code === 'ECONNREFUSED' || code === 'ECONNRESET' ? 'refused' : code === 'EHOSTUNREACH' || code === 'ENETUNREACH' ? 'unreachable' : 'error';
      finish(outcome, code);
    });
    socket.on('close', () => finish(connectMs === undefined ? 'error' : 'timeout', 'ECLOSED'));
  });
}

function serve(ports: number[]): Promise<void> {
  return Promise.all(
    ports.map(
      (port) =>
        new Promise<void>((resolve, reject) => {
          const srv = net.createServer((sock) => {
            sock.on('data', (d) => sock.write(d));
            sock.on('end', () => sock.end());
            sock.on('error', () => sock.destroy());
          });
          srv.on('error', (e) => reject(Object.assign(e, { port })));
          // '::' takes IPv4 too (dual stack), so DNAT targets and every address of the node answer.
          srv.listen({ port, host: '::', ipv6Only: false }, () => resolve());
        }),
    ),
  ).then(() => undefined);
}

export const tcpAgent: ProtocolAgent = { attempt, serve };
