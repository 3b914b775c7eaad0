import { LabError } from '../errors.js';
import type { RuntimeKind } from '../topology/types.js';
import { run as defaultRun, spawnBackground } from '../util/exec.js';
import { RUNTIME_NAMES, runtimeEntry } from './registry.js';
import type { Runtime, RuntimeDeps } from './runtime.js';

const defaults: RuntimeDeps = { run: defaultRun, spawn: spawnBackground };

/** A runtime by name, from the registry; each loads its own dependencies on demand. */
export async function createRuntime(kind: RuntimeKind, deps: RuntimeDeps = defaults): Promise<Runtime> {
  const entry = runtimeEntry(kind);
  if (!entry) throw new LabError('input', `unknown runtime '${String(kind)}'`, { hint: `use one of: ${RUNTIME_NAMES.join(', ')}` });
  return entry.load(deps);
}
