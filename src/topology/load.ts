import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { inputError } from '../errors.js';
import { normalise } from './normalise.js';
import { checkSchema } from './schema-check.js';
import { nodeFs, placeProblems, readLabSource, type SourceFs } from './source.js';
import type { Lab, RuntimeKind } from './types.js';
import { validateLab } from './validate.js';

export interface LoadOptions {
  fs?: SourceFs;
  /** Whether a referenced file (frr-config, iptables) exists; injected for tests. */
  exists?: (path: string) => boolean;
  runtime?: RuntimeKind;
}

/**
 * Reads a lab file (following `extends`), checks it against the schema, normalises inheritance and
 * runs every semantic rule. Returns the lab, or throws one LabError('input') listing every problem
 * with its file, line and path.
 */
export async function loadLab(file: string, opts: LoadOptions = {}): Promise<Lab> {
  const src = await readLabSource(file, opts.fs ?? nodeFs);
  const schemaProblems = checkSchema(src.data);
  if (schemaProblems.length) throw inputError(placeProblems(src, schemaProblems));
  const { lab, problems } = normalise(src.data, src.file, dirname(src.file), opts.runtime);
  const all = [...problems, ...validateLab(lab, opts.exists ?? existsSync)];
  if (all.length) throw inputError(placeProblems(src, all));
  return lab;
}
