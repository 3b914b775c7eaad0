import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlowVerdict } from '../../src/analysis/types.js';
import { runLab } from '../../src/run/run-lab.js';
import { loadLab } from '../../src/topology/load.js';
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
    }, 120_000);
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
    }, 180_000);
  }
});
