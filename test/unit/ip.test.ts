import { describe, expect, it } from 'vitest';
import {
  canonicalAddress,
  contains,
  covers,
  familyOf,
  formatAddress,
  hostOf,
  isAddress,
  longestMatch,
  network,
  networkText,
  parseAddress,
  parsePrefix,
} from '../../src/util/ip.js';

const v6 = (text: string) => {
  const a = parseAddress(text);
  expect(a?.version, text).toBe(6);
  return a!.value;
};

/** Parse then format: the canonical text of an address. */
const round = (text: string) => formatAddress(6, v6(text));

describe('parseAddress: IPv4', () => {
  it('parses dotted quads', () => {
    expect(parseAddress('0.0.0.0')).toEqual({ version: 4, value: 0n });
    expect(parseAddress('10.1.2.3')).toEqual({ version: 4, value: 0x0a010203n });
    expect(parseAddress('255.255.255.255')).toEqual({ version: 4, value: 0xffffffffn });
  });

  it('rejects octets over 255, leading zeros (octal to some tools), short and long forms', () => {
    for (const bad of ['256.0.0.1', '10.0.0.010', '01.2.3.4', '10.0.0', '10.0.0.1.2', '10..0.1', ' 10.0.0.1', '10.0.0.1/24', '1e1.0.0.1', '']) {
      expect(parseAddress(bad), bad).toBeUndefined();
    }
  });
});

