/** What the pcap and pcap-ng framers share: the record cursor they expose and their limits. */
import { LabError } from '../errors.js';
import type { CaptureDirection, LinkType } from './types.js';

/** libpcap's MAXIMUM_SNAPLEN: no sane record captures more, and a larger one means damage. */
export const MAX_SNAPLEN = 262144;

export interface RecordCursor {
  readonly format: 'pcap' | 'pcapng';
  /** The file's link type (pcap-ng: the first interface's). */
  readonly linkType: LinkType;
  readonly linkTypeCode: number;
  readonly snapLen: number;
  readonly nanosecond: boolean;
  /** Set once `next()` has returned false because the file was cut or damaged. */
  truncated: string | undefined;

  /** Move to the next packet record; false at the end of the file (see `truncated`). */
  next(): boolean;
  // The current record: bytes [dataOffset, dataOffset + capLen) of u8, valid until the next call.
  u8: Uint8Array;
  dataOffset: number;
  capLen: number;
  wireLen: number;
  ts: number;
  recordLinkType: LinkType;
  /** Byte order of the record's section, for link layers stored in host order (NFLOG). */
  littleEndian: boolean;
  direction: CaptureDirection;
  /** pcap-ng interface id; -1 for classic pcap. */
  interfaceId: number;
}

/** Why reading stops when the file delivers fewer bytes than its size promised at open. */
export const shrankAt = (off: number): string => `the file shrank while being read (at byte ${off})`;

export function notCapture(name: string, why: string): LabError {
  return new LabError('input', `${name}: not a readable capture file: ${why}`, {
    hint: 'asymlab reads what tcpdump -w writes: pcap (microsecond or nanosecond, either byte order) and pcap-ng',
  });
}
