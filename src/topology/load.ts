import { dirname } from 'node:path';
import { inputError, type InputProblem } from '../errors.js';
import { checkLabFiles, type FileInfo, type FileProbe } from './file-ref.js';
import { normalise } from './normalise.js';
import { checkSchemaAt } from './schema-check.js';
import { adaptContainerlab, dialectOf } from './containerlab/adapt.js';
import { coveredPaths, newProblems, pruneInvalid } from './schema-prune.js';
import { frrAddresses, withOwnAddresses } from './containerlab/own-addresses.js';
import { takeImageMap } from './image-map-key.js';
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
 * Reads a lab file (following `extends`), reads containerlab's dialect into asymlab's, checks it
 * against the schema, normalises inheritance, runs every semantic rule and checks the files it
 * names, all in one pass: the schema's problems and the rules' come together. Returns the lab and
 * its warnings, or throws one LabError('input') listing every problem with its file, line and path.
 */
export async function loadLabWithWarnings(file: string, opts: LoadOptions = {}): Promise<LoadedLab> {
  const fs = opts.fs ?? nodeFs;
  const allowOutsidePaths = opts.allowOutsidePaths === true;
  const src = await readLabSource(file, fs, { allowOutsidePaths, maxLabFileBytes: opts.maxLabFileBytes });
  const dialect = dialectOf(src.layers.map((l) => l.file), src.data);
  const clab = adaptContainerlab(src.data);
  const images = takeImageMap(clab.data);
  const findings = checkSchemaAt(images.data, dialect);
  // The adapter's and the schema's problems come first; the rules then run over what is left.
  const early = [...clab.problems, ...images.problems, ...newProblems(findings.map((f) => f.problem), [], clab.covered)];
  const covered = [...clab.covered, ...coveredPaths(early)];
  const { lab, problems, complete, warnings } = normalise(pruneInvalid(images.data, findings), src.file, dirname(src.file), opts.runtime, dialect);
  if (images.imageMap) lab.imageMap = images.imageMap;
  if (!complete) throw inputError(placeProblems(src, [...early, ...problems]));
  const legacy = opts.exists;
  const probe: FileProbe = legacy
    ? async (p): Promise<FileInfo> => (legacy(p) ? { kind: 'file', sizeBytes: 0, realPath: p } : { kind: 'missing', sizeBytes: 0, realPath: p, code: 'ENOENT' })
    : probeOf(fs);
  const root = legacy ? lab.dir : (await probe(lab.dir)).realPath;
  const files = await checkLabFiles(lab, probe, root, allowOutsidePaths);
  // A containerlab router's addresses are in its FRR config: the lab learns them before its rules run.
  if (dialect === 'containerlab') await learnFrrAddresses(lab, fs, files.problems);
  const all = [...early, ...newProblems([...problems, ...validateLab(lab), ...files.problems], early, covered)];
  if (all.length) throw inputError(placeProblems(src, all));
  return { lab, warnings: placeProblems(src, [...clab.warnings, ...warnings, ...files.warnings]) };
}

/** Adds the addresses each node's raw FRR config puts on (a file that failed its check is left alone). */
async function learnFrrAddresses(lab: Lab, fs: SourceFs, problems: InputProblem[]): Promise<void> {
  for (const [i, n] of lab.nodes.entries()) {
    if (!n.frrConfig || problems.some((p) => p.path === `topology.nodes.${n.name}.${n.frrConfigKey ?? 'frr-config'}`)) continue;
    const text = await fs.readFile(n.frrConfig).catch(() => undefined);
    if (text !== undefined) lab.nodes[i] = withOwnAddresses(n, frrAddresses(text));
  }
}

/** loadLabWithWarnings for callers that have no use for warnings. */
export async function loadLab(file: string, opts: LoadOptions = {}): Promise<Lab> {
  return (await loadLabWithWarnings(file, opts)).lab;
}
