/**
 * The pcap reader: pcap and pcap-ng files in, DecodedPackets out. `decodePcap` is pure; `readPcap`
 * adds the file read; `iteratePackets` decodes one packet at a time, for files too big to hold
 * every decoded packet at once.
 */
import { readFile } from 'node:fs/promises';
import { LabError } from '../errors.js';
import type { DecodedPacket, LinkType, PcapFile } from './types.js';
import { openCapture, type RecordCursor } from './file-format.js';
import { decodeLink } from './link.js';

/** A capture being decoded. Iterate it, or pull with `read()`; `truncated` is final once it is done. */
export class PacketReader implements IterableIterator<DecodedPacket> {
  readonly format: 'pcap' | 'pcapng';
  readonly linkType: LinkType;
  readonly linkTypeCode: number;
  readonly snapLen: number;
  readonly nanosecond: boolean;
  private readonly u8: Uint8Array;
  private readonly cursor: RecordCursor;
  private returned = 0;

  constructor(buf: Uint8Array, name: string) {
    this.u8 = buf;
    this.cursor = openCapture(buf, name);
    this.format = this.cursor.format;
    this.linkType = this.cursor.linkType;
    this.linkTypeCode = this.cursor.linkTypeCode;
    this.snapLen = this.cursor.snapLen;
    this.nanosecond = this.cursor.nanosecond;
  }

  /** Packets returned so far. */
  get count(): number {
    return this.returned;
  }

  /** Why reading stopped before the end of the file, once it has. */
  get truncated(): string | undefined {
    return this.cursor.truncated;
  }

  /** The next packet, or undefined at the end of the file. */
  read(): DecodedPacket | undefined {
    const c = this.cursor;
    if (!c.next()) return undefined;
    const pkt: DecodedPacket = {
      index: this.returned++,
      ts: c.ts,
      capLen: c.capLen,
      wireLen: c.wireLen,
      linkType: c.recordLinkType,
      direction: c.direction,
    };
    if (c.interfaceId >= 0) pkt.interfaceId = c.interfaceId;
    try {
      decodeLink(c.recordLinkType, this.u8, c.dataOffset, c.dataOffset + c.capLen, c.wireLen, pkt, c.littleEndian);
    } catch (err) {
      // The decoders check every length; this is the last line of defence against a bug, so one
      // odd packet never costs the whole file.
      pkt.partial = `decoder error: ${err instanceof Error ? err.message : String(err)}`;
    }
    return pkt;
  }

  next(): IteratorResult<DecodedPacket> {
    const value = this.read();
    return value === undefined ? { done: true, value: undefined } : { done: false, value };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/** Decode packets one at a time. Throws LabError('input') if the buffer is not a capture file. */
export function iteratePackets(buf: Uint8Array, name = 'capture'): PacketReader {
  return new PacketReader(buf, name);
}

/** Decode a whole capture held in memory. Pure. Throws LabError('input') if it is not a capture file. */
export function decodePcap(buf: Uint8Array, name = 'capture'): PcapFile {
  const reader = new PacketReader(buf, name);
  const packets: DecodedPacket[] = [];
  for (let p = reader.read(); p !== undefined; p = reader.read()) packets.push(p);
  const file: PcapFile = {
    format: reader.format,
    linkType: reader.linkType,
    linkTypeCode: reader.linkTypeCode,
    snapLen: reader.snapLen,
    nanosecond: reader.nanosecond,
    packets,
  };
  if (reader.truncated !== undefined) file.truncated = reader.truncated;
  return file;
}

/** Read a file into memory, turning fs errors into LabError('input') that name it. */
export async function readCaptureFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String((err as Error).message);
    throw new LabError('input', `${path}: cannot read capture file: ${why}`, { cause: err });
  }
}

export async function readPcap(path: string): Promise<PcapFile> {
  return decodePcap(await readCaptureFile(path), path);
}
