/**
 * The report files of a run folder: what the report reads from it (evidence/, captures/) and what
 * it writes into it (report.json, report.txt, report.html). Reading never fails a run: a missing
 * or unreadable evidence file leaves that node's panel empty.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import type { Lab } from '../topology/types.js';
import { reportHtml } from './html/report-html.js';
import { nodeEvidence, reportTopology, type NodeEvidence, type ReportCapture } from './report-extras.js';
import type { Report, ReportExtras, ReportTimeline } from './report.js';
import type { Timeline } from '../analysis/types.js';

async function readText(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined);
}

async function readJson<T>(file: string): Promise<T | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** captures/<node>-<iface>.pcap, matched against the lab's node names (which may hold dashes). */
export async function listCaptures(dir: string, nodes: string[]): Promise<ReportCapture[]> {
  const files = (await readdir(join(dir, 'captures')).catch(() => [] as string[])).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
  const byLength = [...nodes].sort((a, b) => b.length - a.length);
  const out: ReportCapture[] = [];
  for (const f of files) {
    const node = byLength.find((n) => f.startsWith(`${n}-`)) ?? '';
    const iface = f.slice(node ? node.length + 1 : 0).replace(/\.pcap(ng)?$/, '');
    const bytes = (await stat(join(dir, 'captures', f)).catch(() => undefined))?.size ?? 0;
    out.push({ node, iface, file: `captures/${f}`, bytes });
  }
  return out;
}

/** The revision-2 parts of report.json, from the lab and the run folder's evidence/ and captures/. */
export async function readRunExtras(dir: string, lab: Lab): Promise<ReportExtras> {
  const nodes: Record<string, NodeEvidence> = {};
  for (const n of lab.nodes) {
    nodes[n.name] = nodeEvidence({
      node: n.name,
      before: await readJson(join(dir, 'evidence', `${n.name}-before.json`)),
      after: await readJson(join(dir, 'evidence', `${n.name}-after.json`)),
      conntrackEvents: await readText(join(dir, 'evidence', `${n.name}-conntrack-events.txt`)),
    });
  }
  const timeline = reportTimeline(await readJson<Timeline>(join(dir, 'evidence', 'timeline.json')));
  return { topology: reportTopology(lab), nodes, captures: await listCaptures(dir, lab.nodes.map((n) => n.name)), ...(timeline ? { timeline } : {}) };
}

/** evidence/timeline.json (epoch seconds) as report.json has it: ms after time 0. */
export function reportTimeline(t: Timeline | undefined): ReportTimeline | undefined {
  if (!t || typeof t.t0 !== 'number' || !Array.isArray(t.events)) return undefined;
  const rel = (ts: number | undefined) => (ts === undefined ? null : Math.round((ts - t.t0) * 10_000) / 10);
  return {
    t0: new Date(t.t0 * 1000).toISOString(),
    events: t.events.map(({ startedAt, endedAt, ...e }) => ({ ...e, startedMs: rel(startedAt), endedMs: rel(endedAt) })),
  };
}

/**
 * report.json, report.txt and report.html into a run folder. The proof is report.json: a page that
 * cannot be made (its layout library missing, say) is said so, and never costs the run.
 */
export async function writeRunReports(dir: string, report: Report, table: string): Promise<{ html: string } | { html: null; problem: string }> {
  await writeFile(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, 'report.txt'), table);
  const html = join(dir, 'report.html');
  try {
    await writeFile(html, reportHtml(report));
    return { html };
  } catch (e) {
    return { html: null, problem: e instanceof LabError && e.hint ? `${e.message} (${e.hint})` : e instanceof Error ? e.message : String(e) };
  }
}
