/**
 * Before a timed run's flows start: every program an exec event will start must exist where it
 * runs (inside a docker node's image; on the machine for netns), and the machine must have what
 * the other events use (tc for a silent link). A lab that lacks one fails here, with one error
 * naming the event and the program, and is taken down before anything was sent.
 */
import { LabError } from '../errors.js';
import type { LabPlan } from '../plan/plan.js';
import { checkTools } from '../runtime/preflight.js';
import type { Runtime } from '../runtime/runtime.js';

const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'for', 'in', 'do', 'done', 'while', 'until', 'case', 'esac', '{', '}', '!', 'time']);

/**
 * The programs a shell command line starts: the first word of each simple command (after
 * variable assignments), where that word is a plain name or path. Words built by the shell
 * (quotes, expansions) are left to the shell. Pure.
 */
export function commandPrograms(command: string): string[] {
  const out: string[] = [];
  for (const part of command.split(/;|&&|\|\||\||&|\n|\$\(|`|\(|\)/)) {
    const words = part.trim().split(/\s+/).filter(Boolean);
    let i = 0;
    while (i < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]) || KEYWORDS.has(words[i]))) i++;
    const w = words[i];
    if (w && /^[A-Za-z0-9_./+-]+$/.test(w) && !out.includes(w)) out.push(w);
  }
  return out;
}

/** Which of `programs` the node's shell cannot find (`command -v`: builtins count). */
async function missingIn(runtime: Runtime, n: LabPlan['nodes'][number], programs: string[]): Promise<string[]> {
  const script = 'for p; do command -v "$p" >/dev/null 2>&1 || echo "$p"; done';
  const r = await runtime.exec(n, ['sh', '-c', script, 'sh', ...programs], { context: 'node', reject: false, timeoutMs: 20_000 });
  if (r.exitCode === 127) return ['sh'];
  return r.stdout.split('\n').map((l) => l.trim()).filter((p) => programs.includes(p));
}

export async function checkEventCommands(plan: LabPlan, runtime: Runtime): Promise<void> {
  const events = plan.lab.events ?? [];
  if (events.some((e) => e.kind === 'link' && e.silent)) await checkTools(['tc']);
  for (const e of events) {
    if (e.kind !== 'exec') continue;
    const n = plan.nodes.find((x) => x.node.name === e.node);
    if (!n) continue;
    const programs = commandPrograms(e.command);
    if (!programs.length) continue;
    const missing = await missingIn(runtime, n, programs);
    if (!missing.length) continue;
    const where = runtime.kind === 'docker' ? `in the image of node ${e.node} (${n.node.image ?? 'asymlab/node:latest'})` : `on this machine (netns node ${e.node} runs the machine's programs)`;
    throw new LabError('input', `${plan.lab.file}: events[${e.index}].exec: ${missing.map((m) => `'${m}'`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} not found ${where}`, {
      hint: runtime.kind === 'docker' ? 'use a command the image has, give the node an image that has it, or run the lab on netns' : 'install it, or use another command',
    });
  }
}
