import { LabError } from '../../errors.js';
import { formatPacketLine, formatSummary, type CaptureSummary } from '../../pcap/format.js';
import { openPcap } from '../../pcap/read.js';

/**
 * `asymlab pcap FILE [--json]`: one line per packet (text, or one JSON object per line), then a
 * summary line. The file is streamed and packets are printed as they are decoded, so a big capture
 * is never held in memory, read or decoded. A file cut short still exits 0: its packets were
 * printed and the summary says where it stopped. FIFOs, devices and directories are refused.
 */
export async function pcapCommand(args: { file: string; json: boolean }, out: (line: string) => void): Promise<number> {
  if (!args.file) throw new LabError('input', 'no capture file given', { hint: 'asymlab pcap FILE [--json]' });
  const reader = openPcap(args.file);
  for (const p of reader) out(args.json ? JSON.stringify(p) : formatPacketLine(p));
  const summary: CaptureSummary = {
    format: reader.format,
    linkType: reader.linkType,
    linkTypeCode: reader.linkTypeCode,
    packets: reader.count,
  };
  if (reader.truncated !== undefined) summary.truncated = reader.truncated;
  out(args.json ? JSON.stringify({ summary: { ...summary, snapLen: reader.snapLen, nanosecond: reader.nanosecond } }) : formatSummary(summary));
  return 0;
}
