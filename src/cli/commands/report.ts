import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LabError } from '../../errors.js';
import { reportHtml } from '../../report/html/report-html.js';
import { REPORT_SCHEMA, type Report } from '../../report/report.js';
import type { CliContext } from '../context.js';

/**
 * report.json of a run folder, checked before it is drawn: no file, not JSON, not a report, or a
 * report of a newer major format each get their own message.
 */
export async function readReportJson(dir: string): Promise<Report> {
  if (!existsSync(dir)) throw new LabError('input', `no run folder ${dir}`, { hint: 'give a run folder, e.g. runs/<lab>-<time> (asymlab run prints it)' });
  if (!statSync(dir).isDirectory()) throw new LabError('input', `${dir} is a file, not a run folder`, { hint: 'give the folder that holds report.json' });
  const file = join(dir, 'report.json');
  if (!existsSync(file)) {
    const partial = existsSync(`${dir}.partial`) ? `; ${dir}.partial holds a run that did not finish, and has no report` : '';
    throw new LabError('input', `${dir} holds no report.json${partial}`, { hint: 'give a folder written by asymlab run or asymlab test' });
  }
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new LabError('input', `${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const schema = (data as { schema?: unknown } | null)?.schema;
  if (typeof schema !== 'string' || !schema.startsWith('asymlab.report/v')) {
    throw new LabError('input', `${file}: schema: not an asymlab report (schema ${JSON.stringify(schema)})`, { hint: `asymlab reads reports whose schema is ${REPORT_SCHEMA}` });
  }
  if (schema !== REPORT_SCHEMA) {
    const newer = Number(schema.slice('asymlab.report/v'.length)) > Number(REPORT_SCHEMA.slice('asymlab.report/v'.length));
    throw new LabError('input', `${file}: schema: ${schema} is ${newer ? 'a newer format than this asymlab reads' : 'a format this asymlab does not read'} (it reads ${REPORT_SCHEMA})`, {
      hint: newer ? 'update asymlab to the version that wrote this run, or rerun the lab with this one' : 'rerun the lab with this asymlab',
    });
  }
  return data as Report;
}

/** `asymlab report RUN_DIR [--open]`: report.html again from report.json. */
export async function reportCommand(args: { dir: string; open: boolean }, ctx: CliContext): Promise<number> {
  const report = await readReportJson(args.dir);
  const html = join(args.dir, 'report.html');
  await writeFile(html, reportHtml(report));
  ctx.out(`report: ${html}\n`);
  if (args.open) openInBrowser(resolve(html), ctx);
  return 0;
}

/** xdg-open (Linux) or open (macOS), detached: the report opens in the user's browser, not ours. */
function openInBrowser(file: string, ctx: CliContext): void {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const child = spawn(opener, [file], { detached: true, stdio: 'ignore' });
  child.on('error', () => ctx.err(`asymlab: could not run ${opener}; open ${file} in a browser\n`));
  child.unref();
}
