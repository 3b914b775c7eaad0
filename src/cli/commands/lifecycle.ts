import { cleanAll, downLab } from '../../lab/down.js';
import { upLab } from '../../lab/up.js';
import { resolveLab, labName, type CliContext } from '../context.js';
import { fmtMs, progressPrinter } from '../progress.js';
import type { RuntimeKind } from '../../topology/types.js';
import { imageMapOf } from '../config.js';

export async function upCommand(args: { lab: string; runtime?: RuntimeKind; imageMap?: string[] }, ctx: CliContext): Promise<number> {
  const lab = await resolveLab(args.lab, args.runtime, ctx);
  const imageMap = await imageMapOf(args.imageMap);
  const started = await upLab(lab, { emit: progressPrinter(ctx.err, { quiet: ctx.quiet }), signal: ctx.signal, ...(imageMap ? { imageMap } : {}) });
  ctx.out(`lab '${lab.name}' is up on ${started.runtime.kind}: ${lab.nodes.length} nodes, ${lab.links.length} links, in ${fmtMs(started.timings.total)}\n`);
  ctx.out(`  asymlab inspect ${lab.name}   |   asymlab exec ${lab.name} NODE -- CMD   |   asymlab down ${lab.name}\n`);
  return 0;
}

export async function downCommand(args: { lab: string }, ctx: CliContext): Promise<number> {
  const name = await labName(args.lab);
  const t = performance.now();
  const found = await downLab(name, { emit: progressPrinter(ctx.err, { quiet: ctx.quiet }) });
  ctx.out(found ? `lab '${name}' is down (${fmtMs(performance.now() - t)})\n` : `lab '${name}' was not up; nothing to remove\n`);
  return 0;
}

export async function cleanCommand(_args: object, ctx: CliContext): Promise<number> {
  const labs = await cleanAll({ emit: progressPrinter(ctx.err, { quiet: ctx.quiet }) });
  ctx.out(labs.length ? `removed ${labs.length} lab(s): ${labs.join(', ')}\n` : 'nothing to clean\n');
  return 0;
}

export async function validateCommand(args: { lab: string; runtime?: RuntimeKind }, ctx: CliContext): Promise<number> {
  const lab = await resolveLab(args.lab, args.runtime, ctx);
  const kinds = lab.nodes.reduce<Record<string, number>>((acc, n) => ({ ...acc, [n.kind]: (acc[n.kind] ?? 0) + 1 }), {});
  ctx.out(
    `${lab.file}: valid lab '${lab.name}': ${Object.entries(kinds).map(([k, n]) => `${n} ${k}${n > 1 ? 's' : ''}`).join(', ')}, ${lab.links.length} links, ${lab.flows.length} flows\n`,
  );
  return 0;
}
