import type { NodePlan } from '../../plan/plan.js';
import type { ExecChannel } from '../exec-channel.js';

/**
 * `docker exec -i CONTAINER ...` as an exec channel (src/runtime/exec-channel.ts): the docker CLI,
 * not the API, because a channel is a local program whose stdout can be streamed (a capture) and
 * whose stderr can be read as it comes, as `kubectl exec -i` will be for clabernetes.
 */
export function dockerExecChannel(containerOf: (n: NodePlan) => string): ExecChannel {
  return { name: 'docker exec', tools: ['docker'], argv: (n, argv) => ['docker', 'exec', '-i', containerOf(n), ...argv] };
}
