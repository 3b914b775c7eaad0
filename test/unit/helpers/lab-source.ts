import type { SourceFs } from '../../../src/topology/source.js';

/** Strips the first newline and the common indent, so line 1 of the file is the first line written. */
export function yaml(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\n\s*$/, '\n').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Lab files in memory, for the loader's injected file access. */
export function memFs(files: Record<string, string>): SourceFs {
  return {
    readFile: async (p) => {
      if (p in files) return files[p];
      throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
    },
    exists: async (p) => p in files,
  };
}
