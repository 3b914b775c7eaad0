/**
 * `nft -c` of a raw ruleset before anything of the lab exists. A ruleset may name interfaces
 * (`iif "eth1"`) that nft resolves while checking, so the check runs in a network namespace of its
 * own (`unshare --net`, gone when the process ends) holding an interface of each name the node
 * has. This file is both the check (nftCheck, run from `up`) and the program unshare starts
 * (its main), which makes the interfaces and runs nft, every command an argv array.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Runner } from '../util/exec.js';

/** The built program, whether this module runs from src (tests) or dist. */
const SELF = fileURLToPath(new URL('../../dist/firewall/nft-check.js', import.meta.url));

/** nft's complaint, with its own file name replaced by the lab's: "FILE:4:7-12: Error: …", the line, the caret. */
export function nftErrors(output: string, file: string, maxLines = 9): string[] {
  return output
    .trim()
    .split('\n')
    .map((l) => l.replace(/^\/dev\/stdin:/, `${file}:`).trimEnd())
    .filter((l) => l !== '')
    .slice(0, maxLines);
}

/** Checks `text` (the ruleset in `file`) with `nft -c` beside interfaces named `ifaces`; the problem, or undefined. */
export async function nftCheck(run: Runner, text: string, file: string, ifaces: string[]): Promise<string | undefined> {
  const argv = ['unshare', '--net', '--', process.execPath, SELF, ...ifaces.map((i) => `--iface=${i}`)];
  const r = await run(argv, { input: text, reject: false, timeoutMs: 20_000 });
  if (!r.failed) return undefined;
  return nftErrors(r.stderr || r.stdout, file).join('\n    ') || `nft -c failed (exit code ${r.exitCode})`;
}

/** In the fresh namespace: the interfaces, then nft -c on stdin; nft's exit code and messages pass through. */
function main(args: string[]): number {
  for (const [k, a] of args.entries()) {
    const m = /^--iface=([a-zA-Z][a-zA-Z0-9_.-]{0,14})$/.exec(a);
    if (!m) {
      process.stderr.write(`nft-check: bad argument ${JSON.stringify(a)}\n`);
      return 2;
    }
    // a veth, not a dummy: the lab's kernel has veth for certain (its links are veths), dummy not always
    try {
      execFileSync('ip', ['link', 'add', m[1], 'type', 'veth', 'peer', 'name', `nftcheck${k}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      process.stderr.write(`nft-check: cannot make interface ${m[1]} to check against: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}\n`);
      return 2;
    }
  }
  const r = spawnSync('nft', ['-c', '-f', '/dev/stdin'], { stdio: ['inherit', 'inherit', 'inherit'] });
  return r.status ?? 1;
}

if (process.argv[1] === SELF) process.exitCode = main(process.argv.slice(2));
