import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeKind } from '../topology/types.js';
import { checkLabName, insideBase, isLabName } from './lab-name.js';

/** What a running lab leaves for `down`, `inspect` and `exec`: which file it came from and which runtime runs it. */
export interface LabState {
  lab: string;
  file: string;
  runtime: RuntimeKind;
  startedAt: string;
  /** The asymlab process that brought it up. */
  pid: number;
}

export const STATE_DIR = '/var/run/asymlab';
/** In a lab's folder, the files of its claim (src/lab/claim.ts): they outlive the state until released. */
export const CLAIM_FILE = 'claim';
export const TAKEOVER_FILE = 'claim.takeover';

/** The lab's folder, after checking the name: a name like `x/../..` never becomes a path. */
export function labFolder(lab: string, dir = STATE_DIR): string {
  return insideBase(dir, checkLabName(lab));
}

export async function writeState(s: LabState, dir = STATE_DIR): Promise<void> {
  const folder = labFolder(s.lab, dir);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'state.json'), `${JSON.stringify(s, null, 2)}\n`);
}

export async function readState(lab: string, dir = STATE_DIR): Promise<LabState | undefined> {
  const file = join(labFolder(lab, dir), 'state.json');
  try {
    const s = JSON.parse(await readFile(file, 'utf8')) as LabState;
    // A state file that names another lab was not written for this one.
    return s?.lab === lab ? s : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the lab's state: every file of its folder but the claim, which its holder releases
 * (and with it the folder). Without a claim the folder goes at once.
 */
export async function removeState(lab: string, dir = STATE_DIR): Promise<void> {
  const folder = labFolder(lab, dir);
  const entries = await readdir(folder).catch(() => [] as string[]);
  for (const e of entries) if (e !== CLAIM_FILE && e !== TAKEOVER_FILE) await rm(join(folder, e), { recursive: true, force: true });
  await rmdir(folder).catch(() => undefined);
}

/** Names of the labs with a folder here; entries that are not lab names are no lab's and are passed over. */
export async function listStates(dir = STATE_DIR): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter(isLabName);
}
