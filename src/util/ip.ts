/** IPv4/IPv6 address and prefix helpers. Pure. Addresses become bigints so v4 and v6 share one code path. */

export interface Prefix {
  version: 4 | 6;
  /** The address as written (host bits kept), as a bigint. */
  addr: bigint;
  len: number;
  text: string;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseAddress(text: string): { version: 4 | 6; value: bigint } | undefined {
  const m = V4.exec(text);
  if (m) {
    const parts = m.slice(1).map(Number);
    if (parts.some((p) => p > 255) || m.slice(1).some((p) => p.length > 1 && p.startsWith('0'))) return undefined;
    return { version: 4, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const dbl = text.split('::');
  if (dbl.length > 2) return undefined;
  // A dotted quad may only end the address: `::ffff:1.2.3.4`, never `1.2.3.4::`.
  const side = (s: string, last: boolean): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const groups = s.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (last && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseAddress(g);
        if (!v4 || v4.version !== 4) return undefined;
        out.push(Number(v4.value >> 16n), Number(v4.value & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(parseInt(g, 16));
      else return undefined;
    }
    return out;
  };
  const head = side(dbl[0], dbl.length === 1);
  const tail = dbl.length === 2 ? side(dbl[1], true) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (dbl.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const groups = [...head, ...Array(dbl.length === 2 ? fill : 0).fill(0), ...tail];
  return { version: 6, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) };
}

export function isAddress(text: string): boolean {
  return parseAddress(text) !== undefined;
}

export function parsePrefix(text: string): Prefix | undefined {
  if (text === 'default') return undefined;
  const [a, l, ...rest] = text.split('/');
  if (rest.length || l === undefined || !/^\d{1,3}$/.test(l)) return undefined;
  const addr = parseAddress(a);
  if (!addr) return undefined;
  const len = Number(l);
  if (len > (addr.version === 4 ? 32 : 128)) return undefined;
  return { version: addr.version, addr: addr.value, len, text };
}

function bits(version: 4 | 6): number {
  return version === 4 ? 32 : 128;
}

export function network(p: Prefix): bigint {
  const b = bits(p.version);
  const mask = ((1n << BigInt(b)) - 1n) ^ ((1n << BigInt(b - p.len)) - 1n);
  return p.addr & mask;
}

/** The prefix with host bits cleared, as text: 10.1.0.10/24 -> 10.1.0.0/24. */
export function networkText(p: Prefix): string {
  return `${formatAddress(p.version, network(p))}/${p.len}`;
}

/**
 * Text of an address as inet_ntop (so iproute2 and tcpdump) writes it: for IPv6, RFC 5952 (lower
 * case, the longest run of two or more zero groups compressed, the first on a tie) and the last 32
 * bits dotted for IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses.
 */
export function formatAddress(version: 4 | 6, value: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  const v4 = () => formatAddress(4, value & 0xffffffffn);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${v4()}`;
  if (groups.slice(0, 6).every((g) => g === 0) && groups[6] !== 0) return `::${v4()}`;
  // RFC 5952: compress the longest run of two or more zero groups.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function contains(p: Prefix, address: string): boolean {
  const a = parseAddress(address);
  if (!a || a.version !== p.version) return false;
  return network({ ...p, addr: a.value }) === network(p);
}

/** Whether prefix `inner` lies inside prefix `outer`. */
export function covers(outer: Prefix, inner: Prefix): boolean {
  return outer.version === inner.version && inner.len >= outer.len && network({ ...inner, len: outer.len }) === network(outer);
}

export function hostOf(cidr: string): string {
  return cidr.split('/')[0];
}

/** One spelling per address (2001:DB8:0::1 -> 2001:db8::1), so addresses compare by value; other text as is. */
export function canonicalAddress(text: string): string {
  const a = parseAddress(text);
  return a ? formatAddress(a.version, a.value) : text;
}

export function familyOf(addressOrPrefix: string): 4 | 6 {
  return addressOrPrefix.includes(':') ? 6 : 4;
}

/** Longest-prefix match: the index of the best entry containing `address`, or -1. */
export function longestMatch(prefixes: (Prefix | undefined)[], address: string): number {
  let best = -1;
  let bestLen = -1;
  prefixes.forEach((p, i) => {
    if (p && p.len > bestLen && contains(p, address)) [best, bestLen] = [i, p.len];
  });
  return best;
}
