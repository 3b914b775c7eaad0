import { describe, expect, it } from 'vitest';
import type { FlowVerdict } from '../../src/analysis/types.js';
import { junitXml } from '../../src/report/junit.js';
import { buildReport, formatTable } from '../../src/report/report.js';

const verdict = (over: Partial<FlowVerdict>): FlowVerdict => ({
  name: 'web',
  from: 'client',
  to: '10.9.0.10:443',
  result: 'delivered',
  path: ['client', 'fw-a', 'server'],
  returnPath: ['server', 'fw-a', 'client'],
  asymmetric: false,
  connections: [],
  packets: [],
  pass: true,
  mismatches: [],
  warnings: [],
  summary: 'delivered 1/1',
  ...over,
});

const dropped = verdict({
  name: 'er',
  result: 'dropped',
  at: 'fw-b',
  returnPath: ['server', 'fw-b'],
  asymmetric: true,
  pass: false,
  mismatches: ['expected delivered, got dropped at fw-b'],
  summary: 'SYN-ACK entered fw-b:eth2 and never left',
  drop: { reason: 'firewall-rule', node: 'fw-b', iface: 'eth2', packet: 'SYN-ACK', facts: ["fw-b's NFLOG capture holds this SYN-ACK"], nflogPrefix: 'asymlab:fw-b:FORWARD:2:invalid' },
  expected: { result: 'delivered' },
});

describe('report.json', () => {
  it('has the documented fields, null where there is nothing', () => {
    const r = buildReport({ lab: 'l', file: '/l.yaml', runtime: 'netns', startedAt: 'now', durationMs: 5, timings: {} }, [verdict({}), dropped]);
    expect(r.schema).toBe('asymlab.report/v1');
    expect(r.pass).toBe(false);
    expect(r.flows[0]).toMatchObject({ name: 'web', result: 'delivered', at: null, asymmetric: false, expected: null, pass: true, drop: null, trace: null });
    expect(r.flows[1]).toMatchObject({ name: 'er', result: 'dropped', at: 'fw-b', path: ['client', 'fw-a', 'server'], returnPath: ['server', 'fw-b'], asymmetric: true, expected: { result: 'delivered' }, pass: false });
  });

  it('the table says what failed and why', () => {
    const t = formatTable([verdict({}), dropped]);
    expect(t).toMatch(/^er\s+dropped\s+fw-b\s+yes\s+FAIL/m);
    expect(t).toMatch(/^web\s+delivered\s+-\s+no\s+pass/m);
    expect(t).toContain('er: SYN-ACK entered fw-b:eth2 and never left');
    expect(t).toContain('! expected delivered, got dropped at fw-b');
  });

  it('JUnit: a testcase per flow, failures with the evidence, a lab that could not run as an error', () => {
    const r = buildReport({ lab: 'l<1>', file: '/l.yaml', runtime: 'netns', startedAt: 'now', durationMs: 1500, timings: {} }, [verdict({}), dropped]);
    const xml = junitXml([{ report: r }, { lab: 'bad', file: 'bad.yaml', error: 'invalid lab\n  x: y' }]);
    expect(xml).toContain('<testsuite name="l&lt;1&gt;" tests="2" failures="1" errors="0" time="1.500">');
    expect(xml).toContain('<failure message="expected delivered, got dropped at fw-b">');
    expect(xml).toContain('<testsuite name="bad" tests="1" failures="0" errors="1">');
    expect(xml.match(/<testcase /g)).toHaveLength(3);
  });
});
