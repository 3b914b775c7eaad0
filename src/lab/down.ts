import { access } from 'node:fs/promises';
import type { Runtime } from '../runtime/runtime.js';
import { createRuntime } from '../runtime/select.js';
import { ignoreEvents, type EventSink } from './events.js';
import { listStates, readState, removeState } from './state.js';

/** Takes a lab down by name: the runtime in its state file, else every runtime that has resources of it. */
export async function downLab(lab: string, opts: { runtime?: Runtime; emit?: EventSink } = {}): Promise<boolean> {
  const emit = opts.emit ?? ignoreEvents;
  const state = await readState(lab);
  const runtimes = opts.runtime ? [opts.runtime] : await candidateRuntimes(state?.runtime);
  let found = state !== undefined;
  for (const rt of runtimes) {
    const has = (await rt.list()).some((r) => r.lab === lab);
    if (has || rt.kind === state?.runtime) {
      emit({ kind: 'step', lab, step: `down (${rt.kind})` });
      await rt.removeLab(lab);
      found = found || has;
    }
  }
  await removeState(lab);
  return found;
}

async function candidateRuntimes(preferred?: Runtime['kind']): Promise<Runtime[]> {
  const out: Runtime[] = [await createRuntime('netns')];
  if (preferred === 'docker' || (await dockerReachable())) {
    try {
      out.push(await createRuntime('docker'));
    } catch {
      /* no docker runtime on this machine */
    }
  }
  return out;
}

/** A docker socket means containers may exist; without one the docker runtime still finds its namespace links. */
async function dockerReachable(): Promise<boolean> {
  return access('/var/run/docker.sock').then(
    () => true,
    () => false,
  );
}

/** Removes every asymlab resource on the machine, whatever lab or crashed run left it. */
export async function cleanAll(opts: { emit?: EventSink } = {}): Promise<string[]> {
  const emit = opts.emit ?? ignoreEvents;
  const runtimes = await candidateRuntimes();
  const labs = new Set<string>(await listStates());
  for (const rt of runtimes) for (const r of await rt.list().catch(() => [])) labs.add(r.lab);
  for (const lab of labs) {
    emit({ kind: 'cleanup', lab, detail: 'removing' });
    for (const rt of runtimes) await rt.removeLab(lab);
    await removeState(lab);
  }
  return [...labs];
}
