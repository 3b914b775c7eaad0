import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeKind } from '../topology/types.js';

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

export async function writeState(s: LabState, dir = STATE_DIR): Promise<void> {
  await mkdir(join(dir, s.lab), { recursive: true });
  await writeFile(join(dir, s.lab, 'state.json'), `${JSON.stringify(s, null, 2)}\n`);
}

export async function readState(lab: string, dir = STATE_DIR): Promise<LabState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, lab, 'state.json'), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

export async function removeState(lab: string, dir = STATE_DIR): Promise<void> {
  await rm(join(dir, lab), { recursive: true, force: true });
}

export async function listStates(dir = STATE_DIR): Promise<string[]> {
  return readdir(dir).catch(() => []);
}
