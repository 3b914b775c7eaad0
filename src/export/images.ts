/**
 * Which image each exported node runs. `--image IMAGE` sets every node's, `--image KIND=IMAGE` the
 * nodes of one kind (repeatable; an image reference never holds `=`), and a node's own `image:` in
 * the lab wins over both. Nodes left over run asymlab's node image, which has every tool the
 * start script uses and every FRR daemon. Pure.
 */
import { LabError } from '../errors.js';
import { supportedKindNames } from '../kinds/registry.js';
import type { LabNode } from '../topology/types.js';

export const DEFAULT_EXPORT_IMAGE = 'asymlab/node:latest';

export interface ImageChoice {
  /** `--image IMAGE`: every node without a more specific choice. */
  all?: string;
  /** `--image KIND=IMAGE`. */
  byKind: Record<string, string>;
}

/** Loose on purpose (registries, ports, digests), strict where it matters: no spaces, quotes or `=`. */
const IMAGE_RE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@+]*$/;

export function parseImageOptions(values: readonly string[]): ImageChoice {
  const choice: ImageChoice = { byKind: {} };
  for (const v of values) {
    const eq = v.indexOf('=');
    const [kind, image] = eq < 0 ? [undefined, v] : [v.slice(0, eq), v.slice(eq + 1)];
    if (!IMAGE_RE.test(image)) throw new LabError('input', `--image ${v}: '${image}' is not an image reference`, { hint: 'write --image IMAGE or --image KIND=IMAGE, e.g. --image router=quay.io/frrouting/frr:10.5.1' });
    if (kind === undefined) {
      if (choice.all !== undefined) throw new LabError('input', `--image given twice for every node (${choice.all}, ${image})`, { hint: 'give one --image IMAGE, and --image KIND=IMAGE per kind' });
      choice.all = image;
    } else {
      if (!supportedKindNames().includes(kind)) throw new LabError('input', `--image ${v}: unknown kind '${kind}'`, { hint: `kinds: ${supportedKindNames().join(', ')}` });
      if (choice.byKind[kind] !== undefined) throw new LabError('input', `--image given twice for kind ${kind}`);
      choice.byKind[kind] = image;
    }
  }
  return choice;
}

export function imageFor(node: LabNode, choice: ImageChoice): string {
  return node.image ?? choice.byKind[node.kind] ?? choice.all ?? DEFAULT_EXPORT_IMAGE;
}
