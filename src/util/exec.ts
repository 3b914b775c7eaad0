import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { LabError } from '../errors.js';

/**
 * The one command runner. Every external program asymlab runs goes through here, as an argv array
 * (never a shell string), tagged with the node it acts on so every log line can name it.
 *
 * node:child_process, not execa, on this hot path: the lab engine spawns hundreds of short processes,
 * and execa costs 1.6x as much per spawn here (bench/spawn-cost.mjs: 4.0 ms against 2.5 ms), so the
 * package does not depend on it (docs/architecture.md).
 *
 * Every child runs in a process group of its own (detached), so a terminal's Ctrl-C reaches the CLI
 * alone and the CLI decides the order of teardown: `interruptChildren` ends the children by PID and
 * refuses new ones, `settleChildren` waits until every child has exited, and only then is the lab
 * swept, so a daemon that a child was still starting cannot be born after the sweep.
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
  /** Part of a teardown: still started after an interrupt, and not ended by it. */
  teardown?: boolean;
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
  constructor(result: CommandResult, kind: 'runtime' | 'interrupted' = 'runtime') {
    const who = result.node ? `[${result.node}] ` : '';
    const err = result.stderr.trim().split('\n').slice(-5).join('\n    ');
    const why = kind === 'interrupted' ? 'cut short by the interrupt' : describeExit(result);
    super(kind, `${who}${result.argv.join(' ')}: ${why}${err ? `\n    ${err}` : ''}`);
    this.result = result;
  }
}

/** Children that have not exited yet; `teardown` ones are not ended by an interrupt. */
const live = new Map<ChildProcess, { teardown: boolean; exited: Promise<void> }>();
/** Children that `interruptChildren` ended: their failure is the interrupt's, not theirs. */
const cutShort = new WeakSet<ChildProcess>();
let interrupted = false;
let exitHook = false;

function track(child: ChildProcess, teardown: boolean): void {
  if (child.pid === undefined) return; // never started: 'error' reports why
  let done!: () => void;
  live.set(child, { teardown, exited: new Promise<void>((r) => (done = r)) });
  child.once('exit', () => {
    live.delete(child);
    done();
  });
  if (!exitHook) {
    // Detached children outlive the CLI unless ended; a CLI that exits (second Ctrl-C, a crash) ends them.
    exitHook = true;
    process.once('exit', () => {
      for (const c of live.keys()) signalChild(c, 'SIGTERM');
    });
  }
}

function signalChild(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(child.pid, sig);
  } catch {
    /* exited meanwhile */
  }
}

function refusal(argv: string[], opts: { node?: string; teardown?: boolean }): LabError | undefined {
  if (!interrupted || opts.teardown) return undefined;
  return new LabError('interrupted', `${opts.node ? `[${opts.node}] ` : ''}${argv.join(' ')}: not started: interrupted`);
}

/**
 * Ctrl-C: from now on no child starts but a teardown's, and every running one gets SIGTERM by PID.
 * Process-wide, like the signal itself; the CLI calls it once the abort has fired.
 */
export function interruptChildren(): void {
  interrupted = true;
  for (const [child, t] of live) {
    if (t.teardown) continue;
    cutShort.add(child);
    signalChild(child, 'SIGTERM');
  }
}

/**
 * After an interrupt, resolves once every child it cut short has exited (SIGKILL after `graceMs`),
 * so whatever they forked exists and a sweep finds it. Without an interrupt it resolves at once:
 * other labs of this process may have children running.
 */
