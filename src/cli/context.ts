import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import { LAB_NAME_SHAPE, isLabName, shownName } from '../lab/lab-name.js';
import { readState } from '../lab/state.js';
import { loadLab } from '../topology/load.js';
import type { Lab, RuntimeKind } from '../topology/types.js';

/** What every command gets: where to write, and the user's options. */
export interface CliContext {
  out: (s: string) => void;
  err: (s: string) => void;
  signal: AbortSignal;
  quiet: boolean;
}

/** A lab argument is a lab file, a folder with lab.yaml, or the name of a lab that is up. */
export async function resolveLab(arg: string, runtime?: RuntimeKind): Promise<Lab> {
  let file = arg;
  if (existsSync(arg) && statSync(arg).isDirectory()) file = join(arg, 'lab.yaml');
  if (existsSync(file)) return loadLab(file, { runtime });
  checkArgName(arg);
  const state = await readState(arg);
  if (state) return loadLab(state.file, { runtime: runtime ?? state.runtime });
  throw new LabError('input', `no lab file '${arg}' and no lab of that name is up`, { hint: 'give the path of a lab file; `asymlab labs` lists the bundled ones' });
}

/** For commands on a running lab: its name, from a file or as given. */
export async function labName(arg: string): Promise<string> {
  if (existsSync(arg)) return (await resolveLab(arg)).name;
  return checkArgName(arg);
}

/** An argument that is no file must be a lab name: it becomes a path under /var/run/asymlab. */
function checkArgName(arg: string): string {
  if (isLabName(arg)) return arg;
  throw new LabError('input', `no lab file '${shownName(arg)}', and it is not a lab name: ${LAB_NAME_SHAPE}`, {
    hint: 'give the path of a lab file, or the name of a lab that is up; `asymlab labs` lists the bundled ones',
  });
}
