/**
 * The one TCP flag table: bits, and the letters tcpdump prints for them (print-tcp.c
 * tcp_flag_values), in its order. The pcap decoder names flags with it; the analysis matches
 * packets and labels them with it.
 */

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

const LETTERS: ReadonlyArray<readonly [number, string]> = [
  [TCP_FIN, 'F'],
  [TCP_SYN, 'S'],
  [TCP_RST, 'R'],
  [TCP_PSH, 'P'],
  [TCP_ACK, '.'],
  [TCP_URG, 'U'],
  [TCP_ECE, 'E'],
  [TCP_CWR, 'W'],
];

/** 'S', 'S.', 'P.', 'F.', 'R.'; '' when no flag is set. */
export function tcpFlagText(bits: number): string {
  let s = '';
  for (const [bit, letter] of LETTERS) if (bits & bit) s += letter;
  return s;
}

/** All 256 flag strings as the decoder reports them ('none' for no flag), computed once so the hot loop only indexes. */
export const TCP_FLAG_STRINGS: readonly string[] = Array.from({ length: 256 }, (_, bits) => tcpFlagText(bits) || 'none');

/** 'S.' → SYN|ACK; other characters ('none', '') add nothing. */
export function tcpFlagBits(text: string): number {
  let bits = 0;
  for (const ch of text) bits |= LETTERS.find(([, l]) => l === ch)?.[0] ?? 0;
  return bits;
}
