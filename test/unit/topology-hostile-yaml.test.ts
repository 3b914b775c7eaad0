/**
 * Lab files built to hurt the loader: alias bombs, aliases into themselves, nesting without end,
 * keys written twice, inheritance that multiplies a big `defaults` by many nodes, files too big.
 * Each must give one input error (exit 2) with its file and line, never an internal error.
 */
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { loadLab } from '../../src/topology/load.js';
import { memFs, yaml } from './helpers/lab-source.js';

const FILE = '/lab/lab.yaml';

async function refused(text: string): Promise<LabError> {
  try {
    await loadLab(FILE, { fs: memFs({ [FILE]: text }) });
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    expect((e as LabError).kind).toBe('input');
    return e as LabError;
  }
  throw new Error('the lab loaded, but it should not');
}

const VALID = yaml(`
  name: t
  topology:
    nodes:
      a: {kind: host, interfaces: {eth1: 10.0.0.1/24}}
      b: {kind: host, interfaces: {eth1: 10.0.0.2/24}}
    links:
      - endpoints: ["a:eth1", "b:eth1"]
`);

describe('YAML aliases', () => {
  it('refuses an alias bomb (a billion laughs) at the alias that expands most', async () => {
    const levels = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
    const err = await refused(`${VALID}${levels.join('\n')}\n`);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0].file).toBe(`${FILE}:17:10`);
    expect(err.problems[0].message).toMatch(/^YAML aliases add 1\.2e\+10 nodes to a document of \d+; at most \d+ are allowed \(this alias \*l8 alone adds 1\.1e\+9\)$/);
  });

  it('refuses an alias inside the node it names', async () => {
    const err = await refused('name: t\ntopology: &x {nodes: {a: *x}}\n');
    expect(err.message).toContain(`${FILE}:2:26: YAML: alias *x is inside the node it names`);
  });

  it('takes a flat anchor used far more than 100 times (yaml’s own limit would refuse it)', async () => {
    const nodes = Array.from({ length: 300 }, (_, i) => `    h${i}: {kind: ${i ? '*k' : '&k host'}}`);
    const lab = await loadLab(FILE, { fs: memFs({ [FILE]: `name: t\ntopology:\n  nodes:\n${nodes.join('\n')}\n` }) });
    expect(lab.nodes.filter((n) => n.kind === 'host')).toHaveLength(300);
  });
});

describe('YAML shape', () => {
  it('reports a key written twice, in a nested mapping too, with both lines', async () => {
    const err = await refused(VALID.replace('  nodes:\n', '  nodes:\n    a: {kind: host}\n'));
    expect(err.message).toContain(`${FILE}:5:5: YAML: Map keys must be unique: 'a' is already on line 4`);
  });

  it('counts keys as the data holds them: 1 and "1" are one key', async () => {
    const err = await refused(`${VALID}x: {1: a, "1": b}\n`);
    expect(err.message).toContain("YAML: Map keys must be unique: '1' is already on line 8");
  });

  it('refuses nesting deeper than any lab needs', async () => {
    const err = await refused(`name: t\ntopology: ${'['.repeat(100)}${']'.repeat(100)}\n`);
    expect(err.problems).toHaveLength(1);
    expect(err.message).toContain('YAML nests deeper than 64 levels');
  });
});

describe('inheritance', () => {
  it('refuses defaults that every node would copy beyond the budget, before copying', async () => {
    const sysctls = Array.from({ length: 1500 }, (_, i) => `net.x.k${i}: 1`).join(', ');
    const nodes = Array.from({ length: 1000 }, (_, i) => `    h${i}: {kind: host}`).join('\n');
    const err = await refused(`name: t\ntopology:\n  defaults: {sysctls: {${sysctls}}}\n  nodes:\n${nodes}\n`);
    expect(err.problems).toHaveLength(1);
    expect(err.message).toMatch(/\/lab\/lab\.yaml:2:1: topology: nodes inherit 1501000 values in all from defaults, kinds and groups; at most \d+ are allowed/);
  });

  it('takes the usual amount', async () => {
    const text = VALID.replace('  nodes:', '  defaults: {sysctls: {net.ipv4.conf.all.rp_filter: 0}}\n  nodes:');
    await expect(loadLab(FILE, { fs: memFs({ [FILE]: text }) })).resolves.toBeDefined();
  });
});
