import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labName, resolveLab } from '../../src/cli/context.js';
import { LabError } from '../../src/errors.js';
import { checkLabName, insideBase, isLabName } from '../../src/lab/lab-name.js';
import { downLab } from '../../src/lab/down.js';
import { listStates, readState, removeState, writeState } from '../../src/lab/state.js';

/** The error a call throws; the test fails if it throws none or another kind. */
async function inputError(fn: () => unknown): Promise<LabError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    expect((e as LabError).kind).toBe('input');
    return e as LabError;
  }
  throw new Error('expected an input error, got none');
}

const bad = ['x/../../tmp/victim', '..', '.', '/abs', '', 'a b', 'Lab', 'a'.repeat(25), '-a', 'a-', 'a_b', 'a\nb', 'a\0b'];
const good = ['a', 'h1-race', 'lab-01', 'a'.repeat(24), '0'];

describe('lab names', () => {
  it.each(bad)('%j is refused, with the name and the allowed shape in the message', (name) => {
    expect(isLabName(name)).toBe(false);
    let err: unknown;
    try {
      checkLabName(name);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).kind).toBe('input');
    expect((err as Error).message).toMatch(/^lab name '.*' is not allowed: lab names use lowercase letters, digits and inner hyphens, at most 24 characters$/s);
    expect((err as Error).message).not.toMatch(/[\n\0]/);
  });

  it.each(good)('%j is a lab name', (name) => {
    expect(checkLabName(name)).toBe(name);
  });

  it('a name is shown in the message as given, control characters escaped', () => {
    expect(() => checkLabName('x/../../tmp/victim')).toThrow("lab name 'x/../../tmp/victim' is not allowed");
    expect(() => checkLabName('a\nb')).toThrow("lab name 'a\\x0ab' is not allowed");
  });
});

describe('insideBase', () => {
  it('joins plain names below the base', () => {
    expect(insideBase('/var/run/asymlab', 'lab')).toBe('/var/run/asymlab/lab');
    expect(insideBase('/var/run/asymlab/', 'lab', 'state.json')).toBe('/var/run/asymlab/lab/state.json');
    expect(insideBase('/etc/frr', 'asymlab_l_r1')).toBe('/etc/frr/asymlab_l_r1');
  });

  it.each([['x/../../tmp/victim'], ['..'], ['../etc'], ['/abs'], [''], ['.'], ['a/../..'], ['a\0b']])('%j leads outside (or onto) the base: input error', (part) => {
    expect(() => insideBase('/var/run/asymlab', part)).toThrow(LabError);
  });

  it('checks the whole path, not each part', () => {
    expect(() => insideBase('/etc/frr', 'asymlab_x_', '../../passwd')).toThrow(/does not name a place inside \/etc\/frr/);
    expect(insideBase('/etc/frr', 'a', '../b')).toBe('/etc/frr/b');
  });
});

describe('state folder', () => {
  const base = () => mkdtempSync(join(tmpdir(), 'asymlab-h1-state-'));

  it('removeState of a path-like name throws and removes nothing', async () => {
    const dir = base();
    const victim = join(dir, 'victim');
    mkdirSync(join(dir, 'states'));
    mkdirSync(victim);
    writeFileSync(join(victim, 'keep'), 'x');
    await inputError(() => removeState('x/../../victim', join(dir, 'states')));
    await inputError(() => removeState('..', join(dir, 'states')));
    expect(existsSync(join(victim, 'keep'))).toBe(true);
    expect(existsSync(join(dir, 'states'))).toBe(true);
  });

  it('readState and writeState refuse names that are not lab names', async () => {
    const dir = base();
    await inputError(() => readState('../x', dir));
    await inputError(() => writeState({ lab: '/abs', file: 'f', runtime: 'netns', startedAt: '', pid: 1 }, dir));
  });

  it('listStates passes over entries that are not lab names', async () => {
    const dir = base();
    for (const d of ['good-lab', 'Bad', 'a b', '.hidden']) mkdirSync(join(dir, d));
    expect((await listStates(dir)).sort()).toEqual(['good-lab']);
  });

  it('state written for a lab is read back; removeState removes its folder', async () => {
    const dir = base();
    await writeState({ lab: 'l1', file: '/f.yaml', runtime: 'netns', startedAt: 'now', pid: 7 }, dir);
    expect(await readState('l1', dir)).toMatchObject({ lab: 'l1', pid: 7 });
    await removeState('l1', dir);
    expect(existsSync(join(dir, 'l1'))).toBe(false);
  });
});

describe('lab names on the command line', () => {
  it('down/inspect/exec/trace: an argument that is no file must be a lab name', async () => {
    const err = await inputError(() => labName('x/../../tmp/victim'));
    expect(err.message).toBe("no lab file 'x/../../tmp/victim', and it is not a lab name: lab names use lowercase letters, digits and inner hyphens, at most 24 characters");
    await inputError(() => resolveLab('/no/such/lab.yaml'));
    await inputError(() => resolveLab('Upper'));
    expect(await labName('some-lab')).toBe('some-lab');
  });

  it('downLab refuses a path-like name before it touches anything', async () => {
    const victim = mkdtempSync(join(tmpdir(), 'asymlab-h1-victim-'));
    writeFileSync(join(victim, 'keep'), 'x');
    await inputError(() => downLab(`x/../../../..${victim}`));
    expect(existsSync(join(victim, 'keep'))).toBe(true);
  });
});
