/**
 * The round trip, export's test of completeness: every bundled lab is exported (asymlab export
 * --to containerlab), the exported asymlab file (which extends the containerlab topology) is loaded
 * and run, and its verdicts must be those of the original lab: on netns for every lab, and on
 * docker for the expressroute labs. Running a containerlab file needs asymlab's containerlab
 * compatibility (kind linux, binds, exec); where it is missing the test says so and skips, found
 * by loading a minimal export. Lab names start with h13-.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlowVerdict } from '../../src/analysis/types.js';
import { BUNDLED_LABS, findLabs } from '../../src/cli/commands/labs.js';
import { exportLab } from '../../src/export/export-lab.js';
import { writeExport } from '../../src/export/write-export.js';
import { runLab } from '../../src/run/run-lab.js';
import { loadLab } from '../../src/topology/load.js';
import type { Lab } from '../../src/topology/types.js';
import { canBuildLabs, leftovers, repoRoot, whyNoLabs } from '../helpers/machine.js';

const out = mkdtempSync(join(tmpdir(), 'asymlab-round-trip-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function exported(lab: Lab, name: string): Promise<string> {
  const dir = join(out, name);
  const ex = await exportLab({ ...lab, name });
  await writeExport(ex, dir);
  return join(dir, ex.asymlabFile);
}

/** Whether this asymlab loads an exported lab at all (the containerlab compatibility is there). */
async function detectCompat(): Promise<string | undefined> {
  try {
    await loadLab(await exported(await loadLab(join(repoRoot, 'labs/basic/quick.yaml')), 'h13-compat'));
    return undefined;
  } catch (e) {
    return `this asymlab cannot load a containerlab file yet (${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 2).join(' ').slice(0, 160)})`;
  }
}
const compatMissing = await detectCompat();
const containerlabCompat = compatMissing === undefined;

function dockerReady(): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', 'asymlab/node:latest'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const essence = (v: FlowVerdict) => ({ name: v.name, result: v.result, at: v.at, path: v.path, returnPath: v.returnPath, asymmetric: v.asymmetric, pass: v.pass });
const labs = (await findLabs(BUNDLED_LABS)).map((l) => relative(repoRoot, l.file));
const why = !canBuildLabs ? whyNoLabs : compatMissing;

describe(`export round trip${why ? ` (skipped: ${why})` : ''}`, () => {
  it('finds the bundled labs', () => expect(labs.length).toBeGreaterThan(3));
  labs.forEach((file, i) => {
    const runtimes = file.startsWith('labs/expressroute/') && dockerReady() ? (['netns', 'docker'] as const) : (['netns'] as const);
    for (const runtime of runtimes) {
      it.skipIf(!containerlabCompat || !canBuildLabs)(`${file} on ${runtime}: the exported lab gives the original's verdicts`, async () => {
        const lab = await loadLab(join(repoRoot, file));
        const orig = `h13-o${i}${runtime[0]}`;
        const ref = await runLab({ ...lab, name: orig, runtime }, { outDir: join(out, `${orig}-run`) });
        expect(leftovers(orig)).toEqual([]);
        const back = await loadLab(await exported(lab, `h13-x${i}${runtime[0]}`));
        const r = await runLab({ ...back, runtime }, { outDir: join(out, `${back.name}-run`) });
        expect(leftovers(back.name)).toEqual([]);
        expect(r.verdicts.map(essence)).toEqual(ref.verdicts.map(essence));
      }, 300_000);
    }
  });
});
