import type Dockerode from 'dockerode';
import { CommandError, type CommandResult } from '../../util/exec.js';
import { isTimeout, notYet, ready, waitFor } from '../../util/wait-for.js';
import { Demuxer } from './demux.js';

export interface ContainerExecOptions {
  /** The lab node, for messages. */
  node?: string;
  input?: string;
  timeoutMs?: number;
  /** Resolve with the failed result instead of throwing. */
  reject?: boolean;
  /** Added to the process's environment (a node's `env:` for its exec lines). */
  env?: Record<string, string>;
}

/** After a timeout's SIGTERM, how long the process has before SIGKILL. */
const KILL_GRACE_MS = 2000;

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    if (pid > 0) process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** `undefined` for a wait that ran out of time; any other error stands. */
const orUndefinedOnTimeout = (e: unknown): undefined => {
  if (isTimeout(e)) return undefined;
  throw e;
};

/** The exec's process, ended from the host by the PID docker reports (the process we started). */
async function endExec(exec: Dockerode.Exec): Promise<void> {
  const info = await exec.inspect().catch(() => undefined);
  if (!info?.Running) return;
  kill(info.Pid, 'SIGTERM');
  const gone = await waitFor(
    async () => {
      const now = await exec.inspect().catch(() => undefined);
      return now?.Running ? notYet(`PID ${now.Pid} running`) : ready(true);
    },
    { description: `PID ${info.Pid} to end after SIGTERM`, timeoutMs: KILL_GRACE_MS },
  ).catch(orUndefinedOnTimeout);
  if (gone) return;
  const again = await exec.inspect().catch(() => undefined);
  if (again?.Running) kill(again.Pid, 'SIGKILL');
}

/** Docker sets the exit code a moment after the output stream closes; wait for it (bounded). */
async function exitCodeOf(exec: Dockerode.Exec): Promise<number | null> {
  const code = await waitFor(
    async () => {
      const info = await exec.inspect();
      return info.Running ? notYet('still running') : ready(info.ExitCode);
    },
    { description: 'docker to report the exit code', timeoutMs: 5000, intervalMs: 10 },
  ).catch(orUndefinedOnTimeout);
  return code ?? null;
}

/**
 * Runs argv inside a container, with the runner's result shape and failure rule: the same fields
 * whether it failed or not, CommandError on failure unless `reject: false`. The argv shown in
 * results is `docker exec <container> ...` so messages say where it ran.
 */
export async function execInContainer(docker: Dockerode, container: string, argv: string[], opts: ContainerExecOptions = {}): Promise<CommandResult> {
  const started = performance.now();
  const shown = ['docker', 'exec', container, ...argv];
  const withInput = opts.input !== undefined;
  const demux = new Demuxer();
  let signal: string | null = null;
  let exitCode: number | null = null;
  let apiError = '';
  let timer: NodeJS.Timeout | undefined;
  try {
    const env = opts.env ? { Env: Object.entries(opts.env).map(([k, v]) => `${k}=${v}`) } : {};
    const exec = await docker.getContainer(container).exec({ Cmd: argv, AttachStdin: withInput, AttachStdout: true, AttachStderr: true, Tty: false, ...env });
    const stream = await exec.start({ hijack: withInput, stdin: withInput });
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('data', (c: Buffer) => demux.push(c));
      stream.once('end', () => resolve());
      stream.once('close', () => resolve());
      stream.once('error', reject);
    });
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        signal = 'SIGTERM';
        void endExec(exec);
      }, opts.timeoutMs);
    }
    // Closing our write side is docker's end-of-file on the process's stdin.
    if (withInput) stream.end(opts.input);
    await ended;
    const code = await exitCodeOf(exec);
    exitCode = signal ? null : code;
  } catch (err) {
    apiError = `docker: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    clearTimeout(timer);
  }
  const stderr = [demux.stderr, apiError].filter(Boolean).join('\n');
  const result: CommandResult = {
    argv: shown,
    node: opts.node,
    exitCode,
    signal,
    stdout: demux.stdout,
    stderr,
    durationMs: performance.now() - started,
    failed: apiError !== '' || signal !== null || exitCode !== 0,
  };
  if (result.failed && opts.reject !== false) throw new CommandError(result);
  return result;
}

/** The streams `interactiveInContainer` attaches; this process's own unless a test gives others. */
export interface InteractiveIo {
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const processIo = (): InteractiveIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

/**
 * Runs argv inside a container with a terminal attached: stdin flows in, stdout and stderr flow
 * out as they come (a pseudo-terminal when ours is one, so vtysh or a shell work as by `docker exec
 * -it`). Resolves with the exit code; a failure of the docker API is 126 with its message on stderr.
 */
export async function interactiveInContainer(docker: Dockerode, container: string, argv: string[], io: InteractiveIo = processIo()): Promise<number> {
  const stdin = io.stdin as NodeJS.ReadStream;
  const tty = stdin.isTTY === true && (io.stdout as NodeJS.WriteStream).isTTY === true;
  try {
    const exec = await docker.getContainer(container).exec({ Cmd: argv, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: tty });
    const stream = await exec.start({ hijack: true, stdin: true, Tty: tty });
    const out = io.stdout as NodeJS.WriteStream;
    if (tty) {
      stdin.setRawMode(true);
      if (out.columns && out.rows) await exec.resize({ h: out.rows, w: out.columns }).catch(() => undefined);
      stream.pipe(io.stdout, { end: false });
    } else {
      docker.modem.demuxStream(stream, io.stdout, io.stderr);
    }
    // The end of our stdin is the end of the process's (the stream's write side closes).
    stdin.pipe(stream);
    try {
      await new Promise<void>((resolve, reject) => {
        stream.once('end', () => resolve());
        stream.once('close', () => resolve());
        stream.once('error', reject);
      });
    } finally {
      stdin.unpipe(stream);
      if (tty) stdin.setRawMode(false);
      // Stop reading, so our stdin does not keep this process alive after the exec.
      stdin.pause();
    }
    return (await exitCodeOf(exec)) ?? 1;
  } catch (err) {
    io.stderr.write(`docker: ${err instanceof Error ? err.message : String(err)}\n`);
    return 126;
  }
}
