import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canBuildLabs, frrProcesses, leftovers, repoRoot, whyNoLabs } from '../helpers/machine.js';

const bin = join(repoRoot, 'bin/asymlab.js');
const work = mkdtempSync(join(tmpdir(), 'asymlab-h1-safety-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI as a child process; `onSpawn` gets the child (to signal it). */
function cli(args: string[], opts: { cwd?: string; onSpawn?: (child: ReturnType<typeof spawn>) => void } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: opts.cwd ?? repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  opts.onSpawn?.(child);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** A copy of a bundled lab under another name, in its own folder. */
function labCopy(src: string, name: string): string {
  const dir = mkdtempSync(join(work, 'lab-'));
  const file = join(dir, 'lab.yaml');
  writeFileSync(file, readFileSync(join(repoRoot, src), 'utf8').replace(/^name: .*$/m, `name: ${name}`));
  return file;
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const namespacesOf = (lab: string) => readdirSync('/var/run/netns').filter((n) => n.startsWith(`asymlab_${lab}_`)).sort();

describe('a lab name that is a path', () => {
  it('down x/../../../../tmp/DIR is refused with exit 2 and the folder survives', async () => {
    const victim = mkdtempSync('/tmp/h1-victim-');
    writeFileSync(join(victim, 'keep.txt'), 'still here\n');
    const name = `x/../../../../tmp/${basename(victim)}`;
    try {
      // A folder without `x` in it, so the argument cannot be read as a lab file.
      const r = await cli(['down', name], { cwd: mkdtempSync(join(work, 'cwd-')) });
      expect(readFileSync(join(victim, 'keep.txt'), 'utf8')).toBe('still here\n');
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`'${name}'`);
      expect(r.stderr).toMatch(/lowercase letters, digits and inner hyphens, at most 24 characters/);
      expect(r.stdout).not.toMatch(/nothing to remove/);
    } finally {
      rmSync(victim, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!canBuildLabs)(`one lab name, two asymlab at once${canBuildLabs ? '' : ` — skipped: ${whyNoLabs}`}`, () => {
  const lab = 'h1-race';
  afterAll(async () => {
    await cli(['down', lab]);
  });

  it('two `up` of the same lab at once: exactly one wins, the loser touches nothing of it', { timeout: 300_000 }, async () => {
    const file = labCopy('labs/basic/quick.yaml', lab);
    for (let round = 0; round < 4; round++) {
      const runs = await Promise.all([cli(['up', file, '--quiet']), cli(['up', file, '--quiet'])]);
      const detail = runs.map((r, i) => `#${i}: exit ${r.code}\n${r.stderr}`).join('\n');
      const winners = runs.filter((r) => r.code === 0);
      expect(winners, detail).toHaveLength(1);
      const loser = runs.find((r) => r.code !== 0)!;
      expect(loser.code, detail).toBe(2);
      expect(loser.stderr).toMatch(new RegExp(`lab '${lab}' is already (being brought up by PID \\d+|up)`));
      // The winner's lab is whole: its three namespaces, a link that carries a ping, its router's FRR.
      expect(namespacesOf(lab)).toEqual([`asymlab_${lab}_client`, `asymlab_${lab}_edge`, `asymlab_${lab}_fw`]);
      const ping = execFileSync('ip', ['netns', 'exec', `asymlab_${lab}_client`, 'ping', '-c', '1', '-W', '2', '10.1.0.1'], { encoding: 'utf8' });
      expect(ping).toMatch(/1 received/);
      expect(frrProcesses(lab).length).toBeGreaterThan(0);
      const down = await cli(['down', lab]);
      expect(down.code, down.stderr).toBe(0);
      expect(leftovers(lab)).toEqual([]);
    }
  });

  it('while an up is in progress, a second up and a down are refused naming its PID, and its lab is untouched', { timeout: 120_000 }, async () => {
    // The up waits in its exec step until the test opens the gate: a window of known length, no guessing.
    const gate = join(work, 'gate');
    const file = join(mkdtempSync(join(work, 'lab-')), 'lab.yaml');
    writeFileSync(
      file,
      [
        `name: ${lab}`,
        'topology:',
        '  nodes:',
        `    a: {kind: host, interfaces: {eth1: 10.9.0.1/30}, exec: ["while [ ! -e ${gate} ]; do sleep 0.05; done"]}`,
        '    b: {kind: host, interfaces: {eth1: 10.9.0.2/30}}',
        '  links:',
        '    - endpoints: ["a:eth1", "b:eth1"]',
        '',
      ].join('\n'),
    );
    let child: ReturnType<typeof spawn> | undefined;
    const up = cli(['up', file, '--quiet'], { onSpawn: (c) => (child = c) });
    try {
      await until(() => namespacesOf(lab).length === 2 || child?.exitCode !== null, 30_000, 'namespaces of the first up');
      expect(child!.exitCode).toBe(null);
      const second = await cli(['up', file, '--quiet']);
      expect(second.code, second.stderr).toBe(2);
      expect(second.stderr).toContain(`lab '${lab}' is already being brought up by PID ${child!.pid}`);
      const down = await cli(['down', lab]);
      expect(down.code, down.stderr).toBe(2);
      expect(down.stderr).toContain(`lab '${lab}' is being brought up by PID ${child!.pid}`);
      expect(namespacesOf(lab)).toEqual([`asymlab_${lab}_a`, `asymlab_${lab}_b`]);
    } finally {
      writeFileSync(gate, '');
    }
    const done = await up;
    expect(done.code, done.stderr).toBe(0);
    const ping = execFileSync('ip', ['netns', 'exec', `asymlab_${lab}_a`, 'ping', '-c', '1', '-W', '2', '10.9.0.2'], { encoding: 'utf8' });
    expect(ping).toMatch(/1 received/);
    expect((await cli(['down', lab])).code).toBe(0);
    expect(leftovers(lab)).toEqual([]);
  });
});

describe.skipIf(!canBuildLabs)(`run folders${canBuildLabs ? '' : ` — skipped: ${whyNoLabs}`}`, () => {
  it('a finished run is DIR with report.json, and no DIR.partial', { timeout: 120_000 }, async () => {
    const out = join(work, 'runs', 'done');
    const r = await cli(['run', labCopy('labs/basic/quick.yaml', 'h1-run-ok'), '--quiet', '--out', out]);
    expect([0, 1], r.stderr).toContain(r.code);
    expect(existsSync(join(out, 'report.json'))).toBe(true);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(leftovers('h1-run-ok')).toEqual([]);
  });

  it('a run interrupted by Ctrl-C keeps DIR.partial, never DIR, and says where it is', { timeout: 120_000 }, async () => {
    const out = join(work, 'runs', 'cut');
    let child: ReturnType<typeof spawn> | undefined;
    const run = cli(['run', labCopy('labs/basic/quick.yaml', 'h1-run-cut'), '--quiet', '--out', out], { onSpawn: (c) => (child = c) });
    // Interrupt once captures are running: the flows still have at least a second to go.
    await until(() => existsSync(join(`${out}.partial`, 'captures')), 60_000, 'captures started');
    child!.kill('SIGINT');
    const r = await run;
    expect(r.code, r.stderr).toBe(130);
    expect(existsSync(`${out}.partial`)).toBe(true);
    expect(existsSync(out)).toBe(false);
    expect(r.stderr).toContain(`${out}.partial`);
    expect(leftovers('h1-run-cut')).toEqual([]);
  });

  it('--out naming a folder that has files in it is refused before anything is built', async () => {
    const out = mkdtempSync(join(work, 'full-'));
    writeFileSync(join(out, 'mine.txt'), 'x');
    const r = await cli(['run', labCopy('labs/basic/quick.yaml', 'h1-run-full'), '--quiet', '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(out);
    expect(readdirSync(out)).toEqual(['mine.txt']);
    expect(leftovers('h1-run-full')).toEqual([]);
  });
});
