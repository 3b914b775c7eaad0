import { dirname } from 'node:path';
import { inputError, type InputProblem } from '../errors.js';
import { checkLabFiles, type FileInfo, type FileProbe } from './file-ref.js';
import { normalise } from './normalise.js';
import { checkSchema } from './schema-check.js';
import { nodeFs, placeProblems, probeOf, readLabSource, type SourceFs } from './source.js';
import type { Lab, RuntimeKind } from './types.js';
import { validateLab } from './validate.js';

export interface LoadOptions {
  fs?: SourceFs;
  /**
   * Test hook: whether a referenced file (frr-config, iptables, a bind source) exists; one that
   * does counts as a small regular file at the path given. Without it, fs.inspect is asked.
   */
  exists?: (path: string) => boolean;
  runtime?: RuntimeKind;
  /** Lets frr-config, iptables, binds and extends name files outside the lab folder (--allow-outside-paths). */
  allowOutsidePaths?: boolean;
  /** Largest lab file read (each file of an extends chain); default 8 MiB. */
  maxLabFileBytes?: number;
}

export interface LoadedLab {
  lab: Lab;
  /** Problems that do not stop the lab (a bind of a host system folder), placed like errors. */
  warnings: InputProblem[];
}

/**
 * Reads a lab file (following `extends`), checks it against the schema, normalises inheritance,
 * runs every semantic rule and checks the files it names. Returns the lab and its warnings, or
 * throws one LabError('input') listing every problem with its file, line and path.
 */
export async function loadLabWithWarnings(file: string, opts: LoadOptions = {}): Promise<LoadedLab> {
  const fs = opts.fs ?? nodeFs;
  const allowOutsidePaths = opts.allowOutsidePaths === true;
  const src = await readLabSource(file, fs, { allowOutsidePaths, maxLabFileBytes: opts.maxLabFileBytes });
  const schemaProblems = checkSchema(src.data);
  if (schemaProblems.length) throw inputError(placeProblems(src, schemaProblems));
  const { lab, problems, complete } = normalise(src.data, src.file, dirname(src.file), opts.runtime);
  if (!complete) throw inputError(placeProblems(src, problems));
  const legacy = opts.exists;
  const probe: FileProbe = legacy
    ? async (p): Promise<FileInfo> => (legacy(p) ? { kind: 'file', sizeBytes: 0, realPath: p } : { kind: 'missing', sizeBytes: 0, realPath: p, code: 'ENOENT' })
    : probeOf(fs);
  const root = legacy ? lab.dir : (await probe(lab.dir)).realPath;
  const files = await checkLabFiles(lab, probe, root, allowOutsidePaths);
  const all = [...problems, ...validateLab(lab), ...files.problems];
  if (all.length) throw inputError(placeProblems(src, all));
  return { lab, warnings: placeProblems(src, files.warnings) };
}

/** loadLabWithWarnings for callers that have no use for warnings. */
export async function loadLab(file: string, opts: LoadOptions = {}): Promise<Lab> {
  return (await loadLabWithWarnings(file, opts)).lab;
}
