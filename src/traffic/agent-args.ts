/**
 * The flow agent's command line, built by the flow runner and parsed by the agent. Every value
 * travels inside one `--key=value` argument, so a value can never be read as an option: a flow
 * named `--count` or `-x` stays a flow name. The parser takes only the options of its mode, each
 * once (`--port` of the server may repeat), and rejects anything else. Pure.
 */
import type { ClientSpec, ProtocolName } from '../protocols/protocol.js';

export type AgentCommand =
  | { mode: 'client'; protocol: string; spec: ClientSpec }
  | { mode: 'server'; protocol: string; ports: number[] };

export const AGENT_USAGE =
  'usage: agent.js server --protocol=P --port=N [--port=N ...]\n' +
  '       agent.js client --protocol=P --flow=NAME --address=A --port=N [--source=S] --source-port=N [--fixed-source-port=1] --count=N --timeout-ms=N [--size=N]\n' +
  '                       [--await-go=1] [--start-ms=N] [--duration-ms=N --interval-ms=N]';

const CLIENT_OPTIONS = ['protocol', 'flow', 'address', 'port', 'source', 'source-port', 'fixed-source-port', 'count', 'timeout-ms', 'size', 'await-go', 'start-ms', 'duration-ms', 'interval-ms'] as const;
const SERVER_OPTIONS = ['protocol', 'port'] as const;

export function clientArgv(protocol: ProtocolName, s: ClientSpec): string[] {
  return [
    'client',
    `--protocol=${protocol}`,
    `--flow=${s.flow}`,
    `--address=${s.address}`,
    `--port=${s.port}`,
    `--source-port=${s.sourcePort}`,
    `--count=${s.count}`,
    `--timeout-ms=${s.timeoutMs}`,
    ...(s.source !== undefined ? [`--source=${s.source}`] : []),
    ...(s.fixedSourcePort ? ['--fixed-source-port=1'] : []),
    ...(s.size !== undefined ? [`--size=${s.size}`] : []),
    ...(s.awaitGo ? ['--await-go=1'] : []),
    ...(s.startMs !== undefined ? [`--start-ms=${s.startMs}`] : []),
    ...(s.durationMs !== undefined ? [`--duration-ms=${s.durationMs}`, `--interval-ms=${s.intervalMs ?? 100}`] : []),
  ];
}

export function serverArgv(protocol: ProtocolName, ports: number[]): string[] {
  return ['server', `--protocol=${protocol}`, ...ports.map((p) => `--port=${p}`)];
}

export class AgentUsageError extends Error {
  override name = 'AgentUsageError';
}

/** `--key=value` arguments into a map of value lists; anything else, or an option not in `known`, is an error. */
function options(args: string[], known: readonly string[], repeatable: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const arg of args) {
    const m = /^--([a-z][a-z-]*)=(.*)$/s.exec(arg);
    if (!m) throw new AgentUsageError(`unexpected argument ${JSON.stringify(arg)}: every option is --name=value`);
    const [, key, value] = m;
    if (!known.includes(key)) throw new AgentUsageError(`unknown option --${key}`);
    const seen = out.get(key);
    if (seen && !repeatable.includes(key)) throw new AgentUsageError(`option --${key} given twice`);
    out.set(key, [...(seen ?? []), value]);
  }
  return out;
}

function text(opts: Map<string, string[]>, key: string): string {
  const v = opts.get(key)?.[0];
  if (v === undefined) throw new AgentUsageError(`option --${key} is required`);
  return v;
}

function integerOf(key: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new AgentUsageError(`--${key}=${value}: expected an integer from ${min} to ${max}`);
  return n;
}

const integer = (opts: Map<string, string[]>, key: string, min: number, max: number) => integerOf(key, text(opts, key), min, max);

export function parseAgentArgs(argv: string[]): AgentCommand {
  const [mode, ...rest] = argv;
  if (mode === 'server') {
    const opts = options(rest, SERVER_OPTIONS, ['port']);
    const ports = (opts.get('port') ?? []).map((v) => integerOf('port', v, 1, 65535));
    if (ports.length === 0) throw new AgentUsageError('option --port is required');
    return { mode, protocol: text(opts, 'protocol'), ports };
  }
  if (mode === 'client') {
    const opts = options(rest, CLIENT_OPTIONS, []);
    const source = opts.get('source')?.[0];
    const spec: ClientSpec = {
      flow: text(opts, 'flow'),
      address: text(opts, 'address'),
      // 0: a protocol without ports (ICMP).
      port: integer(opts, 'port', 0, 65535),
      ...(source !== undefined ? { source } : {}),
      sourcePort: integer(opts, 'source-port', 0, 65535),
      ...(opts.has('fixed-source-port') ? { fixedSourcePort: integer(opts, 'fixed-source-port', 0, 1) === 1 } : {}),
      count: integer(opts, 'count', 1, 1_000_000),
      timeoutMs: integer(opts, 'timeout-ms', 1, 86_400_000),
      ...(opts.has('size') ? { size: integer(opts, 'size', 1, 65_000) } : {}),
      ...(opts.has('await-go') ? { awaitGo: integer(opts, 'await-go', 0, 1) === 1 } : {}),
      ...(opts.has('start-ms') ? { startMs: integer(opts, 'start-ms', 0, 3_600_000) } : {}),
      ...(opts.has('duration-ms') ? { durationMs: integer(opts, 'duration-ms', 1, 3_600_000) } : {}),
      ...(opts.has('interval-ms') ? { intervalMs: integer(opts, 'interval-ms', 1, 3_600_000) } : {}),
    };
    return { mode, protocol: text(opts, 'protocol'), spec };
  }
  throw new AgentUsageError(mode === undefined ? 'no mode given' : `unknown mode ${JSON.stringify(mode)}`);
}