describe('parseAddress: IPv6', () => {
  it('parses the full form, compressed forms and mixed case', () => {
    expect(v6('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe(0x20010db8000000000000000000000001n);
    expect(v6('2001:db8::1')).toBe(0x20010db8000000000000000000000001n);
    expect(v6('2001:DB8::1')).toBe(0x20010db8000000000000000000000001n);
    expect(v6('::')).toBe(0n);
    expect(v6('::1')).toBe(1n);
    expect(v6('1::')).toBe(0x00010000000000000000000000000000n);
    expect(v6('1:2:3:4:5:6:7::')).toBe(0x00010002000300040005000600070000n);
    expect(v6('::2:3:4:5:6:7:8')).toBe(0x00000002000300040005000600070008n);
    expect(v6('fe80::1:2')).toBe(0xfe800000000000000000000000010002n);
  });

  it('parses a dotted quad in the last 32 bits (v4-mapped and friends)', () => {
    expect(v6('::ffff:192.0.2.1')).toBe(0xffffc0000201n);
    expect(v6('::192.0.2.1')).toBe(0xc0000201n);
    expect(v6('64:ff9b::198.51.100.7')).toBe(0x0064ff9b0000000000000000c6336407n);
    expect(v6('1:2:3:4:5:6:10.0.0.1')).toBe(0x0001000200030004000500060a000001n);
  });

  it('rejects invalid forms', () => {
    for (const bad of [
      '2001:db8::1::2', // two ::
      ':::',
      '1:2:3:4:5:6:7:8:9', // nine groups
      '1:2:3:4:5:6:7', // seven without ::
      '1:2:3:4:5:6:7:8::', // :: standing for no group
      '::1:2:3:4:5:6:7:8',
      '12345::1', // five hex digits
      'g::1',
      ':1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:',
      '2001:db8::1/64',
      'fe80::1%eth0', // zone ids are not addresses here
      '::ffff:300.0.0.1',
      '::ffff:1.2.3', // short dotted quad
      '1.2.3.4::', // a dotted quad can only end the address
      '1.2.3.4::5',
      '::1.2.3.4:5',
      '1:2:3:4:5:6:7:1.2.3.4', // dotted quad after seven groups is 9 groups
    ]) {
      expect(parseAddress(bad), bad).toBeUndefined();
    }
  });
});

describe('formatAddress (RFC 5952, as inet_ntop writes it)', () => {
  it('writes IPv4 dotted', () => {
    expect(formatAddress(4, 0x0a010203n)).toBe('10.1.2.3');
    expect(formatAddress(4, 0n)).toBe('0.0.0.0');
  });

  it('writes lower case and drops leading zeros', () => {
    expect(round('2001:0DB8:00AB:0000:0CD0:0000:0000:0001')).toBe('2001:db8:ab:0:cd0::1');
  });

  it('compresses the longest run of zero groups, the first one on a tie', () => {
    expect(round('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(round('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
    expect(round('1:0:0:0:2:0:0:0')).toBe('1::2:0:0:0');
  });

  it('does not compress a single zero group', () => {
    expect(round('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
  });

  it('compresses at the start and the end', () => {
    expect(round('0:0:0:0:0:0:0:0')).toBe('::');
    expect(round('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(round('1:0:0:0:0:0:0:0')).toBe('1::');
    expect(round('fe80:0:0:0:0:0:0:1')).toBe('fe80::1');
  });

  it('writes v4-mapped and v4-compatible addresses with a dotted quad', () => {
    expect(round('::ffff:c000:201')).toBe('::ffff:192.0.2.1');
    expect(round('0:0:0:0:0:ffff:10.0.0.1')).toBe('::ffff:10.0.0.1');
    expect(round('::ffff:0:0')).toBe('::ffff:0.0.0.0');
    expect(round('::c000:201')).toBe('::192.0.2.1');
    // not v4-compatible: ::1 and a last group alone stay hex, so do NAT64 prefixes
    expect(round('::0.0.0.1')).toBe('::1');
    expect(round('::0.0.1.2')).toBe('::102');
    expect(round('64:ff9b::198.51.100.7')).toBe('64:ff9b::c633:6407');
    expect(round('::1:ffff:1.2.3.4')).toBe('::1:ffff:102:304');
  });

  it('round-trips canonical text', () => {
    for (const text of ['2001:db8::1', '::', '::1', 'fe80::a:b:c:d', '2001:db8:1:2:3:4:5:6', '::ffff:192.0.2.1', '2001:db8::']) {
      expect(round(text)).toBe(text);
    }
  });
});

describe('canonicalAddress', () => {
  it('gives one spelling per address and leaves other text alone', () => {
    expect(canonicalAddress('2001:DB8:0::1')).toBe('2001:db8::1');
    expect(canonicalAddress('::FFFF:C000:0201')).toBe('::ffff:192.0.2.1');
    expect(canonicalAddress('10.0.0.1')).toBe('10.0.0.1');
    expect(canonicalAddress('web')).toBe('web');
  });
});

describe('isAddress, hostOf, familyOf', () => {
  it('tells addresses from other text', () => {
    expect(isAddress('10.0.0.1')).toBe(true);
    expect(isAddress('2001:db8::1')).toBe(true);
    expect(isAddress('10.0.0.1/24')).toBe(false);
    expect(isAddress('r1')).toBe(false);
  });

  it('takes the address of a prefix and the family of either', () => {
    expect(hostOf('10.0.0.1/24')).toBe('10.0.0.1');
    expect(hostOf('2001:db8::1/64')).toBe('2001:db8::1');
    expect(hostOf('10.0.0.1')).toBe('10.0.0.1');
    expect(familyOf('10.0.0.0/8')).toBe(4);
    expect(familyOf('::/0')).toBe(6);
  });
});

describe('parsePrefix', () => {
  it('keeps the host bits as written and the text', () => {
    expect(parsePrefix('10.1.0.10/24')).toEqual({ version: 4, addr: 0x0a01000an, len: 24, text: '10.1.0.10/24' });
    expect(parsePrefix('2001:db8::1/64')).toMatchObject({ version: 6, len: 64 });
    expect(parsePrefix('0.0.0.0/0')).toMatchObject({ version: 4, addr: 0n, len: 0 });
    expect(parsePrefix('::/0')).toMatchObject({ version: 6, addr: 0n, len: 0 });
    expect(parsePrefix('10.0.0.1/32')?.len).toBe(32);
    expect(parsePrefix('::1/128')?.len).toBe(128);
  });

  it('rejects missing or too long lengths and bad addresses', () => {
    for (const bad of ['10.0.0.1', '10.0.0.1/', '10.0.0.1/33', '::/129', '10.0.0.1/24/1', '10.0.0.1/-1', '10.0.0.1/2a', '10.0.0.256/8', 'default', '/24']) {
      expect(parsePrefix(bad), bad).toBeUndefined();
    }
  });
});

describe('network, contains, covers, longestMatch', () => {
  it('clears host bits', () => {
    expect(networkText(parsePrefix('10.1.0.10/24')!)).toBe('10.1.0.0/24');
    expect(networkText(parsePrefix('10.1.0.10/32')!)).toBe('10.1.0.10/32');
    expect(networkText(parsePrefix('10.1.0.10/0')!)).toBe('0.0.0.0/0');
    expect(networkText(parsePrefix('2001:DB8:1:2::10/48')!)).toBe('2001:db8:1::/48');
    expect(network(parsePrefix('192.168.1.129/25')!)).toBe(0xc0a80180n);
  });

  it('tells whether an address is in a prefix, family included', () => {
    const p = parsePrefix('10.1.0.10/24')!;
    expect(contains(p, '10.1.0.1')).toBe(true);
    expect(contains(p, '10.1.0.255')).toBe(true);
    expect(contains(p, '10.1.1.1')).toBe(false);
    expect(contains(p, '::ffff:10.1.0.1')).toBe(false);
    expect(contains(p, 'r1')).toBe(false);
    expect(contains(parsePrefix('2001:db8:1::/64')!, '2001:db8:1::ffff')).toBe(true);
    expect(contains(parsePrefix('0.0.0.0/0')!, '203.0.113.9')).toBe(true);
  });

  it('tells whether a prefix lies inside another', () => {
    expect(covers(parsePrefix('10.0.0.0/8')!, parsePrefix('10.1.0.0/24')!)).toBe(true);
    expect(covers(parsePrefix('10.0.0.0/8')!, parsePrefix('10.0.0.0/8')!)).toBe(true);
    expect(covers(parsePrefix('10.1.0.0/24')!, parsePrefix('10.0.0.0/8')!)).toBe(false);
    expect(covers(parsePrefix('10.0.0.0/8')!, parsePrefix('11.0.0.0/24')!)).toBe(false);
    expect(covers(parsePrefix('::/0')!, parsePrefix('10.0.0.0/8')!)).toBe(false);
  });

  it('picks the longest prefix that matches', () => {
    const table = ['0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '2001:db8::/32'].map(parsePrefix);
    expect(longestMatch(table, '10.1.2.3')).toBe(2);
    expect(longestMatch(table, '10.2.0.1')).toBe(1);
    expect(longestMatch(table, '192.0.2.1')).toBe(0);
    expect(longestMatch(table, '2001:db8::1')).toBe(3);
    expect(longestMatch([undefined, parsePrefix('10.0.0.0/8')], '11.0.0.1')).toBe(-1);
  });
});
