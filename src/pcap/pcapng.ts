/**
 * pcap-ng framing: Section Header, Interface Description, Enhanced Packet, Simple Packet and the
 * obsolete Packet block; every other block is skipped. Each section sets its own byte order and
 * interfaces; each interface its link type, snapshot length and time stamp resolution/offset.
 * Unlike libpcap we keep reading when interfaces differ in link type: each packet carries its own.
 */
import { LabError } from '../errors.js';
import type { CaptureDirection, LinkType } from './types.js';
import { linkTypeName } from './link.js';
import { MAX_SNAPLEN, shrankAt, type RecordCursor } from './record.js';
import type { ByteWindow } from './source.js';

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_PB = 2;
const BT_SPB = 3;
const BT_EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** libpcap's initial bound on any block; a larger one means damage. */
const MAX_BLOCK_LEN = 16 * 1024 * 1024;
const MAX_SHB_LEN = 1024 * 1024;

interface Interface {
  linkType: LinkType;
  linkTypeCode: number;
  snapLen: number;
  /** Time stamp units per second (if_tsresol; default 10^6). */
  unitsPerSecond: number;
  /** if_tsoffset, seconds added to every time stamp. */
  offsetSeconds: number;
}

export function openPcapng(w: ByteWindow, name: string): RecordCursor {
  return new PcapngCursor(w, name);
}

class PcapngCursor implements RecordCursor {
  readonly format = 'pcapng' as const;
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
  recordLinkType: LinkType = 'unknown';
  littleEndian = true;
  direction: CaptureDirection = 'unknown';
  interfaceId = 0;

  private readonly w: ByteWindow;
  private readonly name: string;
  private interfaces: Interface[] = [];
  /** File offset of the next block. */
  private pos = 0;

  constructor(w: ByteWindow, name: string) {
    this.w = w;
    this.u8 = w.buf;
    this.name = name;
    if (w.size < 28) {
      throw new LabError('input', `${name}: truncated pcap-ng file: the section header needs 28 bytes, the file has ${w.size}`);
    }
    const why = this.readShb(0);
    if (why) throw new LabError('input', `${name}: unreadable pcap-ng section header: ${why}`);
    // The file-level fields come from the first interface, which must precede any packet.
    const first = this.findFirstInterface();
    this.linkType = first.linkType;
    this.linkTypeCode = first.linkTypeCode;
    this.snapLen = first.snapLen;
    this.nanosecond = first.unitsPerSecond > 1e6;
  }

