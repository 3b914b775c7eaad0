/**
 * The pcap reader: pcap and pcap-ng files in, DecodedPackets out. `openPcap` streams a file through
 * one reused buffer and decodes one packet at a time; `readPcap` keeps them all; `decodePcap` and
 * `iteratePackets` do the same for a capture already in memory (pure, no fs).
 */
import type { DecodedPacket, LinkType, PcapFile } from './types.js';
import { openCapture, type RecordCursor } from './file-format.js';
import { decodeLink } from './link.js';
import { memoryWindow, openFileWindow, type ByteWindow } from './source.js';

/** A capture being decoded. Iterate it, or pull with `read()`; `truncated` is final once it is done. */
export class PacketReader implements IterableIterator<DecodedPacket> {
  readonly format: 'pcap' | 'pcapng';
  readonly linkType: LinkType;
  readonly linkTypeCode: number;
  readonly snapLen: number;
  readonly nanosecond: boolean;
  private readonly window: ByteWindow;
  private readonly cursor: RecordCursor;
  private returned = 0;
  private done = false;

  /** Takes the window over: it is closed when reading ends, fails, or `close()` is called. */
  constructor(window: ByteWindow, name: string) {
    this.window = window;
    try {
      this.cursor = openCapture(window, name);
    } catch (err) {
      window.close();
      throw err;
    }
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
    if (this.done) return undefined;
    const c = this.cursor;
    let more: boolean;
    try {
      more = c.next();
    } catch (err) {
      this.close(); // a read error on the file
      throw err;
    }
    if (!more) {
      this.close();
      return undefined;
    }
    // The fields of the common packet (Ethernet, IP, TCP or UDP) are created here, undefined until
    // a decoder sets them: such packets are born with their final shape instead of growing a
    // property store field by field. With a million packets kept (decodePcap) that is a third less
    // time, nearly all of it garbage collection. Undefined fields are absent to JSON and toEqual.
    const pkt: DecodedPacket = {
      index: this.returned++,
      ts: c.ts,
      capLen: c.capLen,
      wireLen: c.wireLen,
      linkType: c.recordLinkType,
      direction: c.direction,
      srcMac: undefined,
      dstMac: undefined,
      etherType: undefined,
      ip: undefined,
      tcp: undefined,
      udp: undefined,
    };
    if (c.interfaceId >= 0) pkt.interfaceId = c.interfaceId;
    try {
      decodeLink(c.recordLinkType, c.u8, c.dataOffset, c.dataOffset + c.capLen, c.wireLen, pkt, c.littleEndian);
    } catch (err) {
      // The decoders check every length; this is the last line of defence against a bug, so one
      // odd packet never costs the whole file.
      pkt.partial = `decoder error: ${err instanceof Error ? err.message : String(err)}`;
    }
    return pkt;
  }

  /** Stop reading and release the file (idempotent). `for...of` calls it when the loop is left early. */
  close(): void {
    this.done = true;
    this.window.close();
  }

  next(): IteratorResult<DecodedPacket> {
    const value = this.read();
    return value === undefined ? { done: true, value: undefined } : { done: false, value };
  }

  return(): IteratorResult<DecodedPacket> {
    this.close();
    return { done: true, value: undefined };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/** Decode packets one at a time from a capture in memory. Throws LabError('input') if it is not a capture file. */
export function iteratePackets(buf: Uint8Array, name = 'capture'): PacketReader {
  return new PacketReader(memoryWindow(buf), name);
}

/**
 * Decode a capture file one packet at a time, reading it in chunks of `chunkBytes` into one reused
 * buffer. Throws LabError('input') naming the file when it is missing, not a regular file (FIFO,
 * device, directory) or not a capture; nothing is read past the header in that case.
 */
export function openPcap(path: string, opts: { chunkBytes?: number } = {}): PacketReader {
  return new PacketReader(openFileWindow(path, opts.chunkBytes), path);
}

/** Every packet of a reader, with the file's fields. */
export function collectPackets(reader: PacketReader): PcapFile {
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

/** Decode a whole capture held in memory. Pure. Throws LabError('input') if it is not a capture file. */
export function decodePcap(buf: Uint8Array, name = 'capture'): PcapFile {
  return collectPackets(iteratePackets(buf, name));
}

/** Read and decode a whole capture file, streaming it (see `openPcap`). */
export async function readPcap(path: string, opts: { chunkBytes?: number } = {}): Promise<PcapFile> {
  return collectPackets(openPcap(path, opts));
}
