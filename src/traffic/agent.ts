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

if (cmd.mode === 'client') {
  for (let i = 0; i < cmd.spec.count; i++) {
    const rec = await protocol.agent.attempt(cmd.spec, i);
    process.stdout.write(`${JSON.stringify({ flow: cmd.spec.flow, ...rec })}\n`);
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
