import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, readFile, rmdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import { notYet, ready, waitFor } from '../util/wait-for.js';
import { CLAIM_FILE, STATE_DIR, TAKEOVER_FILE, labFolder } from './state.js';

/**
 * One asymlab process at a time brings a lab up or takes it down. Checking "is it up?" and then
 * creating namespaces is not atomic: two `up` of one name both passed the check, and the loser's
 * cleanup removed the winner's lab. So before it creates anything, a process claims the name:
 * `/var/run/asymlab/<lab>/claim`, made with link(2) (which fails if the file exists; the content,
 * written beforehand, is never seen half-written) and holding its PID. The holder releases it on
 * every way out; a claim whose process has died (kill -9) is taken over.
 *
 * Taking over is the one delicate step: two processes may find the same dead claim. A second
 * file, claim.takeover, made the same way, lets one of them at a time compare the claim with
 * what it judged dead and only then remove it. Only a claim's holder, or the holder of
 * claim.takeover after that comparison, ever removes a claim, so no live claim is removed.
 */

export type ClaimPurpose = 'up' | 'down';

export interface ClaimRecord {
  pid: number;
  /** The process's start time in clock ticks (/proc/PID/stat), so a reused PID is not taken for the holder. */
  startTicks?: number;
  purpose: ClaimPurpose;
  token: string;
  since: string;
}

export interface LabClaim {
  lab: string;
  record: ClaimRecord;
  /** Removes the claim if it is still this one; then the lab's folder if nothing else is in it. Safe to call twice. */
  release(): Promise<void>;
}

/** How often a claim that keeps changing hands is tried before giving up. */
const ATTEMPTS = 100;
const BUSY_WAIT_MS = 20;
/** A takeover is a few system calls: one that holds claim.takeover longer than this is stuck. */
const TAKEOVER_WAIT_MS = 5000;

function procStat(pid: number): { state: string; startTicks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], startTicks: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

/** A zombie has exited and can no longer touch the lab: it counts as dead, as does a PID now used by another process. */
export function holderAlive(r: Pick<ClaimRecord, 'pid' | 'startTicks'>): boolean {
  if (!Number.isInteger(r.pid) || r.pid <= 0) return false;
  const st = procStat(r.pid);
  if (!st || st.state === 'Z' || st.state === 'X') return false;
  return r.startTicks === undefined || st.startTicks === r.startTicks;
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException)?.code;

/** Creates `target` holding `record`, atomically; false if it exists (or the folder vanished meanwhile). */
async function linkRecord(folder: string, target: string, record: ClaimRecord): Promise<boolean> {
  await mkdir(folder, { recursive: true });
  const tmp = join(folder, `.${record.token}-${target.split('/').pop()}`);
  try {
    await writeFile(tmp, `${JSON.stringify(record)}\n`, { flag: 'wx' });
    await link(tmp, target);
    return true;
  } catch (e) {
    // EEXIST: held. ENOENT: the folder or our temporary file was removed by a `down` finishing.
    if (errno(e) === 'EEXIST' || errno(e) === 'ENOENT') return false;
    throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw e;
  }
}

/** The record in a claim's text; one that cannot be read names no live process. */
function parseRecord(text: string): ClaimRecord {
  try {
    const r = JSON.parse(text) as ClaimRecord;
    if (Number.isInteger(r.pid)) return r;
  } catch {
    /* fall through */
  }
  return { pid: 0, purpose: 'up', token: '', since: '' };
}

function heldError(lab: string, wanted: ClaimPurpose, holder: ClaimRecord): LabError {
  const pid = holder.pid;
  if (holder.purpose === 'down') {
    return new LabError('input', `lab '${lab}' is being taken down by PID ${pid}`, { hint: 'wait for it to finish, then try again' });
  }
  if (wanted === 'up') {
    return new LabError('input', `lab '${lab}' is already being brought up by PID ${pid}`, { hint: `wait for it to finish, or give this lab another name` });
  }
  return new LabError('input', `lab '${lab}' is being brought up by PID ${pid}; down does not race it`, {
    hint: `wait until it is up, or stop it (kill -INT ${pid}: it removes what it made); then run: asymlab down ${lab}`,
  });
}

/**
 * Claims a lab's name for `purpose`, before any of its resources is made. Throws LabError('input')
 * naming the PID that holds it; takes over a claim whose process is dead.
 */
export async function claimLab(lab: string, purpose: ClaimPurpose, dir = STATE_DIR): Promise<LabClaim> {
  const folder = labFolder(lab, dir);
  const file = join(folder, CLAIM_FILE);
  const record: ClaimRecord = { pid: process.pid, startTicks: procStat(process.pid)?.startTicks, purpose, token: randomUUID(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await linkRecord(folder, file, record)) return { lab, record, release: () => release(folder, file, record.token) };
    const text = await readText(file);
    if (text === undefined) continue; // released meanwhile
    const holder = parseRecord(text);
    if (holderAlive(holder)) throw heldError(lab, purpose, holder);
    await takeOver(lab, folder, file, text, record);
  }
  throw new LabError('runtime', `could not claim lab '${lab}': its claim ${file} kept changing hands`, { hint: 'see which asymlab processes run (ps -ef | grep asymlab), then try again' });
}

/** Removes the dead claim `staleText`, if it is still the one there, with claim.takeover held. */
async function takeOver(lab: string, folder: string, file: string, staleText: string, record: ClaimRecord): Promise<void> {
  const mutex = join(folder, TAKEOVER_FILE);
  if (!(await linkRecord(folder, mutex, record))) {
    const text = await readText(mutex);
    if (text === undefined) return;
    const other = parseRecord(text);
    if (holderAlive(other)) {
      // Another process is in the few system calls of a takeover: once it is done (or dead), look again.
      await waitFor(
        async () => {
          const now = await readText(mutex);
          return now === text && holderAlive(other) ? notYet(`PID ${other.pid} holds ${mutex}`) : ready();
        },
        { description: `PID ${other.pid} to finish taking over the claim of lab '${lab}'`, timeoutMs: TAKEOVER_WAIT_MS, intervalMs: BUSY_WAIT_MS },
      );
      return;
    }
    // Its holder died inside those few calls. Nobody else may remove it: two removers would race.
    throw new LabError('runtime', `lab '${lab}': PID ${other.pid} died while taking over a stale claim and left ${mutex}`, {
      hint: `make sure no asymlab works on lab '${lab}' (ps -ef | grep asymlab), then: rm ${mutex}`,
    });
  }
  try {
    if ((await readText(file)) === staleText) await unlink(file).catch((e: unknown) => (errno(e) === 'ENOENT' ? undefined : Promise.reject(e)));
  } finally {
    await unlink(mutex);
  }
}

async function release(folder: string, file: string, token: string): Promise<void> {
  const text = await readText(file);
  if (text !== undefined && parseRecord(text).token === token) await unlink(file).catch(() => undefined);
  // The folder goes once it is empty: a lab that is up keeps it for its state.json.
  await rmdir(folder).catch(() => undefined);
}
