import { buildNodeImage, listNodeImages, type ImageEvent } from '../../runtime/docker/images.js';

/**
 * `asymlab images build [--force]` and `asymlab images list`. Prints through `out`; failures are
 * LabErrors (kind `environment` when the daemon or a tool is missing), left to the dispatcher to
 * print and map to an exit code. Returns 0 on success.
 */
export interface ImagesArgs {
  action: 'build' | 'list';
  force: boolean;
}

const stepText: Record<string, string> = {
  skip: 'already built',
  mirror: 'mirror',
  rootfs: 'root filesystem',
  debootstrap: 'debootstrap',
  configure: 'configuring packages',
  pack: 'packing',
  import: 'importing',
  done: 'built',
};

export function formatImageEvent(e: ImageEvent): string {
  return `images: ${stepText[e.step] ?? e.step}${e.detail ? `: ${e.detail}` : ''}`;
}

function size(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}

export async function imagesCommand(args: ImagesArgs, out: (line: string) => void): Promise<number> {
  if (args.action === 'build') {
    const r = await buildNodeImage({ force: args.force, onEvent: (e) => out(formatImageEvent(e)) });
    if (!r.skipped) out(`images: ${r.image} ready in ${(r.durationMs / 1000).toFixed(0)} s${r.rootfsCached ? ' (cached root filesystem)' : ''}`);
    return 0;
  }
  const images = await listNodeImages();
  if (!images.length) {
    out('no asymlab images; build the node image with: asymlab images build');
    return 0;
  }
  const rows = images.map((i) => [i.ref, i.id, size(i.sizeBytes), i.created.toISOString().slice(0, 16).replace('T', ' ')]);
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length), ['IMAGE', 'ID', 'SIZE'][c].length));
  const line = (r: string[]) => r.map((v, c) => (c < 3 ? v.padEnd(widths[c]) : v)).join('  ');
  out(line(['IMAGE', 'ID', 'SIZE', 'CREATED']));
  for (const r of rows) out(line(r));
  return 0;
}
