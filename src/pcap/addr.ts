/**
 * Address formatting for the decoder. A capture holds few distinct addresses and many packets, so
 * address strings are cached: the hot loop then allocates no string for a known address. Each cache
 * is direct-mapped (a fixed table indexed by a hash of the address bytes, the bytes stored beside
 * the string to confirm a hit): no Map, no boxed key, and a hostile file cannot grow it.
 */

const SLOT_BITS = 12;
const SLOTS = 1 << SLOT_BITS;
const SHIFT = 32 - SLOT_BITS;

/** A slot from 32 well-mixed bits (Fibonacci hashing). */
const slotOf = (h: number): number => Math.imul(h, 0x9e3779b1) >>> SHIFT;

const ipv4Keys = new Int32Array(SLOTS);
const ipv4Strs: Array<string | undefined> = new Array<string | undefined>(SLOTS).fill(undefined);

/** Dotted quad of the 4 bytes at `off`. */
export function ipv4At(u8: Uint8Array, off: number): string {
  const key = (u8[off] << 24) | (u8[off + 1] << 16) | (u8[off + 2] << 8) | u8[off + 3];
  const slot = slotOf(key);
  const hit = ipv4Strs[slot];
  if (hit !== undefined && ipv4Keys[slot] === key) return hit;
  const s = `${u8[off]}.${u8[off + 1]}.${u8[off + 2]}.${u8[off + 3]}`;
  ipv4Keys[slot] = key;
  ipv4Strs[slot] = s;
  return s;
}

const macHigh = new Int32Array(SLOTS);
const macLow = new Int32Array(SLOTS);
const macStrs: Array<string | undefined> = new Array<string | undefined>(SLOTS).fill(undefined);
const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** aa:bb:cc:dd:ee:ff of the 6 bytes at `off`. */
export function macAt(u8: Uint8Array, off: number): string {
  const high = (u8[off] << 8) | u8[off + 1];
  const low = (u8[off + 2] << 24) | (u8[off + 3] << 16) | (u8[off + 4] << 8) | u8[off + 5];
  const slot = slotOf(low ^ Math.imul(high, 0x85ebca6b));
  const hit = macStrs[slot];
  if (hit !== undefined && macLow[slot] === low && macHigh[slot] === high) return hit;
  const s = `${HEX2[u8[off]]}:${HEX2[u8[off + 1]]}:${HEX2[u8[off + 2]]}:${HEX2[u8[off + 3]]}:${HEX2[u8[off + 4]]}:${HEX2[u8[off + 5]]}`;
  macHigh[slot] = high;
  macLow[slot] = low;
  macStrs[slot] = s;
  return s;
}

const ipv6Keys = new Int32Array(SLOTS * 4);
const ipv6Strs: Array<string | undefined> = new Array<string | undefined>(SLOTS).fill(undefined);

const word = (u8: Uint8Array, o: number): number => (u8[o] << 24) | (u8[o + 1] << 16) | (u8[o + 2] << 8) | u8[o + 3];

/** The 16 bytes at `off` as text (see `formatIpv6`), cached. */
export function ipv6At(u8: Uint8Array, off: number): string {
  const w0 = word(u8, off);
  const w1 = word(u8, off + 4);
  const w2 = word(u8, off + 8);
  const w3 = word(u8, off + 12);
  const slot = slotOf(Math.imul(Math.imul(Math.imul(w0, 0x85ebca6b) ^ w1, 0xc2b2ae35) ^ w2, 0x27d4eb2f) ^ w3);
  const k = slot * 4;
  const hit = ipv6Strs[slot];
  if (hit !== undefined && ipv6Keys[k + 3] === w3 && ipv6Keys[k + 2] === w2 && ipv6Keys[k + 1] === w1 && ipv6Keys[k] === w0) return hit;
  const s = formatIpv6(u8, off);
  ipv6Keys[k] = w0;
  ipv6Keys[k + 1] = w1;
  ipv6Keys[k + 2] = w2;
  ipv6Keys[k + 3] = w3;
  ipv6Strs[slot] = s;
  return s;
}

/**
 * The 16 bytes at `off` as inet_ntop (and so tcpdump) writes them: RFC 5952 zero compression of the
 * longest run of two or more zero groups (the first on a tie), lower-case hex, and the last 32 bits
 * dotted for IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses.
 */
export function formatIpv6(u8: Uint8Array, off: number): string {
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
