/**
 * Golden tests of `asymlab export --to containerlab`: the whole export of several bundled labs
 * (topology, asymlab file, start scripts, FRR files, rulesets) must equal test/golden/export/<lab>/,
 * file for file. UPDATE_GOLDEN=1 rewrites them (review the diff by eye before committing it).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportLab } from '../../src/export/export-lab.js';
import { loadLab } from '../../src/topology/load.js';
import { repoRoot } from '../helpers/machine.js';

const GOLDEN = join(repoRoot, 'test/golden/export');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** A lab of each feature: SNAT and a router, two firewalls, raw OSPF configs, MTUs and ICMP drops, eBGP at scale. */
const LABS = ['labs/basic/quick.yaml', 'labs/basic/asymmetric.yaml', 'labs/ospf/lab.yaml', 'labs/pmtud/black-hole.yaml', 'labs/expressroute/er-return-via-internet/lab.yaml'];

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe.each(LABS)('export golden of %s', (file) => {
  it('equals the golden files, file for file', async () => {
    const lab = await loadLab(join(repoRoot, file));
    const ex = await exportLab(lab);
    const dir = join(GOLDEN, lab.name);
    if (UPDATE) {
      rmSync(dir, { recursive: true, force: true });
      for (const f of ex.files) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content);
      }
    }
    const golden = filesUnder(dir).map((p) => relative(dir, p)).sort();
    expect(ex.files.map((f) => f.path).sort()).toEqual(golden);
    for (const f of ex.files) expect(f.content, f.path).toBe(readFileSync(join(dir, f.path), 'utf8'));
  });
});
