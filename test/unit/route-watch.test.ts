import { describe, expect, it } from 'vitest';
import { canonical, parseMonitorLine, parseNetlinkSockets, parseRouteDump, WatchedTable } from '../../src/lab/route-watch.js';

/** Lines as iproute2 6.1's `ip monitor route` prints them (captured in a namespace). */
const MONITOR = [
  '192.0.2.0/24 via 10.5.0.2 dev d0 proto bgp metric 20 ',
  '2001:db8:5::/48 via 2001:db8::2 dev d0 proto bgp metric 20 pref medium',
  '2001:db8:5::/48 via 2001:db8::3 dev d0 proto bgp metric 30 pref medium',
  '203.0.113.0/24 dev d0 table 100 scope link ',
  'Deleted 192.0.2.0/24 via 10.5.0.2 dev d0 proto bgp metric 20 ',
  '198.51.100.0/24 via 10.5.0.3 dev d0 ',
  '192.0.2.128/25 ',
  '\tnexthop via 10.5.0.2 dev d0 weight 1 ',
  'default via 2001:db8::2 dev d0 metric 1024 pref medium',
  'local 10.5.0.1 dev d0 table local proto kernel scope host src 10.5.0.1 ',
  'blackhole 10.99.0.0/16 proto static metric 20 ',
  '10.5.0.9 via 10.5.0.2 dev d0 proto ospf metric 20 ',
  '2001:db8::9 via fe80::1 dev d0 metric 1024 cache pref medium',
];

describe('parseMonitorLine', () => {
  it('reads adds and deletions of the main table, with family, prefix and metric', () => {
    const events = MONITOR.map(parseMonitorLine);
    expect(events).toEqual([
      { deleted: false, prefix: '192.0.2.0/24', key: '4 192.0.2.0/24 20' },
      { deleted: false, prefix: '2001:db8:5::/48', key: '6 2001:db8:5::/48 20' },
      { deleted: false, prefix: '2001:db8:5::/48', key: '6 2001:db8:5::/48 30' },
      undefined, // table 100
      { deleted: true, prefix: '192.0.2.0/24', key: '4 192.0.2.0/24 20' },
      { deleted: false, prefix: '198.51.100.0/24', key: '4 198.51.100.0/24 0' },
      { deleted: false, prefix: '192.0.2.128/25', key: '4 192.0.2.128/25 0' },
      undefined, // a multipath route's next hop
      { deleted: false, prefix: 'default', key: '6 default 1024' },
      undefined, // table local
      { deleted: false, prefix: '10.99.0.0/16', key: '4 10.99.0.0/16 20' },
      { deleted: false, prefix: '10.5.0.9/32', key: '4 10.5.0.9/32 20' },
      undefined, // a PMTU exception, not a route
    ]);
  });

  it('ignores blank lines', () => {
    expect(parseMonitorLine('')).toBeUndefined();
    expect(parseMonitorLine('   ')).toBeUndefined();
  });
});

describe('parseRouteDump', () => {
  it('keeps the main table of both families, telling v6 from v4 by its preference', () => {
    const json = JSON.stringify([
      { dst: '203.0.113.0/24', dev: 'd0', table: '100' },
      { dst: 'default', gateway: '10.5.0.2', dev: 'd0' },
      { dst: '10.5.0.0/24', dev: 'd0', protocol: 'kernel' },
      { type: 'local', dst: '10.5.0.1', table: 'local' },
      { dst: '2001:db8::/64', dev: 'd0', metric: 256, pref: 'medium' },
      { dst: 'default', gateway: 'fe80::1', metric: 1024, pref: 'medium' },
    ]);
    expect(parseRouteDump(json)).toEqual([
      { prefix: 'default', key: '4 default 0' },
      { prefix: '10.5.0.0/24', key: '4 10.5.0.0/24 0' },
      { prefix: '2001:db8::/64', key: '6 2001:db8::/64 256' },
      { prefix: 'default', key: '6 default 1024' },
    ]);
    expect(parseRouteDump('')).toEqual([]);
  });
});

describe('WatchedTable', () => {
  const ev = (line: string) => parseMonitorLine(line)!;

  it('is the dump, changed by every event since the monitor listened, in whatever order they arrive', () => {
    const t = new WatchedTable();
    // Events first (the dump's answer came later): the dump must not undo them.
    t.event(ev('Deleted 192.0.2.0/24 via 10.5.0.2 dev d0 proto bgp metric 20 '));
    t.event(ev('198.51.100.0/24 via 10.5.0.3 dev d0 '));
    t.dump(parseRouteDump(JSON.stringify([{ dst: '192.0.2.0/24', metric: 20 }, { dst: '10.0.0.0/8' }])));
    expect(t.has('192.0.2.0/24')).toBe(false);
    expect(t.has('198.51.100.0/24')).toBe(true);
    expect(t.has('10.0.0.0/8')).toBe(true);
    t.event(ev('Deleted 10.0.0.0/8 dev d0 '));
    expect(t.has('10.0.0.0/8')).toBe(false);
  });

  it('holds a prefix while any route to it is left, and reads any spelling of it', () => {
    const t = new WatchedTable();
    t.event(ev('2001:db8:5::/48 via 2001:db8::2 dev d0 proto bgp metric 20 pref medium'));
    t.event(ev('2001:db8:5::/48 via 2001:db8::3 dev d0 proto bgp metric 30 pref medium'));
    t.event(ev('Deleted 2001:db8:5::/48 via 2001:db8::2 dev d0 proto bgp metric 20 pref medium'));
    expect(t.has('2001:0db8:0005::/48')).toBe(true);
    t.event(ev('Deleted 2001:db8:5::/48 via 2001:db8::3 dev d0 proto bgp metric 30 pref medium'));
    expect(t.has('2001:db8:5::/48')).toBe(false);
    // A v6 default going does not take the v4 one with it.
    t.event(ev('default via 10.5.0.2 dev d0 '));
    t.event(ev('default via fe80::1 dev d0 metric 1024 pref medium'));
    t.event(ev('Deleted default via fe80::1 dev d0 metric 1024 pref medium'));
    expect(t.has('default')).toBe(true);
    // A repeated add (a route replaced in place) counts once.
    t.event(ev('10.1.0.0/16 via 10.5.0.2 dev d0 proto bgp metric 20 '));
    t.event(ev('10.1.0.0/16 via 10.5.0.4 dev d0 proto bgp metric 20 '));
    t.event(ev('Deleted 10.1.0.0/16 via 10.5.0.4 dev d0 proto bgp metric 20 '));
    expect(t.has('10.1.0.0/16')).toBe(false);
    expect(t.has('10.1.0.5/16')).toBe(false);
    expect(canonical('10.1.0.5/16')).toBe('10.1.0.0/16');
  });
});

describe('parseNetlinkSockets', () => {
  it('reads protocol, groups and inode of /proc/PID/net/netlink', () => {
    const text = [
      'sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode',
      '000000004af8edd5 0   0          00000000 0        0        0     2        0        2185669 ',
      '00000000dca31cdf 0   7450       04000440 0        0        0     2        0        2185683 ',
      '00000000efc0f0d7 4   0          00000000 0        0        0     2        0        2185675 ',
      '',
    ].join('\n');
    expect(parseNetlinkSockets(text)).toEqual([
      { protocol: 0, groups: 0, inode: 2185669 },
      { protocol: 0, groups: 0x04000440, inode: 2185683 },
      { protocol: 4, groups: 0, inode: 2185675 },
    ]);
  });
});
