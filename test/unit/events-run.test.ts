/**
 * The pure parts of a timed run: the agent's timed command line (and that the agent parses it
 * back), the programs an exec event starts, the events in words and in run order, the clock's
 * timeline as report.json has it, and ping's output in a long-lived ICMP flow.
 */
import { describe, expect, it } from 'vitest';
import { commandPrograms } from '../../src/events/check-commands.js';
import { eventLabel } from '../../src/events/label.js';
import { runOrder } from '../../src/events/schedule.js';
import { flowSpan } from '../../src/events/validate-events.js';
import { parseSessionPing, sessionPingArgv } from '../../src/protocols/icmp-session.js';
import { reportTimeline } from '../../src/report/run-folder.js';
import { agentBudgetMs, isTimed, timedArgv } from '../../src/run/timed-flows.js';
import type { Flow, Lab, ScheduledEvent } from '../../src/topology/types.js';
import { parseAgentArgs } from '../../src/traffic/agent-args.js';

const flow = (extra: Partial<Flow> = {}): Flow => ({ name: 'long', from: 'client', toAddress: '10.9.0.10', toPort: 443, server: 'srv', count: 1, timeoutMs: 1000, trace: false, ...extra });

describe('a timed run', () => {
  it('gives the agent go, start and session options, which it reads back', () => {
    const cmd = parseAgentArgs(timedArgv(flow({ startMs: 1500, durationMs: 4000, intervalMs: 200 }), 1));
    expect(cmd).toMatchObject({ mode: 'client', spec: { awaitGo: true, startMs: 1500, durationMs: 4000, intervalMs: 200, sourcePort: 20_100 } });
    const short = parseAgentArgs(timedArgv(flow({ count: 3 }), 0));
    expect(short).toMatchObject({ spec: { awaitGo: true, count: 3 } });
    expect('durationMs' in (short as { spec: object }).spec).toBe(false);
  });

  it('is timed only with events, a start-ms or a long-lived flow; bounds each agent by its span', () => {
    const lab = (flows: Flow[], events: ScheduledEvent[] = []): Lab => ({ name: 'x', file: '/x', dir: '/', runtime: 'netns', nodes: [], links: [], flows, events });
    expect(isTimed(lab([flow()]))).toBe(false);
    expect(isTimed(lab([flow({ startMs: 10 })]))).toBe(true);
    expect(isTimed(lab([flow()], [{ kind: 'flush-conntrack', index: 0, atMs: 5, node: 'fw' }]))).toBe(true);
    expect(flowSpan(flow({ startMs: 500, durationMs: 3000 }))).toEqual({ fromMs: 500, toMs: 3500 });
    expect(flowSpan(flow({ count: 4, timeoutMs: 500 }))).toEqual({ fromMs: 0, toMs: 2000 });
    expect(agentBudgetMs(flow({ durationMs: 3000 }))).toBe(3000 + 1000 + 10_000);
  });

  it('finds the programs an exec event starts, past assignments, keywords and operators', () => {
    expect(commandPrograms('ip route del 198.51.100.0/24')).toEqual(['ip']);
    expect(commandPrograms('A=1 tc qdisc show; conntrack -L | grep tcp && /usr/sbin/ss -t || true')).toEqual(['tc', 'conntrack', 'grep', '/usr/sbin/ss', 'true']);
    expect(commandPrograms('if ping -c1 x; then echo "$(date)"; fi')).toEqual(['ping', 'echo', 'date']);
    expect(commandPrograms('"quoted cmd" arg')).toEqual([]);
  });

  it('says each event in words and runs them in time order, same time in file order', () => {
    const events: ScheduledEvent[] = [
      { kind: 'exec', index: 0, atMs: 2000, node: 'edge', command: 'ip route show' },
      { kind: 'link', index: 1, atMs: 1000, endpoints: [{ node: 'a', iface: 'eth1' }, { node: 'b', iface: 'eth2' }], state: 'down', silent: true },
      { kind: 'bgp', index: 2, atMs: 1000, node: 'a', neighbor: '100.64.0.2', action: 'shutdown' },
      { kind: 'node', index: 3, atMs: 3000, node: 'fw', action: 'stop' },
    ];
    expect(runOrder(events).map((e) => e.index)).toEqual([1, 2, 0, 3]);
    expect(events.map(eventLabel)).toEqual(['edge exec: ip route show', 'link a:eth1–b:eth2 down (silent)', 'bgp a neighbor 100.64.0.2 shutdown', 'node fw stop']);
  });

  it('puts the timeline in report.json in ms after time 0', () => {
    const t = reportTimeline({ t0: 1_700_000_000, events: [{ index: 0, kind: 'link', label: 'l', atMs: 1000, startedAt: 1_700_000_001.0025, endedAt: 1_700_000_001.01, ok: true }, { index: 1, kind: 'exec', label: 'e', atMs: 2000, ok: false }] });
    expect(t).toEqual({
      t0: '2023-11-14T22:13:20.000Z',
      events: [
        { index: 0, kind: 'link', label: 'l', atMs: 1000, ok: true, startedMs: 1002.5, endedMs: 1010 },
        { index: 1, kind: 'exec', label: 'e', atMs: 2000, ok: false, startedMs: null, endedMs: null },
      ],
    });
    expect(reportTimeline(undefined)).toBeUndefined();
  });
});

describe('a long-lived ICMP flow', () => {
  it('pings count requests at the interval with one id, and reads replies and errors by seq', () => {
    const argv = sessionPingArgv({ flow: 'p', address: '10.9.0.10', port: 0, sourcePort: 20_200, count: 1, timeoutMs: 1000, durationMs: 3000, intervalMs: 200 }, 15);
    expect(argv).toEqual(['-4', '-n', '-D', '-O', '-c', '15', '-i', '0.200', '-W', '1.000', '-e', '20200', '-M', 'do', '--', '10.9.0.10']);
    const out = [
      '[1700000000.100000] 64 bytes from 10.9.0.10: icmp_seq=1 ttl=62 time=0.3 ms',
      '[1700000000.500000] no answer yet for icmp_seq=2',
      '[1700000000.700000] From 10.0.0.1 icmp_seq=3 Destination Net Unreachable',
      '[1700000000.900000] 64 bytes from 10.9.0.10: icmp_seq=4 ttl=62 time=0.2 ms',
    ].join('\n');
    const { replies, errors } = parseSessionPing(out);
    expect([...replies]).toEqual([
      [1, 1_700_000_000.1],
      [4, 1_700_000_000.9],
    ]);
    expect([...errors]).toEqual([3]);
  });
});
