import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canBuildLabs, leftovers, repoRoot, whyNoLabs } from '../helpers/machine.js';

const bin = join(repoRoot, 'bin/asymlab.js');
const SRC = 'labs/expressroute/er-return-via-internet/lab.yaml';

/**
 * A copy of a bundled lab under another name, in a temp folder laid out like labs/expressroute/: the
 * scenario in a folder of its own with the base it extends beside that folder, so `extends:` stays
 * inside the lab folder's parent as the paths rule asks.
 */
function labCopy(src: string, name: string): string {
  const root = mkdtempSync(join(tmpdir(), 'asymlab-interrupt-'));
  mkdirSync(join(root, 'scenario'));
  const file = join(root, 'scenario', 'lab.yaml');
  const text = readFileSync(join(repoRoot, src), 'utf8')
    .replace(/^name: .*$/m, `name: ${name}`)
    .replace(/^extends: (.*)$/m, (_m, base: string) => {
      copyFileSync(resolve(dirname(join(repoRoot, src)), base.trim()), join(root, basename(base.trim())));
      return `extends: ../${basename(base.trim())}`;
    });
  writeFileSync(file, text);
  return file;
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`not met within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const read = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

/**
 * Live processes of a lab, found without asymlab's own code: an FRR pathspace or anything else in
 * the command line naming one of its namespaces (or `also`, e.g. a run's output folder that
 * tcpdump writes to), or the marker in the environment. Zombies are not leaks.
 */
function labProcesses(lab: string, also?: string): string[] {
  const prefix = `asymlab_${lab}_`;
  const out: string[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    const stat = read(`/proc/${p}/stat`);
    if (!stat || /^\s*[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 1))) continue;
    const cmd = read(`/proc/${p}/cmdline`).split('\0').join(' ');
    const env = read(`/proc/${p}/environ`).split('\0');
    if (cmd.includes(prefix) || (also && cmd.includes(also)) || env.some((e) => e.startsWith(`ASYMLAB_NS=${prefix}`))) out.push(`${p}: ${cmd}`);
  }
  return out;
}

/**
 * Runs the real CLI as a terminal would, in a session and process group of its own, and when
 * `when(stderr)` holds sends SIGINT to the whole group, as Ctrl-C does.
 */
async function interruptCli(args: string[], when: (stderr: string) => boolean, what: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  let exited = false;
  void closed.then(() => (exited = true));
  await until(() => when(stderr) || exited, 60_000, what);
  expect(exited, `the CLI ended before ${what}:\n${stderr}`).toBe(false);
  process.kill(-child.pid!, 'SIGINT');
  return { code: await closed, stderr };
}

const labs: string[] = [];
const down = (lab: string) => execFileSync(process.execPath, [bin, 'down', lab], { encoding: 'utf8' });

describe.skipIf(!canBuildLabs)(`Ctrl-C and orphans${canBuildLabs ? '' : ` — skipped: ${whyNoLabs}`}`, () => {
  afterAll(() => {
    // Only if an assertion failed: what a failed test left is removed by name, never by `clean`.
    for (const lab of labs) if (leftovers(lab).length || labProcesses(lab).length) down(lab);
  });

  // Moments by condition: a step's line on stderr (the next step is then running), or the machine's
  // state. The first two were where Ctrl-C crashed the CLI on EPIPE (children fed on stdin), the
  // third where FRR daemons were orphaned, the fifth where `run` blamed tcpdump and exited 4.
  const upMoments: { lab: string; when: (stderr: string, lab: string) => boolean; during: string }[] = [
    { lab: 'h2-int-links', when: (s) => /\] nodes /.test(s), during: 'links (after nodes)' },
    { lab: 'h2-int-firewalls', when: (s) => /\] addresses /.test(s), during: 'firewalls (after addresses)' },
    { lab: 'h2-int-frr', when: (_s, lab) => labProcesses(lab).some((p) => p.includes('/frr/zebra')), during: 'frr (once the first zebra runs)' },
    { lab: 'h2-int-converge', when: (s) => /\] frr /.test(s), during: 'converge (after frr)' },
  ];
  for (const m of upMoments) {
    it(`Ctrl-C to the process group during up's ${m.during} exits 130 and leaves nothing`, async () => {
      labs.push(m.lab);
      const { code, stderr } = await interruptCli(['up', labCopy(SRC, m.lab)], (s) => m.when(s, m.lab), m.during);
      expect(code, stderr).toBe(130);
      expect(leftovers(m.lab)).toEqual([]);
      expect(labProcesses(m.lab)).toEqual([]);
    });
  }

  const runMoments: { lab: string; after: RegExp; during: string }[] = [
    { lab: 'h2-int-capture', after: /\] counters /, during: 'capture (after counters)' },
    { lab: 'h2-int-flows', after: /\] capture /, during: 'flows (after capture)' },
  ];
  for (const m of runMoments) {
    it(`Ctrl-C to the process group during run's ${m.during} exits 130, blames no child and leaves nothing`, async () => {
      labs.push(m.lab);
      const out = mkdtempSync(join(tmpdir(), 'asymlab-h2-run-'));
      try {
        const { code, stderr } = await interruptCli(['run', labCopy(SRC, m.lab), '--out', out], (s) => m.after.test(s), m.during);
        expect(code, stderr).toBe(130);
        expect(stderr).not.toMatch(/tcpdump on .* failed/);
        expect(leftovers(m.lab)).toEqual([]);
        expect(labProcesses(m.lab, out)).toEqual([]);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  }

  it("down ends a daemon whose namespace lost its name behind asymlab's back", async () => {
    const lab = 'h2-int-orphan';
    labs.push(lab);
    execFileSync(process.execPath, [bin, 'up', labCopy(SRC, lab), '--quiet'], { stdio: 'pipe' });
    const ns = `asymlab_${lab}_core`;
    const bgpd = Number(read(`/var/run/frr/${ns}/bgpd.pid`).trim());
    expect(bgpd).toBeGreaterThan(1);
    execFileSync('ip', ['netns', 'del', ns]);
    expect(existsSync(`/var/run/netns/${ns}`)).toBe(false);
    expect(existsSync(`/proc/${bgpd}`), 'bgpd still runs in the nameless namespace').toBe(true);

    down(lab);
    expect(labProcesses(lab)).toEqual([]);
    expect(leftovers(lab)).toEqual([]);
  });

  it('down finds a lab of which only processes are left (no namespace name, folder or state)', async () => {
    const lab = 'h2-int-only-procs';
    labs.push(lab);
    execFileSync(process.execPath, [bin, 'up', labCopy(SRC, lab), '--quiet'], { stdio: 'pipe' });
    for (const e of readdirSync('/var/run/netns')) if (e.startsWith(`asymlab_${lab}_`)) execFileSync('ip', ['netns', 'del', e]);
    for (const p of leftovers(lab)) rmSync(p, { recursive: true, force: true });
    expect(leftovers(lab)).toEqual([]);
    expect(labProcesses(lab).length, 'its daemons still run').toBeGreaterThan(0);

    expect(down(lab)).toMatch(/is down/);
    expect(labProcesses(lab)).toEqual([]);
  });
});
