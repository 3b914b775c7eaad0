import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LabError } from '../errors.js';
import { isInside } from '../topology/file-ref.js';
import type { LabExport } from './export-lab.js';

/**
 * Writes an export into `dir` (created if missing), over the files of an earlier export of the
 * same lab. Every path stays inside `dir`: the names that make them were checked, and are again.
 */
export async function writeExport(ex: LabExport, dir: string): Promise<string[]> {
  const root = resolve(dir);
  const written: string[] = [];
  for (const f of ex.files) {
    const path = resolve(root, f.path);
    if (!isInside(path, root) || f.path.split('/').some((s) => s === '..' || s === '')) {
      throw new LabError('runtime', `export: ${f.path} would be written outside ${root}`, { hint: 'this is a bug in asymlab: please report it with the lab file' });
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.content);
    written.push(join(dir, f.path));
  }
  return written;
}
