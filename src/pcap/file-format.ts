/**
 * Capture file framing: classic pcap here, pcap-ng in pcapng.ts. A cursor walks the records of one
 * capture through a ByteWindow (the file in memory, or read in chunks into one reused buffer) and
 * exposes the current record in its own fields (no object per record), so the decoding loop
 * allocates only the packets it returns.
 *
 * Damage is handled the way libpcap handles it, so packet counts agree with tcpdump's: a header we
 * cannot use is a LabError('input'); a record that is cut short or claims an impossible length ends
 * the reading, keeps what came before, and says why in `truncated`.
 */
import { LabError } from '../errors.js';
import type { CaptureDirection, LinkType } from './types.js';
import { linkTypeName } from './link.js';
import { openPcapng } from './pcapng.js';
import { MAX_SNAPLEN, notCapture, shrankAt, type RecordCursor } from './record.js';
import type { ByteWindow } from './source.js';

export type { RecordCursor } from './record.js';

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const MAGIC_KUZNETZOV = 0xa1b2cd34; // patched libpcap: 8 more bytes per record header
const PCAPNG_SHB = 0x0a0d0d0a;
const FILE_HEADER_LEN = 24;

/**
 * Open a capture: the magic number and file header are checked before anything else is read.
 * Throws LabError('input') when it is not a file we can read.
 */
export function openCapture(w: ByteWindow, name: string): RecordCursor {
  if (w.size < 4) throw notCapture(name, `it is ${w.size} bytes long, too short for any capture header`);
  if (!w.fill(0, Math.min(w.size, 28))) throw notCapture(name, 'it shrank while being opened');
  const dv = w.dv;
  const be = dv.getUint32(0, false);
  if (be === PCAPNG_SHB) return openPcapng(w, name);
  const le = dv.getUint32(0, true);
  for (const magic of [MAGIC_US, MAGIC_NS, MAGIC_KUZNETZOV]) {
    if (le === magic || be === magic) return new PcapCursor(w, name, magic, le === magic);
  }
  throw notCapture(name, `it starts with 0x${be.toString(16).padStart(8, '0')}, which is neither a pcap nor a pcap-ng magic number`);
}

class PcapCursor implements RecordCursor {
  readonly format = 'pcap' as const;
  readonly linkType: LinkType;
  readonly linkTypeCode: number;
  readonly snapLen: number;
  readonly nanosecond: boolean;
  truncated: string | undefined = undefined;
  u8: Uint8Array;
  dataOffset = 0;
  capLen = 0;
  wireLen = 0;
  ts = 0;
  recordLinkType: LinkType;
  readonly littleEndian: boolean;
  direction: CaptureDirection = 'unknown';
  interfaceId = -1;

  private readonly w: ByteWindow;
  private readonly name: string;
  private readonly recordHeaderLen: number;
  private readonly fracPerSecond: number;
  /** Before pcap 2.3, caplen and len were stored the other way round (libpcap: SWAPPED/MAYBE_SWAPPED). */
  private readonly lengthsSwapped: 'no' | 'yes' | 'maybe';
  private pos = FILE_HEADER_LEN;
  private index = 0;

  constructor(w: ByteWindow, name: string, magic: number, littleEndian: boolean) {
    if (w.size < FILE_HEADER_LEN) {
      throw new LabError('input', `${name}: truncated pcap file: the header is ${FILE_HEADER_LEN} bytes but the file has only ${w.size}`, {
        hint: 'the capture was cut before tcpdump wrote its header; capture again',
      });
    }
    const dv = w.dv;
    const major = dv.getUint16(4, littleEndian);
    const minor = dv.getUint16(6, littleEndian);
    if (!((major === 2 && minor <= 4) || (major === 543 && minor === 0))) {
      throw new LabError('input', `${name}: unsupported pcap version ${major}.${minor} (only 2.0 to 2.4 exist)`);
    }
    this.w = w;
    this.u8 = w.buf;
    this.name = name;
    this.littleEndian = littleEndian;
    this.lengthsSwapped = major === 543 || minor < 3 ? 'yes' : minor === 3 ? 'maybe' : 'no';
    // The upper 16 bits carry FCS-length flags; the link type is the low 16.
    this.linkTypeCode = dv.getUint32(20, littleEndian) & 0xffff;
    this.linkType = this.recordLinkType = linkTypeName(this.linkTypeCode);
    const snap = dv.getUint32(16, littleEndian);
    let snapLen = snap === 0 || snap > MAX_SNAPLEN ? MAX_SNAPLEN : snap;
    this.recordHeaderLen = magic === MAGIC_KUZNETZOV ? 24 : 16;
    // The patched libpcap added a faked Ethernet header after snapping (libpcap does the same).
    if (magic === MAGIC_KUZNETZOV && this.linkTypeCode === 1) snapLen += 14;
    this.snapLen = snapLen;
    this.nanosecond = magic === MAGIC_NS;
    this.fracPerSecond = this.nanosecond ? 1e9 : 1e6;
  }

  next(): boolean {
    const off = this.pos;
    const left = this.w.size - off;
    if (left <= 0) return false;
    const hdr = this.recordHeaderLen;
    if (left < hdr) return this.stop(`file ends inside the header of packet ${this.index + 1} (byte ${off}: ${left} of ${hdr} bytes)`);
    const w = this.w;
    // Fast path: the record is in the buffer; otherwise refill from its first byte.
    if (off - w.base + hdr > w.end && !w.fill(off, hdr)) return this.stop(shrankAt(off));
    let at = off - w.base;
    let dv = w.dv;
    const le = this.littleEndian;
    let capLen = dv.getUint32(at + 8, le);
    let wireLen = dv.getUint32(at + 12, le);
    if (this.lengthsSwapped === 'yes' || (this.lengthsSwapped === 'maybe' && capLen > wireLen)) {
      const t = capLen;
      capLen = wireLen;
      wireLen = t;
    }
    if (capLen > MAX_SNAPLEN) {
      return this.stop(`packet ${this.index + 1} (byte ${off}) claims ${capLen} captured bytes, more than the ${MAX_SNAPLEN} maximum: the file is damaged from there on`);
    }
    if (capLen > left - hdr) {
      return this.stop(`file ends inside packet ${this.index + 1} (byte ${off}): it needs ${capLen} bytes, ${left - hdr} are left`);
    }
    // Like libpcap, a record longer than the snapshot length is cut to it (the rest is skipped).
    const keep = capLen > this.snapLen ? this.snapLen : capLen;
    if (at + hdr + keep > w.end) {
      if (!w.fill(off, hdr + keep)) return this.stop(shrankAt(off));
      at = 0;
      dv = w.dv;
    }
    this.pos = off + hdr + capLen;
    this.u8 = w.buf;
    this.dataOffset = at + hdr;
    this.capLen = keep;
    this.wireLen = wireLen;
    this.ts = dv.getUint32(at, le) + dv.getUint32(at + 4, le) / this.fracPerSecond;
    this.index++;
    return true;
  }

  private stop(why: string): false {
    this.truncated = `${this.name}: ${why}`;
    this.pos = this.w.size;
    return false;
  }
}
