import type { FileInfo } from '../../../src/topology/file-ref.js';
import type { SourceFs } from '../../../src/topology/source.js';

/** Strips the first newline and the common indent, so line 1 of the file is the first line written. */
export function yaml(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\n\s*$/, '\n').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** What a memFs holds besides regular files. */
export interface MemExtras {
  /** Paths that exist but are no regular file. */
  special?: Record<string, 'directory' | 'fifo' | 'device' | 'socket'>;
  /** Symlinks, path -> absolute target; a link may stand for a folder. */
  links?: Record<string, string>;
}

/**
 * Lab files in memory, for the loader's injected file access. `inspect` answers as the disk would:
 * symlinks resolved, folders implied by the paths below them.
 */
export function memFs(files: Record<string, string>, extras: MemExtras = {}): SourceFs {
  const links = extras.links ?? {};
  const special = extras.special ?? {};
  const real = (p: string): string => {
    for (let hops = 0; hops < 40; hops++) {
      const link = Object.keys(links).find((l) => p === l || p.startsWith(`${l}/`));
      if (!link) return p;
      p = links[link] + p.slice(link.length);
    }
    throw Object.assign(new Error(`ELOOP: ${p}`), { code: 'ELOOP' });
  };
  const inspect = async (p: string): Promise<FileInfo> => {
    let r: string;
    try {
      r = real(p);
    } catch {
      return { kind: 'missing', sizeBytes: 0, realPath: p, code: 'ELOOP' };
    }
    if (r in files) return { kind: 'file', sizeBytes: Buffer.byteLength(files[r]), realPath: r };
    if (r in special) return { kind: special[r], sizeBytes: 0, realPath: r };
    const below = [...Object.keys(files), ...Object.keys(special), ...Object.keys(links)].some((k) => r === '/' || k.startsWith(`${r}/`));
    return below ? { kind: 'directory', sizeBytes: 4096, realPath: r } : { kind: 'missing', sizeBytes: 0, realPath: p, code: 'ENOENT' };
  };
  return {
    readFile: async (p) => {
      const r = real(p);
      if (r in files) return files[r];
      throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
    },
    exists: async (p) => (await inspect(p)).kind !== 'missing',
    inspect,
  };
}
