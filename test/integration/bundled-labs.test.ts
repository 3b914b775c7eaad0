import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlowVerdict } from '../../src/analysis/types.js';
import { exportLab } from '../../src/export/export-lab.js';
import { writeExport } from '../../src/export/write-export.js';
import { runLab, type RunResult } from '../../src/run/run-lab.js';
import { loadLab } from '../../src/topology/load.js';
import type { Lab } from '../../src/topology/types.js';
import { canBuildLabs, leftovers, repoRoot, whyNoLabs } from '../helpers/machine.js';

/** Every runnable lab under labs/: files with a `flows:` section (bases such as base.yaml have none). */
function bundledLabs(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e) && /^flows:/m.test(readFileSync(p, 'utf8'))) out.push(relative(repoRoot, p));
    }
  };
  walk(join(repoRoot, 'labs'));
  return out.sort();
}

function dockerReady(): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', 'asymlab/node:latest'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const labs = bundledLabs();
const out = mkdtempSync(join(tmpdir(), 'asymlab-bundled-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * The export round trip, export's test of completeness, shares each lab's run here: the lab is
 * exported (asymlab export --to containerlab), the asymlab file that extends the containerlab
 * topology is loaded and run on the same runtime, and it must give the same verdicts. On netns for
 * every lab, on docker for the expressroute labs.
 */
async function roundTrip(lab: Lab, name: string, runtime: 'netns' | 'docker', ref: RunResult): Promise<void> {
  const dir = join(out, `${name}-export`);
  const ex = await exportLab({ ...lab, name });
  await writeExport(ex, dir);
  const back = await loadLab(join(dir, ex.asymlabFile));
  const r = await runLab({ ...back, runtime }, { outDir: join(out, `${name}-export-run`) });
  expect(leftovers(back.name)).toEqual([]);
  expect(r.verdicts.map(roundTripEssence), 'the exported lab gives the original verdicts').toEqual(ref.verdicts.map(roundTripEssence));
}
const roundTripEssence = (v: FlowVerdict) => ({ ...essence(v), pass: v.pass });

/** What must agree between runtimes: the verdict, not timings or packet counts. */
const essence = (v: FlowVerdict) => ({ name: v.name, result: v.result, at: v.at, path: v.path, returnPath: v.returnPath, asymmetric: v.asymmetric });
const netnsVerdicts = new Map<string, ReturnType<typeof essence>[]>();

describe.skipIf(!canBuildLabs)(`every bundled lab meets its expect on netns${canBuildLabs ? '' : ` — skipped: ${whyNoLabs}`}`, () => {
  it('finds the bundled labs', () => expect(labs.length).toBeGreaterThan(3));
  for (const file of labs) {
    it(file, async () => {
      const lab = await loadLab(join(repoRoot, file));
      const name = `t-${lab.name}`.slice(0, 24).replace(/-$/, '');
      const r = await runLab({ ...lab, name, runtime: 'netns' }, { outDir: join(out, name) });
      expect(leftovers(name)).toEqual([]);
      const failed = r.verdicts.filter((v) => !v.pass).map((v) => `${v.name}: ${v.summary}\n  ${v.mismatches.join('\n  ')}`);
      expect(failed, failed.join('\n')).toEqual([]);
      netnsVerdicts.set(file, r.verdicts.map(essence));
      // A containerlab topology is exported already: its round trip is itself. (Exporting one again
      // loses the addresses its exec lines set, which the export does not carry yet.)
      if (!file.startsWith('labs/containerlab/')) await roundTrip(lab, `x-${lab.name}`.slice(0, 24).replace(/-$/, ''), 'netns', r);
    }, 240_000);
  }
});

const docker = canBuildLabs && dockerReady();
describe.skipIf(!docker)(`the same labs give the same verdicts on docker${docker ? '' : ' — skipped: no docker daemon or no asymlab/node image (scripts/setup.sh --docker)'}`, () => {
  for (const file of labs) {
    it(file, async () => {
      const lab = await loadLab(join(repoRoot, file));
      const name = `d-${lab.name}`.slice(0, 24).replace(/-$/, '');
      const r = await runLab({ ...lab, name, runtime: 'docker' }, { outDir: join(out, name) });
      const failed = r.verdicts.filter((v) => !v.pass).map((v) => `${v.name}: ${v.summary}\n  ${v.mismatches.join('\n  ')}`);
      expect(failed, failed.join('\n')).toEqual([]);
      const netns = netnsVerdicts.get(file);
      if (netns) expect(r.verdicts.map(essence)).toEqual(netns);
      if (file.startsWith('labs/expressroute/')) await roundTrip(lab, `y-${lab.name}`.slice(0, 24).replace(/-$/, ''), 'docker', r);
    }, 240_000);
  }
});