export async function settleChildren(graceMs = 3000): Promise<void> {
  if (!interrupted) return;
  const waiting = [...live].filter(([, t]) => !t.teardown);
  if (!waiting.length) return;
  const all = Promise.all(waiting.map(([, t]) => t.exited));
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([all.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
  clearTimeout(timer);
  if (!late) return;
  for (const [child] of waiting) if (live.has(child)) signalChild(child, 'SIGKILL');
  await all;
}

/** The stdin of a child that exits without reading it (EPIPE) must not crash the CLI: the exit status tells. */
function feed(child: ChildProcess, input: string): void {
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(input);
}

export const run: Runner = (argv, opts = {}) => {
  const refused = refusal(argv, opts);
  if (refused) return Promise.reject(refused);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const maxBytes = opts.maxBufferBytes ?? 64 * 1024 * 1024;
    const child = spawn(argv[0], argv.slice(1), {
      env: opts.env ?? process.env,
      detached: true,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    track(child, opts.teardown === true);
    let stdout = '';
    let stderr = '';
    let overflow = false;
    const collect = (add: (d: string) => void) => (d: string) => {
      add(d);
      if (stdout.length + stderr.length > maxBytes && !overflow) {
        overflow = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout?.setEncoding('utf8').on('data', collect((d) => (stdout += d)));
    child.stderr?.setEncoding('utf8').on('data', collect((d) => (stderr += d)));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs) : undefined;
    let settled = false;
    const finish = (exitCode: number | null, signal: string | null, spawnError?: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      const notFound = spawnError?.code === 'ENOENT';
      const result: CommandResult = {
        argv,
        node: opts.node,
        exitCode: notFound ? 127 : exitCode,
        signal,
        stdout,
        stderr: notFound ? `${argv[0]}: command not found` : spawnError ? `${stderr}${String(spawnError)}` : overflow ? `${stderr}\noutput exceeded ${maxBytes} bytes` : stderr,
        durationMs: performance.now() - started,
        failed: spawnError !== undefined || overflow || exitCode !== 0,
      };
      // A command the interrupt cut short did not fail on its own: say so, whatever `reject` asks.
      if (result.failed && cutShort.has(child)) reject(new CommandError(result, 'interrupted'));
      else if (result.failed && opts.reject !== false) reject(new CommandError(result));
      else resolve(result);
    };
    child.on('close', (code, signal) => finish(code, signal));
    child.on('error', (err) => finish(null, null, err));
    if (opts.input !== undefined) feed(child, opts.input);
  });
};

/**
 * A long-running process (tcpdump, a flow server). The caller ends it by PID through `stop`.
 * After an interrupt none starts: `spawnBackground` throws LabError('interrupted').
 */
export interface Background {
  argv: string[];
  node?: string;
  pid: number;
  child: ChildProcess;
  /** Resolves when the process exits, with what it wrote to stderr. */
  exited: Promise<{ exitCode: number | null; signal: string | null; stderr: string; stdout: string }>;
  stop(signal?: NodeJS.Signals): Promise<{ exitCode: number | null; signal: string | null; stderr: string; stdout: string }>;
}

export type Spawner = (
  argv: string[],
  opts?: {
    node?: string;
    env?: NodeJS.ProcessEnv;
    captureStdout?: boolean;
    /** Streams stdout, as bytes, into this file (a capture over an exec channel: `tcpdump -w -`); `exited` waits for it. */
    stdoutFile?: string;
  },
) => Background;

export const spawnBackground: Spawner = (argv, opts = {}) => {
  const refused = refusal(argv, opts);
  if (refused) throw refused;
  const child = spawn(argv[0], argv.slice(1), {
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', opts.captureStdout || opts.stdoutFile ? 'pipe' : 'ignore', 'pipe'],
  });
  track(child, false);
  let stderr = '';
  let stdout = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const file = opts.stdoutFile ? createWriteStream(opts.stdoutFile) : undefined;
  const written = file ? new Promise<void>((r) => file.once('close', () => r())) : Promise.resolve();
  file?.on('error', (e) => (stderr += `\nwriting ${opts.stdoutFile}: ${String(e)}`));
  if (file) child.stdout?.pipe(file);
  else child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const exited = new Promise<{ exitCode: number | null; signal: string | null; stderr: string; stdout: string }>((resolve) => {
    child.on('close', (exitCode, signal) => void written.then(() => resolve({ exitCode, signal, stderr, stdout })));
    child.on('error', (err) => {
      stderr += String(err);
      file?.end();
      resolve({ exitCode: 127, signal: null, stderr, stdout });
    });
  });
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
