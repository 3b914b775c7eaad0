import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblem, LabError } from '../errors.js';
import { LAB_NAME_SHAPE, isLabName, shownName } from '../lab/lab-name.js';
import { readState } from '../lab/state.js';
import { loadLabWithWarnings } from '../topology/load.js';
import type { Lab, RuntimeKind } from '../topology/types.js';

/** What every command gets: where to write, and the user's options. */
export interface CliContext {
  out: (s: string) => void;
  err: (s: string) => void;
  signal: AbortSignal;
  quiet: boolean;
  /** --allow-outside-paths: the lab may name files outside its folder. */
  allowOutsidePaths?: boolean;
}

/**
 * A lab argument is a lab file, a folder with lab.yaml, or the name of a lab that is up. With a
 * context (validate, up, run, test), its --allow-outside-paths applies and the lab's warnings are
 * printed (to stderr, so validate still exits 0). Without one (inspect, trace: commands on a lab
 * that is up, which read none of the files it names), files outside the lab folder are let be.
 */
export async function resolveLab(arg: string, runtime?: RuntimeKind, ctx?: Pick<CliContext, 'err' | 'allowOutsidePaths'>): Promise<Lab> {
  const load = async (file: string, rt: RuntimeKind | undefined, allowOutsidePaths: boolean) => {
    const { lab, warnings } = await loadLabWithWarnings(file, { runtime: rt, allowOutsidePaths });
    for (const w of warnings) ctx?.err(`asymlab: warning: ${formatProblem(w)}\n`);
    return lab;
  };
  let file = arg;
  if (existsSync(arg) && statSync(arg).isDirectory()) file = join(arg, 'lab.yaml');
  if (existsSync(file)) return load(file, runtime, ctx ? ctx.allowOutsidePaths === true : true);
  checkArgName(arg);
  const state = await readState(arg);
  // a lab that is up passed its checks when it came up (perhaps with --allow-outside-paths)
  if (state) return load(state.file, runtime ?? state.runtime, true);
  throw new LabError('input', `no lab file '${arg}' and no lab of that name is up`, { hint: 'give the path of a lab file; `asymlab labs` lists the bundled ones' });
}

/** For commands on a running lab: its name, from a file or as given. Only the name is used, so no file the lab names is refused. */
export async function labName(arg: string): Promise<string> {
  if (existsSync(arg)) {
    let file = arg;
    if (statSync(arg).isDirectory()) file = join(arg, 'lab.yaml');
    return (await loadLabWithWarnings(file, { allowOutsidePaths: true })).lab.name;
  }
  return checkArgName(arg);
}

/** An argument that is no file must be a lab name: it becomes a path under /var/run/asymlab. */
function checkArgName(arg: string): string {
  if (isLabName(arg)) return arg;
  throw new LabError('input', `no lab file '${shownName(arg)}', and it is not a lab name: ${LAB_NAME_SHAPE}`, {
    hint: 'give the path of a lab file, or the name of a lab that is up; `asymlab labs` lists the bundled ones',
  });
}
