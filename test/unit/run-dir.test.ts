import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { finishRunDir, keepPartial, openRunDir } from '../../src/run/run-dir.js';

const base = () => mkdtempSync(join(tmpdir(), 'asymlab-h1-rundir-'));

describe('run folders', () => {
  it('a run works in DIR.partial and becomes DIR when finished', async () => {
    const out = join(base(), 'runs', 'lab-1');
    const work = await openRunDir(out);
    expect(work).toBe(`${out}.partial`);
    expect(existsSync(out)).toBe(false);
    writeFileSync(join(work, 'report.json'), '{}');
    await finishRunDir(work, out);
    expect(readdirSync(out)).toEqual(['report.json']);
    expect(existsSync(work)).toBe(false);
  });

  it('an empty existing DIR is fine; one with files in it is refused and left as it was', async () => {
    const empty = join(base(), 'empty');
    mkdirSync(empty);
    const work = await openRunDir(empty);
    await finishRunDir(work, empty);
    const full = join(base(), 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'mine'), 'x');
    await expect(openRunDir(full)).rejects.toThrow(LabError);
    await expect(openRunDir(full)).rejects.toThrow(`output folder ${full} already holds files`);
    expect(readdirSync(full)).toEqual(['mine']);
    expect(existsSync(`${full}.partial`)).toBe(false);
  });

  it('an earlier DIR.partial is not reused', async () => {
    const out = join(base(), 'again');
    await openRunDir(out);
    await expect(openRunDir(out)).rejects.toThrow(`${out}.partial already exists`);
  });

  it('a stopped run keeps a partial folder with something in it and drops an empty one', async () => {
    const out = join(base(), 'stopped');
    const work = await openRunDir(out);
    expect(await keepPartial(work)).toBeUndefined();
    expect(existsSync(work)).toBe(false);
    const work2 = await openRunDir(out);
    mkdirSync(join(work2, 'captures'));
    expect(await keepPartial(work2)).toBe(work2);
    expect(existsSync(work2)).toBe(true);
  });

  it('a run to the folder of an earlier finished run replaces it, only once the new run is whole', async () => {
    const out = join(base(), 'rerun');
    const first = await openRunDir(out);
    mkdirSync(join(first, 'captures'));
    writeFileSync(join(first, 'report.json'), '{"n":1}');
    await finishRunDir(first, out);
    const second = await openRunDir(out);
    expect(readdirSync(out).sort()).toEqual(['captures', 'report.json']);
    writeFileSync(join(second, 'report.json'), '{"n":2}');
    await finishRunDir(second, out);
    expect(readFileSync(join(out, 'report.json'), 'utf8')).toBe('{"n":2}');
    expect(readdirSync(join(out, '..')).sort()).toEqual(['rerun']);
  });
});
