/**
 * Phases of a long-lived flow on synthetic evidence: the split comes from the packets (not from
 * the event's time), each phase's drop is explained, failover time is measured from the event to
 * the first message through again, retransmissions of one segment fall in the phases of their own
 * copies, the expected phases are checked, and every message gets its outcome and phase.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/analysis/analyse.js';
import type { EventRecord, MessageRecord } from '../../src/analysis/types.js';
import type { FlowExpect } from '../../src/topology/types.js';
import { back, EvidenceBuilder, expressRouteLab, flow, VIA_ER, VIA_INET, type TcpSpec } from './helpers/evidence-builder.js';

const CLIENT = { addr: '10.1.0.10', port: 20000 };
const SERVER = { addr: '10.9.0.10', port: 443 };
const CISN = 1_000_000;
const SISN = 7_000_000;
const BYTES = 10;
const T0 = 1_732_446_000;

const data = (i: number, ipId: number, len = BYTES): TcpSpec => ({ src: CLIENT.addr, sport: CLIENT.port, dst: SERVER.addr, dport: SERVER.port, flags: 'P.', seq: CISN + 1 + i * BYTES, ack: SISN + 1, len, ipId });
const echo = (i: number, ipId: number): TcpSpec => ({ src: SERVER.addr, sport: SERVER.port, dst: CLIENT.addr, dport: CLIENT.port, flags: 'P.', seq: SISN + 1 + i * BYTES, ack: CISN + 1 + (i + 1) * BYTES, len: BYTES, ipId });

const linkDown = (atMs: number, ranMs = atMs): EventRecord => ({
  index: 0,
  kind: 'link',
  label: 'link edge:eth2–fw-er:eth1 down (silent)',
  atMs,
  startedAt: T0 + ranMs / 1000,
  endedAt: T0 + ranMs / 1000 + 0.005,
  ok: true,
  effect: 'down',
  interfaces: [
    { node: 'edge', iface: 'eth2' },
    { node: 'fw-er', iface: 'eth1' },
  ],
  silent: true,
});

type Fate = 'er' | 'dead-edge' | 'inet' | 'invalid';

/**
 * A session of ten 10-byte messages, one every 100 ms, with the handshake over ExpressRoute;
 * `fates[i]` says what became of message i: delivered and echoed over ER or the internet, lost at
 * edge (its ER link down), or dropped INVALID at fw-inet.
 */
function session(kind: 'firewall' | 'router', fates: Fate[], event: EventRecord, extra: (b: EvidenceBuilder) => void = () => undefined) {
  const b = new EvidenceBuilder(expressRouteLab(kind), T0);
  const syn: TcpSpec = { src: CLIENT.addr, sport: CLIENT.port, dst: SERVER.addr, dport: SERVER.port, flags: 'S', seq: CISN, ack: 0, ipId: 100 };
  b.send(syn, VIA_ER, { at: T0 - 0.01 });
  b.send({ src: SERVER.addr, sport: SERVER.port, dst: CLIENT.addr, dport: CLIENT.port, flags: 'S.', seq: SISN, ack: CISN + 1, ipId: 1 }, back(VIA_ER), { at: T0 - 0.009 });
  b.send({ ...syn, flags: '.', seq: CISN + 1, ack: SISN + 1, ipId: 101 }, VIA_ER, { at: T0 - 0.008 });
  const messages: MessageRecord[] = fates.map((f, i) => {
    const at = T0 + i * 0.1;
    const route = f === 'er' ? VIA_ER : f === 'inet' ? VIA_INET : f === 'dead-edge' ? ['client', 'edge'] : ['client', 'edge', 'fw-inet'];
    b.send(data(i, 200 + i), route, { at, ...(f === 'invalid' ? { nflog: 'asymlab:fw-inet:FORWARD:2:invalid' } : {}) });
    if (f === 'er' || f === 'inet') b.send(echo(i, 50 + i), back(route), { at: at + 0.001 });
    return { index: i, sentAt: at, ...(f === 'er' || f === 'inet' ? { echoedAt: at + 0.002, outcome: 'echoed' as const } : { outcome: 'lost' as const }) };
  });
  extra(b);
  b.connection({ flow: 'long', srcAddress: CLIENT.addr, srcPort: CLIENT.port, dstAddress: SERVER.addr, dstPort: SERVER.port, outcome: messages.every((m) => m.outcome === 'echoed') ? 'connected' : 'timeout', startedAt: T0, totalMs: 1200, session: { durationMs: 1000, intervalMs: 100, messageBytes: BYTES, messages } });
  if (kind === 'firewall') b.rule('fw-inet', { chain: 'FORWARD', index: 2, rule: '-m conntrack --ctstate INVALID -j NFLOG …', nflogPrefix: 'asymlab:fw-inet:FORWARD:2:invalid', packetsBefore: 0, packetsAfter: fates.filter((f) => f === 'invalid').length });
  return { ...b.build(), timeline: { t0: T0, events: [event] } };
}

