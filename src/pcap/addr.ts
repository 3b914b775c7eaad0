/**
 * Address formatting for the decoder. A capture holds few distinct addresses and many packets, so
 * IPv4 and MAC strings are cached by their numeric value: the hot loop then allocates no string for
 * a known address. The caches are bounded (cleared when full) so a hostile file cannot grow them.
 */

const CACHE_LIMIT = 1 << 16;

const ipv4Cache = new Map<number, string>();

/** Dotted quad of the 4 bytes at `off`. */
export function ipv4At(u8: Uint8Array, off: number): string {
  const key = ((u8[off] << 24) | (u8[off + 1] << 16) | (u8[off + 2] << 8) | u8[off + 3]) >>> 0;
  let s = ipv4Cache.get(key);
  if (s === undefined) {
    s = `${u8[off]}.${u8[off + 1]}.${u8[off + 2]}.${u8[off + 3]}`;
    if (ipv4Cache.size >= CACHE_LIMIT) ipv4Cache.clear();
    ipv4Cache.set(key, s);
  }
  return s;
}

const macCache = new Map<number, string>();
const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** aa:bb:cc:dd:ee:ff of the 6 bytes at `off`. */
export function macAt(u8: Uint8Array, off: number): string {
  // 48 bits fit a double exactly: high 16 bits * 2^32 + low 32 bits.
  const key =
    ((u8[off] << 8) | u8[off + 1]) * 4294967296 +
    (((u8[off + 2] << 24) | (u8[off + 3] << 16) | (u8[off + 4] << 8) | u8[off + 5]) >>> 0);
  let s = macCache.get(key);
  if (s === undefined) {
    s = `${HEX2[u8[off]]}:${HEX2[u8[off + 1]]}:${HEX2[u8[off + 2]]}:${HEX2[u8[off + 3]]}:${HEX2[u8[off + 4]]}:${HEX2[u8[off + 5]]}`;
    if (macCache.size >= CACHE_LIMIT) macCache.clear();
    macCache.set(key, s);
  }
  return s;
}

/**
 * The 16 bytes at `off` as inet_ntop (and so tcpdump) writes them: RFC 5952 zero compression of the
 * longest run of two or more zero groups (the first on a tie), lower-case hex, and the last 32 bits
 * dotted for IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses.
 */
export function ipv6At(u8: Uint8Array, off: number): string {
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (u8[off + 2 * i] === 0 && u8[off + 2 * i + 1] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && curLen > bestLen) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestLen < 2) bestBase = -1;

  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && u8[off + 10] === 0xff && u8[off + 11] === 0xff))) {
      s += `${u8[off + 12]}.${u8[off + 13]}.${u8[off + 14]}.${u8[off + 15]}`;
      break;
    }
    s += ((u8[off + 2 * i] << 8) | u8[off + 2 * i + 1]).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) s += ':';
  return s;
}
