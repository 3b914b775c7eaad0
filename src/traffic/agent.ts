/**
 * The flow agent: a tiny program run inside a node's namespace (`ip netns exec NS node agent.js`).
 * `server PORT...` echoes every connection's bytes back; `client ...` makes real kernel TCP
 * connections and prints one JSON record per attempt. Nothing is crafted: the packets are the
 * kernel's own.
 */
import net from 'node:net';

interface ClientArgs {
  flow: string;
  address: string;
  port: number;
  source?: string;
  /** The first source port; attempt i uses sourcePort + i, so the 5-tuple is known even when no answer comes. */
  sourcePort: number;
  count: number;
  timeoutMs: number;
}

function attempt(a: ClientArgs, i: number): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const startedAt = Date.now() / 1000;
    const t0 = performance.now();
    const payload = `asymlab ${a.flow} ${i}\n`;
    let echoed = '';
    let connectMs: number | undefined;
    let done = false;
    const socket = net.connect({ host: a.address, port: a.port, localAddress: a.source ?? (a.address.includes(':') ? '::' : '0.0.0.0'), localPort: a.sourcePort + i, family: a.address.includes(':') ? 6 : 4 });
    const finish = (outcome: string, errorCode?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const rec = {
        attempt: i,
        srcAddress: socket.localAddress ?? a.source ?? '',
        srcPort: a.sourcePort + i,
        dstAddress: a.address,
        dstPort: a.port,
        outcome,
        errorCode,
        echoed: echoed === payload,
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

async function client(a: ClientArgs): Promise<void> {
  for (let i = 0; i < a.count; i++) {
    const rec = await attempt(a, i);
    process.stdout.write(`${JSON.stringify({ flow: a.flow, ...rec })}\n`);
  }
}

function server(ports: number[]): void {
  let ready = 0;
  for (const port of ports) {
    const srv = net.createServer((sock) => {
      sock.on('data', (d) => sock.write(d));
      sock.on('end', () => sock.end());
      sock.on('error', () => sock.destroy());
    });
    // '::' takes IPv4 too (dual stack), so DNAT targets and every address of the node answer.
    srv.listen({ port, host: '::', ipv6Only: false }, () => {
      ready++;
      if (ready === ports.length) process.stdout.write(`${JSON.stringify({ ready: ports })}\n`);
    });
    srv.on('error', (e) => {
      process.stdout.write(`${JSON.stringify({ error: String(e), port })}\n`);
      process.exit(1);
    });
  }
  process.on('SIGTERM', () => process.exit(0));
}

function parseClient(argv: string[]): ClientArgs {
  const get = (k: string) => {
    const i = argv.indexOf(`--${k}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    flow: get('flow') ?? 'flow',
    address: get('address') ?? '',
    port: Number(get('port')),
    source: get('source'),
    sourcePort: Number(get('source-port') ?? 0),
    count: Number(get('count') ?? 1),
    timeoutMs: Number(get('timeout-ms') ?? 3000),
  };
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'server') server(rest.map(Number));
else if (mode === 'client') await client(parseClient(rest));
else {
  process.stderr.write('usage: agent.js server PORT... | client --flow NAME --address A --port P [--source S] --source-port SP --count N --timeout-ms MS\n');
  process.exit(2);
}
