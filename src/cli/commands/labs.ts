import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { LabError } from '../../errors.js';
import { isMap } from '../../topology/merge.js';
import { readLabSource } from '../../topology/source.js';

/**
 * `asymlab labs`: the labs bundled with the package, one line each: path, name, description.
 *
 * A lab is a `*.yaml` / `*.yml` file under the labs folder whose own top level has a `name:`.
 * Files without one are bases (fragments other labs `extends`, such as labs/expressroute/base.yaml):
 * they cannot run alone (`name` is required), so they are not listed. The description is the lab's
 * `description:`, inherited through `extends` when the file has none of its own.
 *
 * Paths are relative to the current directory when the lab lies below it (so a line can be pasted
 * into `asymlab run`), else absolute. Lines are sorted by path.
 */

/** labs/ of the package: dist/cli/commands/ -> ../../../labs/ */
export const BUNDLED_LABS = fileURLToPath(new URL('../../../labs/', import.meta.url));

export interface LabEntry {
  /** Absolute path of the lab file. */
  file: string;
  name: string;
  description?: string;
  /** Set when the file has a name but its `extends` chain or YAML could not be read. */
  problem?: string;
}

/** Locale-independent, so the listing is the same on every machine. */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => byCodePoint(a.name, b.name))) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await yamlFiles(p)));
    else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Every lab under root, sorted by path; bases (no `name:`) are left out. */
export async function findLabs(root: string): Promise<LabEntry[]> {
  const labs: LabEntry[] = [];
  for (const file of await yamlFiles(root)) {
    let own: unknown;
    try {
      own = parse(await readFile(file, 'utf8'));
    } catch (e) {
      labs.push({ file, name: '?', problem: `not valid YAML: ${(e as Error).message.split('\n')[0]}` });
      continue;
    }
    if (!isMap(own) || typeof own.name !== 'string') continue;
    const entry: LabEntry = { file, name: own.name };
    if (typeof own.description === 'string') entry.description = own.description;
    else if (typeof own.extends === 'string') {
      try {
        const merged = (await readLabSource(file)).data;
        if (typeof merged.description === 'string') entry.description = merged.description;
      } catch (e) {
        entry.problem = e instanceof Error ? e.message.split('\n').slice(0, 2).join(' ').trim() : String(e);
      }
    }
    labs.push(entry);
  }
  return labs.sort((a, b) => byCodePoint(a.file, b.file));
}

function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel) ? rel : file;
}

export async function labsCommand(args: { root?: string }, out: (line: string) => void): Promise<number> {
  const root = args.root ? resolve(args.root) : BUNDLED_LABS;
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) {
    throw new LabError('input', `no labs folder at ${root}`, { hint: args.root ? 'give a folder that holds lab files' : 'the package is missing its labs/ folder; reinstall asymlab' });
  }
  const labs = await findLabs(root);
  if (labs.length === 0) {
    out(`no labs under ${root}`);
    return 0;
  }
  const cwd = process.cwd();
  const rows = labs.map((l) => [shown(l.file, cwd), l.name, l.problem ? `(${l.problem})` : (l.description ?? '')]);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [path, name, description] of rows) out(`${path.padEnd(w0)}  ${name.padEnd(w1)}  ${description}`.trimEnd());
  return 0;
}
