/**
 * Reaching nodes only through an exec channel: a local program that runs a command inside a node
 * with stdin, stdout and stderr attached (`docker exec -i` today, `kubectl exec -i` for a
 * clabernetes pod tomorrow). Everything runs inside the node with the node's own tools, and three
 * things of asymlab's are carried over the channel:
 * - captures: `tcpdump -w FILE` becomes `tcpdump -w -` in the node, its stdout streamed into FILE;
 * - the flow agent: asymlab's Node.js agent becomes the static agent (agent/asymlab-agent.c, same
 *   arguments, same records), copied into the node before the flows and removed after;
 * - long-running processes are ended by their PID inside the node (a channel does not forward
 *   signals), which each reports on stderr as it starts.
 */
import { LabError } from '../errors.js';
import type { LabPlan, NodePlan } from '../plan/plan.js';
import { ensureStaticAgent } from '../traffic/static-agent.js';
import type { Background, CommandResult } from '../util/exec.js';
import { isTimeout, notYet, ready, waitFor } from '../util/wait-for.js';
import { checkTools } from './preflight.js';
import type { ExecOptions, RuntimeDeps } from './runtime.js';

export interface ExecChannel {
  /** What it is, for messages: `docker exec`. */
  name: string;
  /** Local programs it needs. */
  tools: string[];
  /** The local argv that runs `argv` inside node `n`, stdin, stdout and stderr attached, no terminal. */
  argv(n: NodePlan, argv: string[]): string[];
}

export interface ChannelParts {
  preflight(plan: LabPlan): Promise<void>;
  exec(n: NodePlan, argv: string[], opts?: ExecOptions): Promise<CommandResult>;
  spawn(n: NodePlan, argv: string[], opts?: { env?: NodeJS.ProcessEnv; captureStdout?: boolean }): Background;
  writeFiles(n: NodePlan, files: { path: string; content: string }[]): Promise<void>;
  /** Removes what the channel put in the nodes (the agent, written files). */
  cleanup(): Promise<void>;
}

/** The shell prelude of every long-running process: its PID first, so it can be ended inside the node. */
const WITH_PID = ['sh', '-c', 'echo "asymlab-pid $$" >&2; exec "$@"', 'sh'];
const PID_RE = /asymlab-pid (\d+)/;
/** Bounds on ending a process through the channel: generous, as a `docker exec` on a busy machine takes seconds. */
const STOP_MS = 30_000;

/** asymlab's Node.js flow agent, as the flow runner starts it (src/traffic/flows.ts). */
export function isNodeAgent(argv: readonly string[]): boolean {
  return argv[0] === process.execPath && (argv[1]?.endsWith('/traffic/agent.js') ?? false);
}

/** `tcpdump ... -w FILE` -> the same writing to stdout, and FILE; undefined for any other command. Pure. */
export function captureToStdout(argv: readonly string[]): { argv: string[]; file: string } | undefined {
  const w = argv.indexOf('-w');
  if (argv[0] !== 'tcpdump' || w < 0 || argv[w + 1] === undefined || argv[w + 1] === '-') return undefined;
  return { argv: [...argv.slice(0, w + 1), '-', ...argv.slice(w + 2)], file: argv[w + 1] };
}

