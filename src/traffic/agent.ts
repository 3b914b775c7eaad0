/**
 * The flow agent: a tiny program run inside a node's namespace (`ip netns exec NS node agent.js`).
 * `server` echoes what its protocol's clients send; `client` makes real kernel connections of the
 * flow's protocol and prints one JSON record per attempt. What a client or server does is the
 * protocol's (src/protocols); this file only parses the command line and writes the records.
 */
import { protocolNamed } from '../protocols/registry.js';
import type { FlowProtocol } from '../protocols/protocol.js';
import { AGENT_USAGE, parseAgentArgs, type AgentCommand } from './agent-args.js';

function usage(message: string): never {
  process.stderr.write(`agent.js: ${message}\n${AGENT_USAGE}\n`);
  process.exit(2);
}

let cmd: AgentCommand;
let protocol: FlowProtocol;
try {
  cmd = parseAgentArgs(process.argv.slice(2));
  protocol = protocolNamed(cmd.protocol);
} catch (e) {
  usage(e instanceof Error ? e.message : String(e));
}

/**
 * A timed run (events, start-ms, long-lived flows): the agent says it is ready, then waits for
 * SIGUSR1, the run's time 0, so every flow and the events share one clock however long each
 * agent took to start.
 */
function go(): Promise<number> {
  return new Promise((resolve) => {
    // A signal handler alone does not keep node running.
    const alive = setInterval(() => undefined, 60_000);
    process.once('SIGUSR1', () => {
      clearInterval(alive);
      resolve(Date.now());
    });
    process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  });
}

if (cmd.mode === 'client') {
  const { spec } = cmd;
  const t0 = spec.awaitGo ? await go() : Date.now();
  const startAt = t0 + (spec.startMs ?? 0);
  if (spec.durationMs !== undefined) {
    if (!protocol.agent.session) usage(`protocol ${protocol.name} has no long-lived flows`);
    const rec = await protocol.agent.session(spec, startAt);
    process.stdout.write(`${JSON.stringify({ flow: spec.flow, ...rec })}\n`);
  } else {
    await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
    for (let i = 0; i < spec.count; i++) {
      const rec = await protocol.agent.attempt(spec, i);
      process.stdout.write(`${JSON.stringify({ flow: spec.flow, ...rec })}\n`);
    }
  }
} else {
  process.on('SIGTERM', () => process.exit(0));
  try {
    await protocol.agent.serve(cmd.ports);
    process.stdout.write(`${JSON.stringify({ ready: cmd.ports })}\n`);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ error: String(e), port: (e as { port?: number }).port })}\n`);
    process.exit(1);
  }
}
