import { describe, expect, it } from 'vitest';
import { parseConntrack, parseConntrackLine } from '../../src/analysis/parse-conntrack.js';

// Laid out as conntrack-tools prints them: `[%-8ld.%-6ld]\t` (or `%-.6ld` in newer releases),
// the event type right-aligned in 9 columns, the protocol name left-aligned in 8.
const EVENTS = [
  '[1732446000.123456]\t    [NEW] tcp      6 120 SYN_SENT src=10.1.0.10 dst=198.51.100.10 sport=40000 dport=443 [UNREPLIED] src=198.51.100.10 dst=203.0.113.10 sport=443 dport=40000',
  '[1732446000.124001]\t [UPDATE] tcp      6 60 SYN_RECV src=10.1.0.10 dst=198.51.100.10 sport=40000 dport=443 src=198.51.100.10 dst=203.0.113.10 sport=443 dport=40000',
  '[1732446000.124420]\t [UPDATE] tcp      6 432000 ESTABLISHED src=10.1.0.10 dst=198.51.100.10 sport=40000 dport=443 src=198.51.100.10 dst=203.0.113.10 sport=443 dport=40000 [ASSURED]',
  '[1732446003.5     ]\t[DESTROY] tcp      6 src=10.1.0.10 dst=198.51.100.10 sport=40000 dport=443 src=198.51.100.10 dst=203.0.113.10 sport=443 dport=40000 [ASSURED]',
  'conntrack v1.4.7 (conntrack-tools): 4 flow events have been shown.',
].join('\n');

describe('parseConntrack', () => {
  it('reads -E -o timestamp events: type, timestamp, state, both tuples and flags', () => {
    const ev = parseConntrack('fw-inet', EVENTS);
    expect(ev).toHaveLength(4);
    expect(ev[0]).toEqual({
      node: 'fw-inet',
      ts: 1732446000.123456,
      type: 'NEW',
      proto: 'tcp',
      state: 'SYN_SENT',
      orig: { src: '10.1.0.10', dst: '198.51.100.10', sport: 40000, dport: 443 },
      reply: { src: '198.51.100.10', dst: '203.0.113.10', sport: 443, dport: 40000 },
      flags: ['[UNREPLIED]'],
    });
    expect(ev.map((e) => e.type)).toEqual(['NEW', 'UPDATE', 'UPDATE', 'DESTROY']);
    expect(ev[2].flags).toEqual(['[ASSURED]']);
  });

  it('reads DESTROY lines, which carry no timeout or state, and unpadded microseconds', () => {
    const d = parseConntrack('fw', EVENTS)[3];
    expect(d.state).toBeUndefined();
    expect(d.ts).toBeCloseTo(1732446003.000005, 6);
  });

  it('reads conntrack -L entries, with counters, mark and use', () => {
    const e = parseConntrackLine(
      'fw-er',
      'tcp      6 431999 ESTABLISHED src=10.1.0.10 dst=10.9.0.10 sport=40001 dport=443 packets=5 bytes=340 src=10.9.0.10 dst=10.1.0.10 sport=443 dport=40001 packets=4 bytes=300 [ASSURED] mark=0 use=1',
    );
    expect(e).toMatchObject({ type: 'LIST', proto: 'tcp', state: 'ESTABLISHED', orig: { sport: 40001 }, reply: { src: '10.9.0.10', dport: 40001 }, flags: ['[ASSURED]'] });
    expect(e?.ts).toBeUndefined();
  });

  it('reads -o extended, ktimestamp brackets with spaces, and the [USERSPACE] suffix', () => {
    const ext = parseConntrackLine('fw', 'ipv4     2 udp      17 29 src=10.1.0.10 dst=10.9.0.53 sport=5353 dport=53 [UNREPLIED] src=10.9.0.53 dst=10.1.0.10 sport=53 dport=5353 mark=0 use=1');
    expect(ext).toMatchObject({ proto: 'udp', orig: { dport: 53 }, reply: { sport: 53 }, flags: ['[UNREPLIED]'] });
    const kts = parseConntrackLine(
      'fw',
      '[DESTROY] tcp      6 src=10.1.0.10 dst=10.9.0.10 sport=40002 dport=443 src=10.9.0.10 dst=10.1.0.10 sport=443 dport=40002 [ASSURED] delta-time=3 [start=Sun Nov 24 11:00:00 2024] [stop=Sun Nov 24 11:00:03 2024]',
    );
    expect(kts?.flags).toEqual(['[ASSURED]']);
    const user = parseConntrackLine('fw', '    [NEW] tcp      6 120 SYN_SENT src=10.1.0.1 dst=10.1.0.2 sport=1 dport=2 [UNREPLIED] src=10.1.0.2 dst=10.1.0.1 sport=2 dport=1 [USERSPACE] portid=4242 progname=conntrack');
    expect(user?.flags).toEqual(['[UNREPLIED]', '[USERSPACE]']);
  });

  it('reads ICMP (no ports) and IPv6 entries', () => {
    const icmp = parseConntrackLine('fw', 'icmp     1 29 src=10.1.0.10 dst=10.9.0.10 type=8 code=0 id=77 src=10.9.0.10 dst=10.1.0.10 type=0 code=0 id=77 mark=0 use=1');
    expect(icmp).toMatchObject({ proto: 'icmp', orig: { src: '10.1.0.10', dst: '10.9.0.10' } });
    expect(icmp?.orig.sport).toBeUndefined();
    const v6 = parseConntrackLine('fw', '[1732446000.000001]\t    [NEW] tcp      6 120 SYN_SENT src=2001:db8:1::10 dst=2001:db8:9::10 sport=40000 dport=443 [UNREPLIED] src=2001:db8:9::10 dst=2001:db8:1::10 sport=443 dport=40000');
    expect(v6?.orig.src).toBe('2001:db8:1::10');
    expect(v6?.ts).toBeCloseTo(1732446000.000001, 6);
  });

  it('skips lines that are not entries', () => {
    expect(parseConntrack('fw', '\n\nconntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\ngarbage line\n')).toEqual([]);
  });
});
