#!/usr/bin/env node
// One Mininet trial: renders the chain with asymlab's own code (bench/floor/render.mjs), then has
// Mininet build it (mininet-chain.py).
//   node bench/peers/run.mjs routers|hosts N [--name PREFIX]
// Prints the script's JSON line. FRR pathspaces and folders are PREFIX-mN-<node> / PREFIX-mhN-<node>.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chainLab } from '../lib/chain-lab.mjs';
import { renderFloor } from '../floor/render.mjs';

const args = process.argv.slice(2);
const kind = args[0];
const n = Number(args[1]);
const prefix = args.includes('--name') ? args[args.indexOf('--name') + 1] : 'bench';
if (!['routers', 'hosts'].includes(kind) || !(n > 1)) throw new Error('usage: run.mjs routers|hosts N [--name PREFIX]');
const tag = `${kind === 'routers' ? '' : 'h'}${n}`;
const work = join(tmpdir(), 'asymlab-bench', `mininet-${kind}-${n}`);
mkdirSync(work, { recursive: true });
writeFileSync(join(work, 'lab.yaml'), chainLab(kind, n, `${prefix}-${tag}`));
await renderFloor(join(work, 'lab.yaml'), `${prefix}-m${tag}`, join(work, 'rendered'));
// Debian's python3, where its mininet package lives (a python3 earlier on PATH may lack it).
const r = spawnSync('/usr/bin/python3', [join(dirname(fileURLToPath(import.meta.url)), 'mininet-chain.py'), join(work, 'rendered', 'manifest.json')], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) throw new Error(`mininet-chain.py: exit ${r.status}: ${r.stderr.trim().slice(-800)}`);
process.stdout.write(r.stdout.trim().split('\n').pop() + '\n');
