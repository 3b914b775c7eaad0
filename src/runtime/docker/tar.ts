/**
 * A minimal ustar writer: enough to hand docker's putArchive a few files (the docker runtime's
 * writeFile). Pure: entries in, bytes out.
 */

export interface TarEntry {
  /** Path inside the archive, relative (no leading `/`), at most 255 bytes. */
  name: string;
  content: Buffer | string;
  /** Octal permission bits; default 0o644. */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch; default now. */
  mtimeS?: number;
}

const BLOCK = 512;

function writeString(buf: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar: '${value}' does not fit in ${length} bytes`);
  bytes.copy(buf, offset);
}

/** Numeric fields are zero-padded octal followed by a NUL. */
function writeOctal(buf: Buffer, offset: number, length: number, value: number): void {
  const s = Math.floor(value).toString(8);
  if (s.length > length - 1) throw new Error(`tar: ${value} does not fit in ${length} bytes`);
  writeString(buf, offset, length, `${s.padStart(length - 1, '0')}\0`);
}

/** ustar keeps names up to 100 bytes, longer ones split at a `/` into a 155-byte prefix. */
function splitName(name: string): { name: string; prefix: string } {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return { name: rest, prefix };
  }
  throw new Error(`tar: path too long: ${name}`);
}

export function tarHeader(e: TarEntry, size: number): Buffer {
  if (e.name.startsWith('/') || e.name.split('/').includes('..')) throw new Error(`tar: unsafe path: ${e.name}`);
  const h = Buffer.alloc(BLOCK);
  const { name, prefix } = splitName(e.name);
  writeString(h, 0, 100, name);
  writeOctal(h, 100, 8, e.mode ?? 0o644);
  writeOctal(h, 108, 8, e.uid ?? 0);
  writeOctal(h, 116, 8, e.gid ?? 0);
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, e.mtimeS ?? Date.now() / 1000);
  h.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  writeString(h, 156, 1, '0'); // regular file
  writeString(h, 257, 6, 'ustar\0');
  writeString(h, 263, 2, '00');
  writeString(h, 345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  writeString(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** The archive: each entry's header and content padded to 512 bytes, then two zero blocks. */
export function buildTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = typeof e.content === 'string' ? Buffer.from(e.content, 'utf8') : e.content;
    parts.push(tarHeader(e, body.length), body);
    const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
