import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canBuildLabs, frrProcesses, leftovers, repoRoot, until, whyNoLabs } from '../helpers/machine.js';

const bin = join(repoRoot, 'bin/asymlab.js');

/** A copy of a bundled lab under another name, in a temp folder. */
function labCopy(src: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'asymlab-crash-'));
  const file = join(dir, 'lab.yaml');
  writeFileSync(file, readFileSync(join(repoRoot, src), 'utf8').replace(/^name: .*$/m, `name: ${name}`));
  return file;
}

describe.skipIf(!canBuildLabs)(`after a crash${canBuildLabs ? '' : ` — skipped: ${whyNoLabs}`}`, () => {
  it('kill -9 in the middle of up, then down by name removes every namespace, daemon and file', async () => {
    const file = labCopy('labs/basic/three-routers.yaml', 'it-crash');
    const child = spawn(process.execPath, [bin, 'up', file, '--quiet'], { stdio: 'ignore' });
    // Kill it once FRR runs in at least one namespace: the worst moment, daemons outlive their parent.
    await until(() => frrProcesses('it-crash').length > 0, 'an FRR daemon of it-crash');
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    expect(leftovers('it-crash').length).toBeGreaterThan(0);
    execFileSync(process.execPath, [bin, 'down', 'it-crash'], { stdio: 'pipe' });
    expect(leftovers('it-crash')).toEqual([]);
    expect(frrProcesses('it-crash')).toEqual([]);
  });

  it('Ctrl-C (SIGINT) during up exits 130 and leaves nothing', async () => {
    const file = labCopy('labs/basic/three-routers.yaml', 'it-sigint');
    const child = spawn(process.execPath, [bin, 'up', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    await until(() => leftovers('it-sigint').length > 0, 'a resource of it-sigint');
    child.kill('SIGINT');
    const code = await new Promise((r) => child.on('close', r));
    expect(code, stderr).toBe(130);
    expect(leftovers('it-sigint')).toEqual([]);
    expect(frrProcesses('it-sigint')).toEqual([]);
  });

  it.runIf(process.env.CI)('clean removes what a killed run left, whatever the lab (CI only: it removes every lab on the machine)', async () => {
    const file = labCopy('labs/basic/asymmetric.yaml', 'it-clean');
    const child = spawn(process.execPath, [bin, 'up', file, '--quiet'], { stdio: 'ignore' });
    await until(() => frrProcesses('it-clean').length > 0, 'an FRR daemon of it-clean');
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    execFileSync(process.execPath, [bin, 'clean'], { stdio: 'pipe' });
    expect(leftovers('it-clean')).toEqual([]);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toMatch(/asymlab_/);
  });
});