const long = (expect?: FlowExpect) => flow('long', SERVER.addr, SERVER.port, expect, { durationMs: 1000, intervalMs: 100 });

describe('phases of a long-lived flow', () => {
  it('splits at the packets that changed fate, explains each failure, and says the session died INVALID mid-stream', () => {
    const evidence = session('firewall', ['er', 'er', 'er', 'dead-edge', 'dead-edge', 'dead-edge', 'invalid', 'invalid', 'invalid', 'invalid'], linkDown(300));
    const [v] = analyse([long()], evidence);
    expect(v.phases!.map((p) => [p.name, p.fromMs, p.toMs])).toEqual([
      ['delivered', 0, 300],
      ['dropped at edge', 300, 600],
      ['dropped at fw-inet', 600, 1000],
    ]);
    expect(v.phases![0]).toMatchObject({ result: 'delivered', path: VIA_ER, returnPath: back(VIA_ER), transmissions: 3, messages: { first: 0, last: 2, count: 3 } });
    expect(v.phases![1].drop).toMatchObject({ reason: 'link-down', node: 'edge', linkDown: { iface: 'eth2', event: 0 } });
    expect(v.phases![1].after).toEqual({ event: 0, label: 'link edge:eth2–fw-er:eth1 down (silent)', atMs: 300 });
    expect(v.phases![2].drop).toMatchObject({ reason: 'firewall-rule', node: 'fw-inet', ruleLabel: 'invalid', conntrackEntry: false, packet: 'DATA' });
    expect(v.phases![2].summary).toMatch(/DATA entered fw-inet:eth1 and never left; fw-inet had no conntrack entry \(ctstate INVALID/);
    // How it ended is the flow's result.
    expect(v).toMatchObject({ result: 'dropped', at: 'fw-inet', path: ['client', 'edge', 'fw-inet'] });
    expect(v.findings).toContain('the session did not survive link edge:eth2–fw-er:eth1 down (silent) (+300 ms): it ended dropped at fw-inet');
    expect(v.findings!.join('\n')).toMatch(/INVALID mid-stream at fw-inet: it never saw the connection open/);
    expect(v.phases!.some((p) => p.failoverMs !== undefined)).toBe(false);
  });

  it('puts the boundary where the packets changed fate, not at the event\'s time', () => {
    // The event ran at +250 ms but message 3 (sent at +300 ms) still went through: the link went down late.
    const evidence = session('router', ['er', 'er', 'er', 'er', 'dead-edge', 'dead-edge', 'inet', 'inet', 'inet', 'inet'], linkDown(250));
    const [v] = analyse([long()], evidence);
    expect(v.phases!.map((p) => [p.name, p.fromMs])).toEqual([
      ['delivered', 0],
      ['dropped at edge', 400],
      ['delivered', 600],
    ]);
  });

  it('measures failover from the event to the first message through again, and finds the session survived', () => {
    const evidence = session('router', ['er', 'er', 'er', 'dead-edge', 'dead-edge', 'dead-edge', 'inet', 'inet', 'inet', 'inet'], linkDown(300, 305));
    const [v] = analyse([long()], evidence);
    const after = v.phases![2];
    expect(after).toMatchObject({ result: 'delivered', path: VIA_INET, returnPath: back(VIA_INET) });
    // Event ran at +305 ms; message 6, sent at +600 ms, was answered and its answer reached the client
    // after its hops: failover is measured from the packets, ~295 ms.
    expect(after.failoverMs).toBeGreaterThanOrEqual(295);
    expect(after.failoverMs).toBeLessThan(300);
    expect(v.findings![0]).toMatch(/^failover: messages got through again 29\d ms after link edge:eth2–fw-er:eth1 down \(silent\) \(\+305 ms\), via client → edge → fw-inet → cloud → srv$/);
    expect(v.findings).toContain('session survived: one connection kept working across the path change at +600 ms, from [client, edge, fw-er, cloud, srv] to [client, edge, fw-inet, cloud, srv], returning by [srv, cloud, fw-inet, edge, client]');
    expect(v.result).toBe('delivered');
  });

  it('gives every message its outcome and the phase of its first transmission', () => {
    const evidence = session('firewall', ['er', 'er', 'er', 'dead-edge', 'dead-edge', 'dead-edge', 'invalid', 'invalid', 'invalid', 'invalid'], linkDown(300));
    const [v] = analyse([long()], evidence);
    expect(v.messages!.map((m) => [m.index, m.outcome, m.phase, m.result, m.at ?? null])).toEqual([
      [0, 'echoed', 0, 'delivered', null],
      [1, 'echoed', 0, 'delivered', null],
      [2, 'echoed', 0, 'delivered', null],
      [3, 'lost', 1, 'dropped', 'edge'],
      [4, 'lost', 1, 'dropped', 'edge'],
      [5, 'lost', 1, 'dropped', 'edge'],
      [6, 'lost', 2, 'dropped', 'fw-inet'],
      [7, 'lost', 2, 'dropped', 'fw-inet'],
      [8, 'lost', 2, 'dropped', 'fw-inet'],
      [9, 'lost', 2, 'dropped', 'fw-inet'],
    ]);
    expect(v.messages![3]).toMatchObject({ sentMs: 300 });
  });

  it('a retransmission falls in the phase of its own copy', () => {
    // Message 3 dies at edge at +300 ms; the kernel sends it again at +650 ms over the internet, where it is answered.
    const evidence = session('router', ['er', 'er', 'er', 'dead-edge', 'inet', 'inet', 'inet', 'inet', 'inet', 'inet'], linkDown(300), (b) => {
      b.send(data(3, 213), VIA_INET, { at: T0 + 0.65 });
      b.send(echo(3, 63), back(VIA_INET), { at: T0 + 0.651 });
    });
    const [v] = analyse([long()], evidence);
    expect(v.phases!.map((p) => [p.name, p.transmissions])).toEqual([
      ['delivered', 3],
      ['dropped at edge', 1],
      ['delivered', 7],
    ]);
    expect(v.messages![3]).toMatchObject({ phase: 1, result: 'dropped', at: 'edge' });
  });

  it('checks expected phases against the phase in effect at the end of each window', () => {
    const evidence = () => session('firewall', ['er', 'er', 'er', 'dead-edge', 'dead-edge', 'dead-edge', 'invalid', 'invalid', 'invalid', 'invalid'], linkDown(300));
    const good = analyse([long({ phases: [{ untilMs: 300, result: 'delivered', path: VIA_ER }, { fromMs: 300, result: 'dropped', at: 'fw-inet' }] })], evidence())[0];
    expect(good.mismatches).toEqual([]);
    expect(good.pass).toBe(true);
    const bad = analyse([long({ phases: [{ untilMs: 300, result: 'delivered', path: VIA_INET }, { fromMs: 300, untilMs: 500, result: 'dropped', at: 'fw-inet' }] })], evidence())[0];
    expect(bad.pass).toBe(false);
    expect(bad.mismatches).toEqual([
      'phases[0] (+0–300 ms): expected path [client, edge, fw-inet, cloud, srv], got [client, edge, fw-er, cloud, srv] (the phase from +0 ms)',
      'phases[1] (+300–500 ms): expected dropped at fw-inet, got dropped at edge (the phase from +300 ms)',
    ]);
  });

  it('new connections that worked after the event while the session died: both flows say so', () => {
    const evidence = session('firewall', ['er', 'er', 'er', 'dead-edge', 'dead-edge', 'dead-edge', 'invalid', 'invalid', 'invalid', 'invalid'], linkDown(300));
    evidence.connections.push({ flow: 'new', attempt: 0, client: 'client', server: 'srv', srcAddress: CLIENT.addr, srcPort: 20100, dstAddress: SERVER.addr, dstPort: 443, outcome: 'connected', echoed: true, startedAt: T0 + 0.7, connectMs: 1, totalMs: 5 });
    const [l, n] = analyse([long(), flow('new', SERVER.addr, SERVER.port, undefined, { startMs: 700 })], evidence);
    expect(l.findings!.join('\n')).toMatch(/new connections worked after 401 ms while this one died: flow 'new' connected at \+701 ms, 401 ms after link edge:eth2–fw-er:eth1 down \(silent\)/);
    expect(n.findings).toEqual(["a new connection worked 401 ms after link edge:eth2–fw-er:eth1 down (silent), while the older session 'long' died (dropped at fw-inet)"]);
  });
});
