/**
 * `--image-map FROM=TO`: a lab whose images cannot be pulled here (containerlab's
 * quay.io/frrouting/frr:10.5.1) runs on one that is (asymlab/node:latest). The same map can sit
 * in asymlab's machine config (src/cli/config.ts); the command line wins. Pure.
 */
import { LabError } from '../../errors.js';

export type ImageMap = Readonly<Record<string, string>>;

/** A docker image reference, loosely: no spaces or control characters, no `=`. */
const IMAGE_RE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;

/** `FROM=TO` entries as a map; a malformed one is an input error naming it and where it came from. */
export function parseImageMap(entries: readonly string[], where = '--image-map'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const i = e.indexOf('=');
    const from = i < 0 ? '' : e.slice(0, i).trim();
    const to = i < 0 ? '' : e.slice(i + 1).trim();
    if (!IMAGE_RE.test(from) || !IMAGE_RE.test(to)) {
      throw new LabError('input', `${where}: '${e}' is not FROM=TO`, { hint: 'e.g. --image-map quay.io/frrouting/frr:10.5.1=asymlab/node:latest' });
    }
    out[from] = to;
  }
  return out;
}

/** The image a node runs: its own, or what the map says for it. */
export function mappedImage(image: string, map: ImageMap | undefined): string {
  return map?.[image] ?? image;
}
