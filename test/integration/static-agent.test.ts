/**
 * The static flow agent (agent/asymlab-agent.c, for nodes reached only through an exec channel)
 * against asymlab's Node.js agent, in a network namespace of this test's own: the same arguments
 * must give the same records (outcome, error code, echo, ports, addresses, sizes) for TCP, UDP and
 * ICMP, connected, refused, unreachable and timed out, and each agent's echo servers must answer
 * the other's clients. Also built here from source, into a folder of the test's.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT } from '../../src/traffic/flows.js';
import { clientArgv, serverArgv } from '../../src/traffic/agent-args.js';
import { ensureStaticAgent } from '../../src/traffic/static-agent.js';
import { run } from '../../src/util/exec.js';
import type { ProtocolName } from '../../src/protocols/names.js';
import { canBuildLabs, whyNoLabs } from '../helpers/machine.js';

const NS = `h13-agent-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'asymlab-static-agent-'));
const BIN = join(dir, 'asymlab-agent');
const hasCc = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v cc'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const why = !canBuildLabs ? whyNoLabs : !hasCc ? 'no C compiler (cc)' : undefined;

const inNs = (argv: string[]) => ['ip', 'netns', 'exec', NS, ...argv];
const servers: { kill(): void }[] = [];

async function serve(agent: string[], protocol: ProtocolName, port: number): Promise<void> {
  const p = spawn(inNs([...agent, ...serverArgv(protocol, [port])])[0], inNs([...agent, ...serverArgv(protocol, [port])]).slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(p);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"ready"')) resolve();
      if (out.includes('"error"')) reject(new Error(out));
    });
    p.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

interface Rec {
  outcome: string;
  errorCode?: string;
  echoed: boolean;
  srcAddress: string;
  srcPort: number;
  dstAddress: string;
  dstPort: number;
  size?: number;
  payloadDigests?: number[];
  connectMs?: number;
  flow: string;
}

async function client(agent: string[], protocol: ProtocolName, address: string, port: number, sourcePort: number, extra: { size?: number; timeoutMs?: number; count?: number } = {}): Promise<Rec[]> {
  const argv = clientArgv(protocol, { flow: 'f "q"\\x', address, port, sourcePort, count: extra.count ?? 1, timeoutMs: extra.timeoutMs ?? 1000, ...(extra.size ? { size: extra.size } : {}) });
  const r = await run(inNs([...agent, ...argv]), { timeoutMs: 20_000 });
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);
}

/** What must agree; the source port relative to the first asked for, as each agent got its own range. */
const essence = (r: Rec, base: number) => ({
  flow: r.flow,
  outcome: r.outcome,
  errorCode: r.errorCode,
  echoed: r.echoed,
  // as the flow runner reads it (src/traffic/flows.ts)
  srcAddress: r.srcAddress ? r.srcAddress.replace(/^::ffff:/, '') : '',
  srcPort: r.srcPort - base,
  dstAddress: r.dstAddress,
  dstPort: r.dstPort === r.srcPort ? 'id' : r.dstPort,
  size: r.size,
  digests: r.payloadDigests?.length,
  answered: r.connectMs !== undefined,
});

describe.skipIf(why !== undefined)(`the static flow agent answers as the Node.js agent${why ? ` (skipped: ${why})` : ''}`, () => {
  const NODE = [process.execPath, AGENT];
  const STATIC = [BIN];

  beforeAll(async () => {
    writeFileSync(BIN, await ensureStaticAgent(run, { cacheDir: dir }));
    chmodSync(BIN, 0o755);
    execFileSync('ip', ['netns', 'add', NS]);
    execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    // a port whose SYNs vanish: a timeout, not a refusal
    execFileSync('ip', ['netns', 'exec', NS, 'iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '7009', '-j', 'DROP']);
    await serve(NODE, 'tcp', 7001);
    await serve(STATIC, 'tcp', 7101);
    await serve(NODE, 'udp', 7001);
    await serve(STATIC, 'udp', 7101);
  });

  afterAll(() => {
    for (const s of servers) s.kill();
    if (existsSync(`/var/run/netns/${NS}`)) execFileSync('ip', ['netns', 'delete', NS]);
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, ProtocolName, string, number, { size?: number; timeoutMs?: number; count?: number }?][] = [
    ['tcp to the Node.js server', 'tcp', '127.0.0.1', 7001],
    ['tcp to the static server', 'tcp', '127.0.0.1', 7101, { count: 2 }],
    ['tcp over IPv6 to a dual-stack server', 'tcp', '::1', 7101],
    ['tcp of 1400 bytes', 'tcp', '127.0.0.1', 7001, { size: 1400 }],
    ['tcp refused', 'tcp', '127.0.0.1', 7002],
    ['tcp timed out', 'tcp', '127.0.0.1', 7009, { timeoutMs: 300 }],
    ['tcp with no route', 'tcp', '10.9.9.9', 7001],
    ['udp to the Node.js server', 'udp', '127.0.0.1', 7001, { count: 2 }],
    ['udp to the static server', 'udp', '127.0.0.1', 7101],
    ['udp of 1200 bytes over IPv6', 'udp', '::1', 7101, { size: 1200 }],
    ['udp to a closed port', 'udp', '127.0.0.1', 7003],
    ['udp with no route', 'udp', '10.9.9.9', 7001],
    ['icmp echo', 'icmp', '127.0.0.1', 0],
    ['icmp echo of 1000 bytes', 'icmp', '::1', 0, { size: 1000 }],
  ];

  let port = 30_000;
  it.each(cases)('%s', async (_what, protocol, address, dport, extra) => {
    const a = (port += 10);
    const b = (port += 10);
    const byNode = await client(NODE, protocol, address, dport, a, extra);
    const byStatic = await client(STATIC, protocol, address, dport, b, extra);
    expect(byStatic.map((r) => essence(r, b))).toEqual(byNode.map((r) => essence(r, a)));
  });
});
