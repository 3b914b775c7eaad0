import { LabError } from '../errors.js';
import type { RuntimeKind } from '../topology/types.js';
import { run as defaultRun, spawnBackground } from '../util/exec.js';
import { createNetnsRuntime } from './netns/netns-runtime.js';
import type { Runtime, RuntimeDeps } from './runtime.js';

const defaults: RuntimeDeps = { run: defaultRun, spawn: spawnBackground };

/** The docker runtime is loaded on demand, so labs on netns never load dockerode. */
export async function createRuntime(kind: RuntimeKind, deps: RuntimeDeps = defaults): Promise<Runtime> {
  if (kind === 'netns') return createNetnsRuntime(deps);
  if (kind === 'docker') {
    const mod = (await import('./docker/docker-runtime.js').catch((e: unknown) => {
      throw new LabError('environment', `the docker runtime could not be loaded: ${String(e)}`);
    })) as { createDockerRuntime(d: RuntimeDeps): Runtime };
    return mod.createDockerRuntime(deps);
  }
  throw new LabError('input', `unknown runtime '${String(kind)}'`, { hint: 'use netns or docker' });
}
