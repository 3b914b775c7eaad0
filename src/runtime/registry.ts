import { access } from 'node:fs/promises';
import { LabError } from '../errors.js';
import type { Runtime, RuntimeDeps } from './runtime.js';

/**
 * Every runtime asymlab can build labs on, in one explicit list. The schema's `runtime` enum, the
 * CLI's `--runtime` check and the runtimes `down`/`clean` search are all derived from it, so adding
 * a runtime is one entry here plus its own folder.
 */
export interface RuntimeEntry {
  readonly name: string;
  readonly summary: string;
  /** Loads the runtime; heavy dependencies (dockerode) are imported here, on demand. */
  load(deps: RuntimeDeps): Promise<Runtime>;
  /**
   * Whether this runtime may have resources on the machine right now, cheaply and without loading
   * it: `down` and `clean` search only such runtimes (and always the one a state file names).
   */
  mayHaveResources(): Promise<boolean>;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

export const RUNTIMES = [
  {
    name: 'netns',
    summary: 'one Linux network namespace per node on this host (the default)',
    load: async (deps) => (await import('./netns/netns-runtime.js')).createNetnsRuntime(deps),
    mayHaveResources: async () => true,
  },
  {
    name: 'docker',
    summary: 'one container per node through the docker daemon (network none; links made from the host)',
    load: async (deps) => {
      const mod = await import('./docker/docker-runtime.js').catch((e: unknown) => {
        throw new LabError('environment', `the docker runtime could not be loaded: ${String(e)}`);
      });
      return mod.createDockerRuntime(deps);
    },
    // A docker socket means containers may exist.
    mayHaveResources: () => exists('/var/run/docker.sock'),
  },
] as const satisfies readonly RuntimeEntry[];

/** A runtime's name, as a lab's `runtime:` and `--runtime` give it (RuntimeKind is this type). */
export type RuntimeName = (typeof RUNTIMES)[number]['name'];

export const RUNTIME_NAMES: readonly string[] = RUNTIMES.map((r) => r.name);

export function runtimeEntry(name: string): RuntimeEntry | undefined {
  return (RUNTIMES as readonly RuntimeEntry[]).find((r) => r.name === name);
}
