import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LabError, exitCodes } from '../../errors.js';
import { buildReport, formatTable, type Report } from '../../report/report.js';
import { junitXml } from '../../report/junit.js';
import { readRunExtras, writeRunReports } from '../../report/run-folder.js';
import { finishRunDir, keepPartial, openRunDir } from '../../run/run-dir.js';
import { defaultOutDir, runLab, type RunOptions } from '../../run/run-lab.js';
import type { RuntimeKind } from '../../topology/types.js';
import { resolveLab, type CliContext } from '../context.js';
import { fmtMs, progressPrinter } from '../progress.js';

async function runOne(file: string, args: { runtime?: RuntimeKind; outDir?: string; keepUp?: boolean; attach?: RunOptions['attach'] }, ctx: CliContext): Promise<Report> {
  const lab = await resolveLab(file, args.runtime, ctx);
  const startedAt = new Date();
  const outDir = args.outDir ?? defaultOutDir(lab.name, startedAt);
  // Everything goes to DIR.partial; it becomes DIR only with report.json in it.
  const workDir = await openRunDir(outDir);
  const t = performance.now();
  try {
    const result = await runLab(lab, { emit: progressPrinter(ctx.err, { quiet: ctx.quiet }), signal: ctx.signal, outDir: workDir, keepUp: args.keepUp, attach: args.attach });
    // Ctrl-C after the last step still means the run was cut short.
    ctx.signal.throwIfAborted();
    const report = buildReport(
      { lab: lab.name, file: lab.file, runtime: lab.runtime, startedAt: startedAt.toISOString(), durationMs: performance.now() - t, timings: result.timings },
      result.verdicts,
      result.traces,
      await readRunExtras(workDir, lab),
    );
    const table = formatTable(result.verdicts, result.traces);
    const written = await writeRunReports(workDir, report, table);
    await finishRunDir(workDir, outDir);
    ctx.out(`\n${lab.name}: ${result.verdicts.length} flows, ${result.verdicts.filter((v) => v.pass).length} as expected (${fmtMs(report.durationMs)}); evidence in ${outDir}\n\n${table}`);
    if (written.html !== null) ctx.out(`\nreport: ${join(outDir, 'report.html')}\n`);
    else ctx.err(`asymlab: ${lab.name}: report.html not written: ${written.problem}; \`asymlab report ${outDir}\` writes it later\n`);
    return report;
  } catch (e) {
    const kept = await keepPartial(workDir);
    if (kept) ctx.err(`asymlab: ${lab.name}: the run did not finish; what it collected is in ${kept}\n`);
    throw e;
  }
}

export async function runCommand(args: { lab: string; runtime?: RuntimeKind; outDir?: string; keepUp?: boolean; attach?: RunOptions['attach'] }, ctx: CliContext): Promise<number> {
  const report = await runOne(args.lab, args, ctx);
  return report.pass ? 0 : exitCodes.expectation;
}

/**
 * The labs among the arguments, so a shell glob such as `labs/expressroute/*` works: folders
 * holding lab.yaml and lab files count; READMEs, other files and base files (no `name:` of their
 * own, only there to be extended) are passed over, and said so.
 */
export function selectLabs(args: string[], note: (s: string) => void): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (existsSync(a) && statSync(a).isDirectory()) {
      if (existsSync(join(a, 'lab.yaml'))) out.push(join(a, 'lab.yaml'));
      else note(`skipping ${a}: no lab.yaml in it`);
    } else if (!/\.ya?ml$/.test(a)) {
      note(`skipping ${a}: not a lab file`);
    } else if (existsSync(a) && !/^name:/m.test(readFileSync(a, 'utf8'))) {
      note(`skipping ${a}: a base for other labs (no name: of its own)`);
    } else out.push(a);
  }
  return out;
}

/** Runs labs one after another; a lab that fails to run is reported and the others still run. */
export async function testCommand(args: { labs: string[]; runtime?: RuntimeKind; outDir?: string; junit?: string }, ctx: CliContext): Promise<number> {
  const results: Parameters<typeof junitXml>[0] = [];
  let worst = 0;
  const labs = selectLabs(args.labs, (s) => ctx.err(`asymlab: ${s}\n`));
  if (labs.length === 0) throw new LabError('input', 'no lab among the arguments', { hint: 'give lab files or folders holding lab.yaml' });
  for (const file of labs) {
    ctx.signal.throwIfAborted();
    try {
      const report = await runOne(file, { runtime: args.runtime, outDir: args.outDir ? join(args.outDir, file.replace(/[^a-zA-Z0-9.-]+/g, '_')) : undefined }, ctx);
      results.push({ report });
      if (!report.pass) worst = Math.max(worst, exitCodes.expectation);
    } catch (e) {
      if (e instanceof LabError && e.kind === 'interrupted') throw e;
      const msg = e instanceof Error ? e.message : String(e);
      ctx.err(`asymlab: ${file}: ${msg}\n`);
      results.push({ lab: file, file, error: msg });
      worst = Math.max(worst, e instanceof LabError ? exitCodes[e.kind] : 70);
    }
  }
  const passed = results.filter((r) => 'report' in r && r.report.pass).length;
  ctx.out(`\n${passed} of ${results.length} labs passed\n`);
  if (args.junit) {
    await mkdir(dirname(args.junit), { recursive: true });
    await writeFile(args.junit, junitXml(results));
    ctx.out(`JUnit XML: ${args.junit}\n`);
  }
  return worst;
}
