import type { Runtime } from '../runtime/runtime.js';
import { RUNTIMES } from '../runtime/registry.js';
import { run, spawnBackground } from '../util/exec.js';
import { ignoreEvents, type EventSink } from './events.js';
import { listStates, readState, removeState } from './state.js';
import { claimLab } from './claim.js';
import { isLabName, shownName } from './lab-name.js';

/**
 * Takes a lab down by name: the runtime in its state file, else every runtime that has resources of it.
 * It claims the name first (src/lab/claim.ts): while an `up` of the lab is under way it refuses,
 * naming that up's PID, rather than remove a lab that is still being built.
 */
export async function downLab(lab: string, opts: { runtime?: Runtime; emit?: EventSink } = {}): Promise<boolean> {
  const claim = await claimLab(lab, 'down');
  try {
    return await removeClaimedLab(lab, opts);
  } finally {
    await claim.release();
  }
}

async function removeClaimedLab(lab: string, opts: { runtime?: Runtime; emit?: EventSink }): Promise<boolean> {
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

/** The runtimes that may hold resources of a lab: the registry's, where each says it may (docker: a socket), and the state file's. */
async function candidateRuntimes(preferred?: Runtime['kind']): Promise<Runtime[]> {
  const out: Runtime[] = [];
  for (const entry of RUNTIMES) {
    if (entry.name !== preferred && !(await entry.mayHaveResources())) continue;
    try {
      out.push(await entry.load({ run, spawn: spawnBackground }));
    } catch {
      /* that runtime cannot be loaded on this machine: it has nothing here */
    }
  }
  return out;
}

/** Removes every asymlab resource on the machine, whatever lab or crashed run left it. */
export async function cleanAll(opts: { emit?: EventSink } = {}): Promise<string[]> {
  const emit = opts.emit ?? ignoreEvents;
  const runtimes = await candidateRuntimes();
  const labs = new Set<string>(await listStates());
  for (const rt of runtimes) for (const r of await rt.list().catch(() => [])) labs.add(r.lab);
  const removed: string[] = [];
  for (const lab of labs) {
    // Resource names and container labels are read from the machine: only lab names are acted on.
    if (!isLabName(lab)) {
      emit({ kind: 'warning', lab: shownName(lab), message: `'${shownName(lab)}' is not a lab name; left alone` });
      continue;
    }
    const claim = await claimLab(lab, 'down').catch((e: unknown) => {
      emit({ kind: 'warning', lab, message: `${e instanceof Error ? e.message : String(e)}; left alone` });
      return undefined;
    });
    if (!claim) continue;
    try {
      emit({ kind: 'cleanup', lab, detail: 'removing' });
      for (const rt of runtimes) await rt.removeLab(lab);
      await removeState(lab);
      removed.push(lab);
    } finally {
      await claim.release();
    }
  }
  return removed;
}
