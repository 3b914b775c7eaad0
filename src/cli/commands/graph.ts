import { writeFile } from 'node:fs/promises';
import dagre from '@dagrejs/dagre';
import { LabError } from '../../errors.js';
import { topologySvg } from '../../report/html/draw-topology.js';
import { dot, drawio, mermaid } from '../../report/html/graph-formats.js';
import { layoutTopology, type DagreLike } from '../../report/html/layout.js';
import { labModel } from '../../report/html/model.js';
import { pageHtml } from '../../report/html/report-html.js';
import { resolveLab, type CliContext } from '../context.js';
import { orList } from '../spec.js';


export const GRAPH_FORMATS = ['html', 'svg', 'mermaid', 'dot', 'drawio'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export function graphFormat(v: unknown): GraphFormat {
  if (v === undefined) return 'html';
  if (typeof v === 'string' && (GRAPH_FORMATS as readonly string[]).includes(v)) return v as GraphFormat;
  throw new LabError('input', `--format must be ${orList(GRAPH_FORMATS)}, not '${String(v)}'`);
}

/**
 * `asymlab graph LAB [--format F] [--out FILE]`: the lab drawn from its file alone (nothing is
 * built, no root). html and svg are the report's own drawing; mermaid, dot and drawio are for
 * other tools. Written to FILE, else to standard output.
 */
export async function graphCommand(args: { lab: string; format: GraphFormat; out?: string }, ctx: CliContext): Promise<number> {
  const lab = await resolveLab(args.lab);
  const model = labModel(lab);
  const layout = () => layoutTopology(model.topology, dagre as unknown as DagreLike);
  const text =
    args.format === 'html'
      ? pageHtml(model)
      : args.format === 'svg'
        ? `<?xml version="1.0" encoding="UTF-8"?>\n${topologySvg(model.topology, layout(), [])}\n`
        : args.format === 'mermaid'
          ? mermaid(model.topology)
          : args.format === 'dot'
            ? dot(model.topology, lab.name)
            : drawio(model.topology, layout(), lab.name);
  if (args.out) {
    await writeFile(args.out, text);
    ctx.err(`asymlab: ${lab.name}: ${args.format} written to ${args.out}\n`);
  } else ctx.out(text);
  return 0;
}
