/**
 * Where the framers get their bytes: a window onto a capture, either all of it in memory or a file
 * read in chunks into one reused buffer. Positions are file offsets; `base` maps them to the buffer.
 * A file is checked before anything is read from it: only regular files are read, so a FIFO cannot
 * hang the reader and /dev/zero cannot fill memory.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { LabError } from '../errors.js';

/** Read `length` bytes at file offset `position` into `into` from `at`; returns the count read (0 at the end). */
export type ReadAt = (into: Uint8Array, at: number, length: number, position: number) => number;

/**
 * Bytes read per refill. One pcap record is at most 256 KiB and one pcap-ng block 16 MiB: the
 * buffer grows to hold a record bigger than itself, then stays that size.
 */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;

export class ByteWindow {
  /** Holds file bytes [base, base + end). Replaced when it grows: read it again after `fill`. */
  buf: Uint8Array;
  dv: DataView;
  base = 0;
  end: number;
  /** Bytes in the file, as it was when opened. */
  readonly size: number;
  private readonly readAt: ReadAt | undefined;
  private readonly onClose: (() => void) | undefined;

  constructor(opts: { bytes: Uint8Array } | { size: number; readAt: ReadAt; chunkBytes?: number; onClose?: () => void }) {
    if ('bytes' in opts) {
      this.buf = opts.bytes;
      this.size = this.end = opts.bytes.length;
    } else {
      this.size = opts.size;
      this.readAt = opts.readAt;
      this.onClose = opts.onClose;
      // A small file gets a buffer its size, not a whole chunk.
      this.buf = new Uint8Array(Math.max(64, Math.min(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES, opts.size)));
      this.end = 0;
    }
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /**
   * Make file bytes [off, off + n) readable in `buf` at `off - base`; the caller has checked that the
   * file holds them. False when a read came up short (the file shrank while being read).
   */
  fill(off: number, n: number): boolean {
    const at = off - this.base;
    if (at >= 0 && at + n <= this.end) return true;
    if (this.readAt === undefined) return false;
    // Keep what is already read of [off, ...), move it to the front, read the rest after it.
    const kept = at >= 0 && at < this.end ? this.end - at : 0;
    if (n > this.buf.length) {
      const grown = new Uint8Array(Math.max(n, this.buf.length * 2));
      if (kept) grown.set(this.buf.subarray(at, this.end));
      this.buf = grown;
      this.dv = new DataView(grown.buffer);
    } else if (kept && at > 0) {
      this.buf.copyWithin(0, at, this.end);
    }
    this.base = off;
    this.end = kept;
    while (this.end < n) {
      const want = Math.min(this.buf.length - this.end, this.size - (this.base + this.end));
      if (want <= 0) break;
      const got = this.readAt(this.buf, this.end, want, this.base + this.end);
      if (got <= 0) break;
      this.end += got;
    }
    return this.end >= n;
  }

  /** Release the file (idempotent). */
  close(): void {
    this.onClose?.();
  }
}

/** A capture held in memory. */
export function memoryWindow(bytes: Uint8Array): ByteWindow {
  return new ByteWindow({ bytes });
}

function describeKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function cannotRead(path: string, why: string, cause?: unknown): LabError {
  return new LabError('input', `${path}: cannot read capture file: ${why}`, {
    cause,
    hint: 'give the path of a pcap or pcap-ng file, such as one under a run\'s captures/ folder',
  });
}

function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return String((err as Error).message);
}

/**
 * Open a capture file for chunked reading. Throws LabError('input') naming the file when it does not
 * exist, cannot be opened, or is not a regular file (FIFO, device, directory, socket): those are
 * refused before a byte is read. The file is opened non-blocking, so a FIFO swapped in after the
 * check cannot hang the open either.
 */
export function openFileWindow(path: string, chunkBytes = DEFAULT_CHUNK_BYTES): ByteWindow {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    throw cannotRead(path, fsReason(err), err);
  }
  if (!st.isFile()) throw cannotRead(path, `it is ${describeKind(st)}, not a capture file`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw cannotRead(path, fsReason(err), err);
  }
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile()) throw cannotRead(path, `it is ${describeKind(fst)}, not a capture file`);
    let open = true;
    return new ByteWindow({
      size: fst.size,
      chunkBytes,
      readAt: (into, at, length, position) => {
        try {
          return readSync(fd, into, at, length, position);
        } catch (err) {
          throw cannotRead(path, `read failed at byte ${position}: ${fsReason(err)}`, err);
        }
      },
      onClose: () => {
        if (open) closeSync(fd);
        open = false;
      },
    });
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
