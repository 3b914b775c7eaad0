import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodePlan } from '../../plan/plan.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { CommandResult, Runner } from '../../util/exec.js';
import { frrPaths } from './paths.js';

/** vtysh for a node: with the node's pathspace where many FRR instances share one filesystem. */
export function vtyshArgv(runtime: Runtime, n: NodePlan): string[] {
  const ps = frrPaths(runtime, n).pathspace;
  return ps ? ['vtysh', '-N', ps] : ['vtysh'];
}

/** Runs vtysh commands on a node. */
export async function vtyshRun(runtime: Runtime, n: NodePlan, commands: string[], opts: { reject?: boolean } = {}): Promise<CommandResult> {
  return runtime.exec(n, [...vtyshArgv(runtime, n), ...commands.flatMap((c) => ['-c', c])], { context: 'node', reject: opts.reject, timeoutMs: 10_000 });
}

/** Checks a raw or rendered config with vtysh's dry run (no daemon needed), before anything is created. */
export async function checkFrrConfig(run: Runner, config: string, file: string): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'asymlab-frr-'));
  try {
    await writeFile(join(dir, 'frr.conf'), config);
    const r = await run(['vtysh', '-C', '-f', join(dir, 'frr.conf')], { reject: false, timeoutMs: 20_000 });
    if (!r.failed) return undefined;
    return vtyshErrors((r.stdout + r.stderr).replaceAll(join(dir, 'frr.conf'), file)).join('\n    ');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * vtysh's complaints about a config, without the config: it quotes each line it rejects
 * ("line 4: % Unknown command[4]: <the line>"), and a config that is not one (a lab that named
 * some other file) must not be printed back. The line number and the reason are what a fix needs.
 */
export function vtyshErrors(output: string, maxLines = 6): string[] {
  return output
    .trim()
    .split('\n')
    .map((l) => l.replace(/^(.*?%[^:[]*)(?:\[\d+\])?:.*$/, '$1').trimEnd())
    .filter((l) => l !== '')
    .slice(-maxLines);
}
