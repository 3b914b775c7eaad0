import { LabError } from '../../errors.js';
import { exportLab } from '../../export/export-lab.js';
import { parseImageOptions } from '../../export/images.js';
import { writeExport } from '../../export/write-export.js';
import { resolveLab, type CliContext } from '../context.js';

export const EXPORT_TARGETS = ['containerlab'] as const;

/**
 * `asymlab export LAB --to containerlab --out DIR [--image IMAGE | --image KIND=IMAGE ...]`: the
 * lab as a containerlab topology plus its bind files, and an asymlab file with its flows that
 * extends it (src/export/). Builds nothing; needs no root.
 */
export async function exportCommand(args: { lab: string; to?: string; out?: string; images: string[] }, ctx: CliContext): Promise<number> {
  if (args.to === undefined || !(EXPORT_TARGETS as readonly string[]).includes(args.to)) {
    throw new LabError('input', args.to === undefined ? 'export needs --to' : `cannot export to '${args.to}'`, { hint: `use --to ${EXPORT_TARGETS.join(' | ')}` });
  }
  if (!args.out) throw new LabError('input', 'export needs --out DIR', { hint: 'the folder to write the containerlab topology into' });
  const images = parseImageOptions(args.images);
  const lab = await resolveLab(args.lab, undefined, ctx);
  const ex = await exportLab(lab, { images });
  const written = await writeExport(ex, args.out);
  ctx.out(`${lab.name}: ${written.length} files in ${args.out}\n  containerlab: ${args.out}/${ex.clabFile}\n  flows:        ${args.out}/${ex.asymlabFile}\n`);
  return 0;
}
