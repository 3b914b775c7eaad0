/**
 * The UDP side of the flow agent. The client sends one datagram per attempt from a known source
 * port (the same one every attempt when the flow fixes it, as IKE does) on a connected socket, so
 * the kernel hands it the ICMP errors that come back, and waits for the echo. The server answers
 * each datagram from the address and port it was sent to, with the payload's first byte turned
 * from Q to R: request and reply then differ on the wire, where NAT cannot touch them.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { payloadDigest } from '../pcap/transport.js';
import type { AttemptResult, ClientSpec, ProtocolAgent } from './protocol.js';

const REQUEST = 0x51; // Q
const REPLY = 0x52; // R

/** `Q<random> asymlab <flow> <i>`, dot-padded (or cut) to `size` bytes: the random part tells attempts apart. */
export function requestPayload(flow: string, i: number, size?: number): Buffer {
  const text = `Q${randomBytes(6).toString('hex')} asymlab ${flow} ${i}\n`;
  const body = Buffer.from(text.replace(/[^\x20-\x7e\n]/g, '?'));
  if (size === undefined) return body;
  const out = Buffer.alloc(size, '.');
  body.copy(out, 0, 0, Math.min(size, body.length));
  return out;
}

export function replyPayload(request: Buffer): Buffer {
  const out = Buffer.from(request);
  if (out[0] === REQUEST) out[0] = REPLY;
  return out;
}

const digestOf = (b: Buffer) => payloadDigest(b, 0, b.length);

/** errno of an ICMP error on a connected UDP socket -> outcome: every one of them says unreachable. */
function outcomeOf(code: string): AttemptResult['outcome'] {
  return ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EMSGSIZE', 'EACCES', 'EPERM'].includes(code) ? 'unreachable' : 'error';
}

function attempt(a: ClientSpec, i: number): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const startedAt = Date.now() / 1000;
    const t0 = performance.now();
    const v6 = a.address.includes(':');
    const srcPort = a.fixedSourcePort ? a.sourcePort : a.sourcePort + i;
    const request = requestPayload(a.flow, i, a.size);
    const reply = replyPayload(request);
    const sock = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4' });
    let done = false;
    let replyMs: number | undefined;
    const finish = (outcome: AttemptResult['outcome'], errorCode?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      let srcAddress = a.source ?? '';
      try {
        srcAddress = sock.address().address;
      } catch {
        /* never bound */
      }
      try {
        sock.close();
      } catch {
        /* closed */
      }
      resolve({
        attempt: i,
        srcAddress: srcAddress === '0.0.0.0' || srcAddress === '::' ? '' : srcAddress,
        srcPort,
        dstAddress: a.address,
        dstPort: a.port,
        outcome,
        ...(errorCode ? { errorCode } : {}),
        echoed: outcome === 'connected',
        payloadDigests: [digestOf(request)!, digestOf(reply)!],
        ...(a.size !== undefined ? { size: a.size } : {}),
        startedAt,
        ...(replyMs !== undefined ? { connectMs: replyMs } : {}),
        totalMs: performance.now() - t0,
      });
    };
    const timer = setTimeout(() => finish('timeout', 'ETIMEDOUT'), a.timeoutMs);
    sock.on('error', (e: NodeJS.ErrnoException) => finish(outcomeOf(e.code ?? 'ERROR'), e.code ?? 'ERROR'));
    sock.on('message', (m) => {
      // A late echo of an earlier attempt from the same fixed port is not this attempt's.
      if (!m.equals(reply)) return;
      replyMs = performance.now() - t0;
      finish('connected');
    });
    sock.bind({ port: srcPort, ...(a.source ? { address: a.source } : {}), exclusive: true }, () => {
      // Node passes a connect error to the callback, though its types say nothing of it.
      sock.connect(a.port, a.address, ((err?: NodeJS.ErrnoException) => {
        if (err) return finish(outcomeOf(err.code ?? 'ERROR'), err.code);
        sock.send(request, (e) => e && finish(outcomeOf((e as NodeJS.ErrnoException).code ?? 'ERROR'), (e as NodeJS.ErrnoException).code));
      }) as () => void);
    });
  });
}

/** The node's own addresses, link-local ones aside: one socket each, so a reply leaves from the address the request went to. */
function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && !i.address.startsWith('fe80:'))
    .map((i) => i!.address);
}

function serve(ports: number[]): Promise<void> {
  const binds = ports.flatMap((port) => localAddresses().map((address) => ({ port, address })));
  return Promise.all(
    binds.map(
      ({ port, address }) =>
        new Promise<void>((resolve, reject) => {
          const sock = address.includes(':') ? dgram.createSocket({ type: 'udp6', ipv6Only: true }) : dgram.createSocket('udp4');
          sock.on('message', (m, from) => sock.send(replyPayload(m), from.port, from.address));
          sock.once('error', (e) => reject(Object.assign(e, { port })));
          sock.bind({ port, address, exclusive: true }, () => {
            sock.removeAllListeners('error');
            sock.on('error', () => undefined);
            resolve();
          });
        }),
    ),
  ).then(() => undefined);
}

export const udpAgent: ProtocolAgent = { attempt, serve };
