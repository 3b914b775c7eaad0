/**
 * Splits docker's multiplexed attach stream (non-TTY exec) into stdout and stderr. Each frame is
 * an 8-byte header — stream type (1 = stdout, 2 = stderr), three zero bytes, a big-endian
 * payload length — then the payload. Frames may arrive split across chunks. Pure.
 */
export class Demuxer {
  private pending: Buffer = Buffer.alloc(0);
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const payload = this.pending.subarray(8, 8 + size);
      (this.pending[0] === 2 ? this.err : this.out).push(payload);
      this.pending = this.pending.subarray(8 + size);
    }
  }

  get stdout(): string {
    return Buffer.concat(this.out).toString('utf8');
  }

  get stderr(): string {
    return Buffer.concat(this.err).toString('utf8');
  }

  /** Bytes of a frame still incomplete (a cut stream). */
  get leftover(): number {
    return this.pending.length;
  }
}

/** One frame, as docker writes it: for tests. */
export function frame(stream: 1 | 2, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}
