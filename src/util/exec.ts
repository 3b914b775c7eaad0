import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { LabError } from '../errors.js';

/**
 * The one command runner. Every external program asymlab runs goes through here, as an argv array
 * (never a shell string), tagged with the node it acts on so every log line can name it.
 *
 * execFile, not execa, on this hot path: the lab engine spawns hundreds of short processes and
 * execa costs ~40 % more per spawn on this machine. execa stays for the CLI's long-lived helpers.
 */
export interface CommandResult {
  argv: string[];
  node?: string;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  failed: boolean;
}

export interface RunOptions {
  node?: string;
  input?: string;
  timeoutMs?: number;
  /** Resolve with the result instead of throwing when the command fails. */
  reject?: boolean;
  env?: NodeJS.ProcessEnv;
  maxBufferBytes?: number;
}

export type Runner = (argv: string[], opts?: RunOptions) => Promise<CommandResult>;

const exitWords: Record<number, string> = {
  126: 'command not executable',
  127: 'command not found',
  130: 'interrupted',
  137: 'killed',
};

export function describeExit(r: Pick<CommandResult, 'exitCode' | 'signal'>): string {
  if (r.signal) return `killed by ${r.signal}`;
  if (r.exitCode === null) return 'did not exit';
  return `exit code ${r.exitCode}${exitWords[r.exitCode] ? ` (${exitWords[r.exitCode]})` : ''}`;
}

export class CommandError extends LabError {
  readonly result: CommandResult;
  constructor(result: CommandResult) {
    const who = result.node ? `[${result.node}] ` : '';
    const err = result.stderr.trim().split('\n').slice(-5).join('\n    ');
    super('runtime', `${who}${result.argv.join(' ')}: ${describeExit(result)}${err ? `\n    ${err}` : ''}`);
    this.result = result;
  }
}

export const run: Runner = (argv, opts = {}) =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const child = execFile(
      argv[0],
      argv.slice(1),
      {
        timeout: opts.timeoutMs ?? 0,
        maxBuffer: opts.maxBufferBytes ?? 64 * 1024 * 1024,
        env: opts.env ?? process.env,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const e = error as (NodeJS.ErrnoException & { code?: unknown; signal?: string | null }) | null;
        let exitCode: number | null = 0;
        if (e) exitCode = typeof e.code === 'number' ? e.code : e.code === 'ENOENT' ? 127 : null;
        const result: CommandResult = {
          argv,
          node: opts.node,
          exitCode,
          signal: e?.signal ?? null,
          stdout: String(stdout ?? ''),
          stderr: e?.code === 'ENOENT' ? `${argv[0]}: command not found` : String(stderr ?? ''),
          durationMs: performance.now() - started,
          failed: e !== null,
        };
        if (result.failed && opts.reject !== false) reject(new CommandError(result));
        else resolve(result);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });

/** A long-running process (tcpdump, a flow server). The caller ends it by PID through `stop`. */
export interface Background {
  argv: string[];
  node?: string;
  pid: number;
  child: ChildProcess;
  /** Resolves when the process exits, with what it wrote to stderr. */
  exited: Promise<{ exitCode: number | null; signal: string | null; stderr: string; stdout: string }>;
  stop(signal?: NodeJS.Signals): Promise<{ exitCode: number | null; signal: string | null; stderr: string; stdout: string }>;
}

export type Spawner = (argv: string[], opts?: { node?: string; env?: NodeJS.ProcessEnv; captureStdout?: boolean }) => Background;

export const spawnBackground: Spawner = (argv, opts = {}) => {
  const child = spawn(argv[0], argv.slice(1), {
    env: opts.env ?? process.env,
    stdio: ['ignore', opts.captureStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const exited = new Promise<{ exitCode: number | null; signal: string | null; stderr: string; stdout: string }>((resolve) => {
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal, stderr, stdout }));
    child.on('error', (err) => {
      stderr += String(err);
      resolve({ exitCode: 127, signal: null, stderr, stdout });
    });
  });
  if (child.pid === undefined) {
    // spawn failed synchronously (ENOENT); `exited` carries the reason.
  }
  return {
    argv,
    node: opts.node,
    pid: child.pid ?? -1,
    child,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) child.kill(signal);
      return exited;
    },
  };
};