export function execChannelParts(channel: ExecChannel, deps: RuntimeDeps): ChannelParts {
  const { run, spawn } = deps;
  /** Where the static agent is in each node it was copied to, by node name. */
  const agents = new Map<string, { n: NodePlan; dir: string }>();
  const written = new Map<string, { n: NodePlan; paths: Set<string> }>();
  const via = (n: NodePlan, argv: string[]) => channel.argv(n, argv);

  function translate(n: NodePlan, argv: string[]): string[] {
    if (!isNodeAgent(argv)) return argv;
    const agent = agents.get(n.node.name);
    if (!agent) throw new LabError('runtime', `[${n.node.name}] the flow agent was not copied into the node`, { hint: 'this is a bug in asymlab: please report it' });
    return [`${agent.dir}/asymlab-agent`, ...argv.slice(2)];
  }

  async function copyAgent(n: NodePlan, base64: string): Promise<void> {
    const dir = `/tmp/asymlab-${process.pid}-${n.ns}`;
    const script = 'umask 077 && mkdir -p "$1" && base64 -d > "$1/asymlab-agent" && chmod 700 "$1/asymlab-agent"';
    agents.set(n.node.name, { n, dir });
    const r = await run(via(n, ['sh', '-c', script, 'sh', dir]), { node: n.node.name, input: base64, reject: false, timeoutMs: 60_000 });
    if (r.failed) {
      throw new LabError('environment', `[${n.node.name}] could not copy the flow agent into the node through ${channel.name}: ${r.stderr.trim().slice(-300)}`, {
        hint: 'the node needs sh, base64, mkdir and a writable /tmp',
      });
    }
  }

  function spawnInNode(n: NodePlan, argv: string[], opts: { env?: NodeJS.ProcessEnv; captureStdout?: boolean } = {}): Background {
    const capture = captureToStdout(argv);
    const inner = capture?.argv ?? translate(n, argv);
    const bg = spawn(via(n, [...WITH_PID, ...inner]), { node: n.node.name, captureStdout: opts.captureStdout, ...(capture ? { stdoutFile: capture.file } : {}) });
    let err = '';
    bg.child.stderr?.on('data', (d: Buffer | string) => (err += d.toString()));
    let exitedAlready = false;
    void bg.exited.then(() => (exitedAlready = true));
    const clean = <T extends { stderr: string }>(r: T): T => ({ ...r, stderr: r.stderr.replace(/^asymlab-pid \d+\n/m, '') });
    let stopping: ReturnType<Background['stop']> | undefined;
    const inNode = (cmd: string[]) => run(via(n, cmd), { node: n.node.name, reject: false, teardown: true, timeoutMs: STOP_MS });
    const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
      const pid = await waitFor(() => (PID_RE.exec(err) ? ready(PID_RE.exec(err)![1]) : exitedAlready ? ready(undefined) : notYet('no PID yet')), {
        description: `[${n.node.name}] ${inner[0]} to report its PID`,
        timeoutMs: STOP_MS,
      }).catch((e: unknown) => {
        if (isTimeout(e)) return undefined;
        throw e;
      });
      if (pid !== undefined) {
        if (!exitedAlready) await inNode(['kill', `-${signal.replace(/^SIG/, '')}`, pid]);
        // The channel's program ends with the node's process; failing that, the process is gone when `kill -0` fails.
        const gone = await waitFor(async () => (exitedAlready || (await inNode(['kill', '-0', pid])).failed ? ready(true) : notYet(`PID ${pid} alive`)), {
          description: `[${n.node.name}] ${inner[0]} (PID ${pid} in the node) to end`,
          timeoutMs: STOP_MS,
          intervalMs: 100,
        }).catch((e: unknown) => {
          if (isTimeout(e)) return false;
          throw e;
        });
        if (!gone) await inNode(['kill', '-KILL', pid]);
      }
      const done = await Promise.race([bg.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), STOP_MS).unref())]);
      // The channel's own program, if it outlived the node's process (or that never said its PID).
      return clean(done ?? (await bg.stop('SIGKILL')));
    };
    return {
      ...bg,
      exited: bg.exited.then(clean),
      stop: (signal) => (stopping ??= stop(signal)),
    };
  }

  return {
    async preflight(plan) {
      await checkTools(channel.tools);
      // Only the nodes that send or answer flows get the agent.
      const names = new Set(plan.lab.flows.flatMap((f) => [f.from, f.server]));
      const needed = plan.nodes.filter((n) => names.has(n.node.name));
      if (!needed.length) return;
      const agent = await ensureStaticAgent(run);
      const base64 = agent.toString('base64');
      for (const n of needed) await copyAgent(n, base64);
    },

    exec(n, argv, opts = {}) {
      return run(via(n, translate(n, argv)), { node: n.node.name, input: opts.input, timeoutMs: opts.timeoutMs, reject: opts.reject });
    },

    spawn: spawnInNode,

    async writeFiles(n, files) {
      for (const f of files) {
        const r = await run(via(n, ['sh', '-c', 'mkdir -p "$(dirname "$1")" && cat > "$1"', 'sh', f.path]), { node: n.node.name, input: f.content, reject: false });
        if (r.failed) throw new LabError('runtime', `[${n.node.name}] could not write ${f.path} through ${channel.name}: ${r.stderr.trim()}`);
        const w = written.get(n.node.name) ?? { n, paths: new Set<string>() };
        w.paths.add(f.path);
        written.set(n.node.name, w);
      }
    },

    async cleanup() {
      const errors: string[] = [];
      const rm = async (n: NodePlan, paths: string[]) => {
        const r = await run(via(n, ['rm', '-rf', '--', ...paths]), { node: n.node.name, reject: false, teardown: true, timeoutMs: 20_000 });
        if (r.failed) errors.push(`${n.node.name}: ${paths.join(' ')}: ${r.stderr.trim()}`);
      };
      for (const w of written.values()) await rm(w.n, [...w.paths]);
      written.clear();
      for (const a of agents.values()) await rm(a.n, [a.dir]);
      agents.clear();
      if (errors.length) throw new LabError('runtime', `could not remove what asymlab put in the nodes:\n  ${errors.join('\n  ')}`);
    },
  };
}
