import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canBuildLabs, repoRoot, whyNoLabs } from '../helpers/machine.js';

const out = mkdtempSync(join(tmpdir(), 'asymlab-cli-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(!canBuildLabs)(`asymlab test labs/expressroute/* (the issue's own command)${canBuildLabs ? '' : ` — skipped: ${whyNoLabs}`}`, () => {
  it('passes every scenario and writes JUnit XML', () => {
    // what the shell's glob gives: every entry of the folder, README and base included
    const entries = readdirSync(join(repoRoot, 'labs/expressroute')).map((e) => `labs/expressroute/${e}`);
    const junit = join(out, 'junit.xml');
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin/asymlab.js'), 'test', ...entries, '--quiet', '--out', join(out, 'runs'), '--junit', junit], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect(r.status, r.stdout.slice(-3000) + r.stderr.slice(-2000)).toBe(0);
    expect(r.stdout).toMatch(/(\d+) of \1 labs passed/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testsuite /g)?.length).toBeGreaterThanOrEqual(12);
    expect(xml).not.toMatch(/<failure|<error/);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toMatch(/asymlab_er-/);
  }, 600_000);
});
