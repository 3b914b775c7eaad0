/**
 * The flow agent's command line: user strings (flow names above all) travel as `--key=value`
 * values and come back unchanged, and the agent's parser refuses anything it does not know, so a
 * flow named `--count` can no longer turn into an option and start zero connections.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AgentUsageError, clientArgv, parseAgentArgs, serverArgv } from '../../src/traffic/agent-args.js';
import { flowArgv, sourcePortOf } from '../../src/traffic/flows.js';
import type { Flow } from '../../src/topology/types.js';

const flow = (name: string, extra: Partial<Flow> = {}): Flow => ({ name, from: 'client', toAddress: '10.9.0.10', toPort: 443, server: 'srv', count: 3, timeoutMs: 1500, trace: false, ...extra });

const NAMES = ['--count', '-x', 'a b', '--flow=evil', '--', '-', '=', 'line\nbreak', 'plain'];

describe('flow argv', () => {
  it.each(NAMES)('carries the flow name %j as a value, and the agent reads it back with every other value', (name) => {
    const argv = flowArgv(flow(name), 2);
    expect(argv).toContain(`--flow=${name}`);
    // Nothing but the mode stands alone: every other element is one --key=value.
    expect(argv.slice(1).every((a) => /^--[a-z-]+=/.test(a))).toBe(true);
    const cmd = parseAgentArgs(argv);
    expect(cmd).toEqual({
      mode: 'client',
      protocol: 'tcp',
      spec: { flow: name, address: '10.9.0.10', port: 443, sourcePort: sourcePortOf(2), count: 3, timeoutMs: 1500 },
    });
  });

  it('keeps the source address, an IPv6 destination, and a source written like an option', () => {
    const v6 = parseAgentArgs(flowArgv(flow('v6', { toAddress: '2001:db8::10', source: '2001:db8:1::10' }), 0));
    expect(v6).toMatchObject({ spec: { address: '2001:db8::10', source: '2001:db8:1::10', sourcePort: 20_000 } });
    const odd = parseAgentArgs(clientArgv('tcp', { flow: 'f', address: '-a', port: 1, source: '--count=0', sourcePort: 0, count: 1, timeoutMs: 1 }));
    expect(odd).toMatchObject({ spec: { address: '-a', source: '--count=0', count: 1 } });
  });

  it('builds the server command the agent reads', () => {
    expect(serverArgv('tcp', [443, 8443])).toEqual(['server', '--protocol=tcp', '--port=443', '--port=8443']);
    expect(parseAgentArgs(serverArgv('tcp', [443, 8443]))).toEqual({ mode: 'server', protocol: 'tcp', ports: [443, 8443] });
  });
});

describe("the agent's parser", () => {
  const good = clientArgv('tcp', { flow: 'web', address: '10.9.0.10', port: 443, sourcePort: 20000, count: 1, timeoutMs: 1000 });
  const refuses = (argv: string[], message: RegExp) => expect(() => parseAgentArgs(argv)).toThrow(message);

  it('refuses the old space-separated form instead of misreading a flow named --count', () => {
    const old = ['client', '--flow', '--count', '--address', '10.9.0.10', '--port', '443', '--source-port', '20000', '--count', '3', '--timeout-ms', '1000'];
    expect(() => parseAgentArgs(old)).toThrow(AgentUsageError);
    refuses(old, /unexpected argument "--flow": every option is --name=value/);
  });

  it('refuses unknown options, stray arguments, short options and repeats', () => {
    refuses([...good, '--bogus=1'], /unknown option --bogus/);
    refuses([...good, 'extra'], /unexpected argument "extra"/);
    refuses([...good, '-x'], /unexpected argument "-x"/);
    refuses([...good, '--count=2'], /option --count given twice/);
    refuses(['server', '--protocol=tcp', '--port=80', '--flow=x'], /unknown option --flow/);
  });

  it('refuses missing and malformed values', () => {
    refuses(good.filter((a) => !a.startsWith('--count=')), /option --count is required/);
    refuses(good.filter((a) => !a.startsWith('--protocol=')), /option --protocol is required/);
    refuses([...good.filter((a) => !a.startsWith('--count=')), '--count=0'], /--count=0: expected an integer from 1/);
    refuses([...good.filter((a) => !a.startsWith('--port=')), '--port=443x'], /--port=443x: expected an integer/);
    refuses([...good.filter((a) => !a.startsWith('--port=')), '--port=70000'], /--port=70000/);
    refuses(['server', '--protocol=tcp'], /option --port is required/);
  });

  it('refuses an unknown or missing mode', () => {
    refuses(['--count=1'], /unknown mode "--count=1"/);
    refuses([], /no mode given/);
  });
});

const AGENT_JS = fileURLToPath(new URL('../../dist/traffic/agent.js', import.meta.url));

describe.skipIf(!existsSync(AGENT_JS))('the compiled agent', () => {
  // It stops at the command line: no socket is opened, no packet sent.
  it('exits 2 with the usage on an unknown option, before any connection', () => {
    const r = spawnSync(process.execPath, [AGENT_JS, 'client', '--protocol=tcp', '--flow=web', '--bogus=1'], { encoding: 'utf8', timeout: 10_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown option --bogus[\s\S]*usage: agent\.js/);
  });

  it('exits 2 on a protocol it does not know, naming those it does', () => {
    const r = spawnSync(process.execPath, [AGENT_JS, ...serverArgv('tcp', [80]).map((a) => a.replace('tcp', 'sctp'))], { encoding: 'utf8', timeout: 10_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown flow protocol 'sctp'/);
  });
});