  next(): boolean {
    const w = this.w;
    for (;;) {
      const off = this.pos;
      const left = w.size - off;
      if (left <= 0 || this.truncated !== undefined) return false;
      if (left < 12) return this.stop(`file ends inside a block header (byte ${off}: ${left} of 12 bytes)`);
      // The lookahead for the first interface may have moved the window past `off`.
      if ((off < w.base || off - w.base + 12 > w.end) && !w.fill(off, 12)) return this.stop(shrankAt(off));
      const le = this.littleEndian;
      let at = off - w.base;
      let dv = w.dv;
      const type = dv.getUint32(at, le);
      if (type === BT_SHB) {
        const why = this.readShb(off);
        if (why) return this.stop(why);
        continue;
      }
      const len = dv.getUint32(at + 4, le);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK_LEN) {
        return this.stop(`block at byte ${off} has an impossible length ${len}: the file is damaged from there on`);
      }
      if (len > left) return this.stop(`file ends inside a block (byte ${off}: it needs ${len} bytes, ${left} are left)`);
      if (at + len > w.end) {
        if (!w.fill(off, len)) return this.stop(shrankAt(off));
        at = 0;
        dv = w.dv;
      }
      if (dv.getUint32(at + len - 4, le) !== len) {
        return this.stop(`block at byte ${off}: lengths in its header and trailer differ: the file is damaged from there on`);
      }
      this.pos = off + len;
      const body = len - 12;
      if (type === BT_IDB) {
        const why = this.addInterface(at, off, len);
        if (why) return this.stop(why);
      } else if (type === BT_EPB || type === BT_PB) {
        if (body < 20) return this.stop(`packet block at byte ${off} is too short for its header`);
        const ifId = type === BT_EPB ? dv.getUint32(at + 8, le) : dv.getUint16(at + 8, le);
        const capLen = dv.getUint32(at + 20, le);
        if (capLen > body - 20) return this.stop(`packet block at byte ${off} claims ${capLen} captured bytes, more than the block holds`);
        if (!this.setRecord(off, ifId, capLen, dv.getUint32(at + 24, le), dv.getUint32(at + 12, le), dv.getUint32(at + 16, le))) return false;
        this.u8 = w.buf;
        this.dataOffset = at + 28;
        this.direction = type === BT_EPB ? this.epbDirection(at + 28 + ((capLen + 3) & ~3), at + len - 4) : 'unknown';
        return true;
      } else if (type === BT_SPB) {
        if (body < 4) return this.stop(`simple packet block at byte ${off} is too short for its header`);
        const wireLen = dv.getUint32(at + 8, le);
        const iface = this.interfaces[0];
        let capLen = iface && wireLen > iface.snapLen ? iface.snapLen : wireLen;
        if (capLen > body - 4) capLen = body - 4;
        if (!this.setRecord(off, 0, capLen, wireLen, 0, 0)) return false;
        this.u8 = w.buf;
        this.dataOffset = at + 12;
        this.direction = 'unknown';
        return true;
      }
    }
  }

  /** Fill the common record fields; false (and stop) when the interface is unknown or the length impossible. */
  private setRecord(off: number, ifId: number, capLen: number, wireLen: number, tsHigh: number, tsLow: number): boolean {
    const iface = this.interfaces[ifId];
    if (iface === undefined) return this.stop(`packet block at byte ${off} names interface ${ifId}, which no Interface Description Block defined`);
    if (capLen > iface.snapLen) return this.stop(`packet block at byte ${off} claims ${capLen} captured bytes, more than the snapshot length ${iface.snapLen}`);
    this.interfaceId = ifId;
    this.recordLinkType = iface.linkType;
    this.capLen = capLen;
    this.wireLen = wireLen;
    this.ts = timestamp(tsHigh, tsLow, iface.unitsPerSecond) + iface.offsetSeconds;
    return true;
  }

  /** epb_flags (option 2), bits 0-1: 1 inbound, 2 outbound. `opt` and `end` index the buffer. */
  private epbDirection(opt: number, end: number): CaptureDirection {
    const dv = this.w.dv;
    const le = this.littleEndian;
    while (opt + 4 <= end) {
      const code = dv.getUint16(opt, le);
      const len = dv.getUint16(opt + 2, le);
      if (code === 0) break;
      if (code === 2 && len === 4 && opt + 8 <= end) {
        const dir = dv.getUint32(opt + 4, le) & 3;
        return dir === 1 ? 'in' : dir === 2 ? 'out' : 'unknown';
      }
      opt += 4 + ((len + 3) & ~3);
    }
    return 'unknown';
  }

  /** Read the SHB at file offset `off`: sets the byte order, forgets the previous section's interfaces. Returns a reason on failure. */
  private readShb(off: number): string | undefined {
    const w = this.w;
    const left = w.size - off;
    if (left < 28) return `file ends inside a section header (byte ${off})`;
    if (!w.fill(off, 28)) return shrankAt(off);
    // Only the fixed 28 bytes are read: the section's options are not used.
    const at = off - w.base;
    const dv = w.dv;
    const magic = dv.getUint32(at + 8, true);
    if (magic === BYTE_ORDER_MAGIC) this.littleEndian = true;
    else if (magic === 0x4d3c2b1a) this.littleEndian = false;
    else return `section header at byte ${off} has a bad byte-order magic 0x${magic.toString(16)}`;
    const le = this.littleEndian;
    const len = dv.getUint32(at + 4, le);
    if (len < 28 || len % 4 !== 0 || len > MAX_SHB_LEN) return `section header at byte ${off} has an impossible length ${len}`;
    if (len > left) return `file ends inside the section header at byte ${off}`;
    const major = dv.getUint16(at + 12, le);
    if (major !== 1) return `section at byte ${off} is pcap-ng version ${major}.${dv.getUint16(at + 14, le)}; only 1.x is known`;
    this.interfaces = [];
    this.pos = off + len;
    return undefined;
  }

  /** Walk blocks from the first section to its first IDB, without consuming them. */
  private findFirstInterface(): Interface {
    const w = this.w;
    const le = this.littleEndian;
    for (let off = this.pos; off + 12 <= w.size; ) {
      if (!w.fill(off, 12)) break;
      const type = w.dv.getUint32(off - w.base, le);
      const len = w.dv.getUint32(off - w.base + 4, le);
      if (len < 12 || len % 4 !== 0 || off + len > w.size) break;
      if (type === BT_IDB) {
        if (len > MAX_BLOCK_LEN) throw new LabError('input', `${this.name}: interface block at byte ${off} has an impossible length ${len}`);
        if (!w.fill(off, len)) break;
        // Parse it now for the file-level fields; next() adds it again when it gets there.
        const why = this.addInterface(off - w.base, off, len);
        const first = this.interfaces[0];
        this.interfaces = [];
        if (why) throw new LabError('input', `${this.name}: ${why}`);
        return first;
      }
      if (type === BT_EPB || type === BT_SPB || type === BT_PB || type === BT_SHB) break;
      off += len;
    }
    throw new LabError('input', `${this.name}: pcap-ng file has no Interface Description Block before its first packet (or is cut before one)`, {
      hint: 'tcpdump writes one at the start of every capture; the file is damaged or was cut short',
    });
  }

  /** Parse the IDB at buffer index `at` (file offset `off`) and append it. Returns a reason when it is unusable. */
  private addInterface(at: number, off: number, len: number): string | undefined {
    const dv = this.w.dv;
    const u8 = this.w.buf;
    const le = this.littleEndian;
    if (len < 20) return `interface block at byte ${off} is too short`;
    const linkTypeCode = dv.getUint16(at + 8, le);
    const snap = dv.getUint32(at + 12, le);
    const iface: Interface = {
      linkType: linkTypeName(linkTypeCode),
      linkTypeCode,
      snapLen: snap === 0 || snap > MAX_SNAPLEN ? MAX_SNAPLEN : snap,
      unitsPerSecond: 1e6,
      offsetSeconds: 0,
    };
    const end = at + len - 4;
    for (let opt = at + 16; opt + 4 <= end; ) {
      const code = dv.getUint16(opt, le);
      const optLen = dv.getUint16(opt + 2, le);
      if (code === 0) break;
      if (opt + 4 + optLen > end) return `interface block at byte ${off} has an option running past its end`;
      if (code === 9 && optLen === 1) {
        const r = u8[opt + 4];
        const exp = r & 0x7f;
        if ((r & 0x80 ? exp > 63 : exp > 19)) return `interface block at byte ${off} has an impossible time stamp resolution`;
        iface.unitsPerSecond = r & 0x80 ? 2 ** exp : 10 ** exp;
      } else if (code === 14 && optLen === 8) {
        iface.offsetSeconds = Number(dv.getBigInt64(opt + 4, le));
      }
      opt += 4 + ((optLen + 3) & ~3);
    }
    this.interfaces.push(iface);
    return undefined;
  }

  private stop(why: string): false {
    this.truncated = `${this.name}: ${why}`;
    this.pos = this.w.size;
    return false;
  }
}

/** Seconds of a 64-bit time stamp in `units` per second, exact to the unit where a double allows. */
function timestamp(high: number, low: number, units: number): number {
  if (high < 0x200000) {
    // Below 2^53 the value is an exact double.
    const t = high * 4294967296 + low;
    let sec = Math.floor(t / units);
    let frac = t - sec * units;
    // The division may round up across a second boundary when units are fine.
    if (frac < 0) {
      sec--;
      frac += units;
    }
    return sec + frac / units;
  }
  const t = (BigInt(high) << 32n) | BigInt(low);
  const u = BigInt(units);
  return Number(t / u) + Number(t % u) / units;
}
