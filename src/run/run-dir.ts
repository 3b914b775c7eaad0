import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LabError } from '../errors.js';

/**
 * A run writes into `<dir>.partial` and renames it to `<dir>` once report.json is in it, so a
 * folder named like a run always is a whole run. A run that is interrupted or fails keeps its
 * `.partial` folder (what it caught is still evidence); an empty one is removed.
 */

export const PARTIAL_SUFFIX = '.partial';

export const partialDir = (outDir: string) => `${outDir}${PARTIAL_SUFFIX}`;

const errno = (e: unknown) => (e as NodeJS.ErrnoException)?.code;

/** What a finished run folder holds: a folder with these alone (and a report.json) is an earlier run. */
const RUN_ENTRIES = new Set(['report.json', 'report.txt', 'report.html', 'report.png', 'captures', 'evidence']);

/** An earlier finished run of asymlab's, which a new run to the same --out replaces when it finishes. */
export function isEarlierRun(entries: string[]): boolean {
  return entries.includes('report.json') && entries.every((e) => RUN_ENTRIES.has(e));
}

/**
 * Makes `<outDir>.partial` and returns it. `outDir` may not exist yet, be an empty folder, or hold
 * an earlier finished run (replaced only once this run has finished). asymlab never deletes or mixes
 * into any other folder that holds files, nor into an earlier run's `.partial`: it says so before
 * anything is built.
 */
export async function openRunDir(outDir: string): Promise<string> {
  const entries = await readdir(outDir).catch((e: unknown) => {
    if (errno(e) === 'ENOENT') return [] as string[];
    if (errno(e) === 'ENOTDIR') throw new LabError('input', `output folder ${outDir} is a file`, { hint: 'give --out a folder that does not exist yet' });
    throw e;
  });
  if (entries.length && !isEarlierRun(entries)) {
    throw new LabError('input', `output folder ${outDir} already holds files`, { hint: 'give --out a folder that does not exist yet, is empty or holds an earlier run; asymlab does not mix runs or delete other files' });
  }
  const partial = partialDir(outDir);
  await mkdir(dirname(partial), { recursive: true });
  try {
    await mkdir(partial);
  } catch (e) {
    if (errno(e) !== 'EEXIST') throw e;
    throw new LabError('input', `${partial} already exists: an earlier run there did not finish`, { hint: `look at it or remove it, or give --out another folder` });
  }
  return partial;
}

/** report.json is in: the run is whole and takes its final name. */
export async function finishRunDir(partial: string, outDir: string): Promise<void> {
  const entries = await readdir(outDir).catch(() => undefined);
  if (entries && entries.length) {
    // Checked again: only an earlier run is ever replaced.
    if (!isEarlierRun(entries)) throw new LabError('input', `output folder ${outDir} now holds other files; this run stays in ${partial}`);
    const old = `${outDir}.replaced-${process.pid}`;
    await rename(outDir, old);
    await rename(partial, outDir);
    await rm(old, { recursive: true, force: true });
    return;
  }
  if (entries) await rmdir(outDir);
  await rename(partial, outDir);
}

/** For a run that stopped: drops its folder if nothing got into it; returns the folder if it is kept. */
export async function keepPartial(partial: string): Promise<string | undefined> {
  const entries = await readdir(partial).catch(() => undefined);
  if (entries === undefined) return undefined;
  if (entries.length === 0) {
    await rmdir(partial).catch(() => undefined);
    return undefined;
  }
  return partial;
}
