/**
 * What clabernetes (containerlab on Kubernetes, one pod per node, links stitched by VXLAN) accepts
 * of a containerlab file, as its documentation states it, checked on an exported lab so a lab
 * that cannot run there says why when it is exported rather than when it is deployed. Pure.
 *
 * - no `groups`: clabverter drops them;
 * - binds are plain files of at most about 950 kB: each becomes a ConfigMap (1 MiB, less overhead);
 * - no host, macvlan or management-network links: a pod has no containerlab host to reach;
 * - nothing that needs the containerlab host's own network (network-mode host, ports, mgmt addresses).
 */
import type { InputProblem } from '../errors.js';

export const CLABERNETES_MAX_BIND_BYTES = 950_000;

/**
 * Endpoint "nodes" containerlab takes for something else than a node: the host, a macvlan parent,
 * the management bridge. containerlab's words, none of them an asymlab node kind.
 */
export const CONTAINERLAB_SPECIAL_NODES: readonly string[] = 'host macvlan mgmt-net'.split(' ');

/** Node keys that reach out of the lab into the host's network. */
const HOST_NETWORK_KEYS = ['network-mode', 'ports', 'mgmt-ipv4', 'mgmt-ipv6'] as const;

export interface BoundFile {
  /** The node that binds it. */
  node: string;
  /** Where the file is, as the user would find it (the export folder's copy, or the lab's file). */
  file: string;
  kind: 'file' | 'directory' | 'other';
  sizeBytes: number;
}

const kb = (bytes: number) => `${Math.ceil(bytes / 1000).toLocaleString('en-US')} kB`;

/** Every way the containerlab document and its bound files break clabernetes' rules; `file` names the document. */
export function clabernetesProblems(file: string, doc: { topology?: { groups?: unknown; nodes?: Record<string, Record<string, unknown>>; links?: { endpoints?: string[] }[] } }, binds: readonly BoundFile[]): InputProblem[] {
  const problems: InputProblem[] = [];
  const topo = doc.topology ?? {};
  if (topo.groups !== undefined) problems.push({ file, path: 'topology.groups', message: 'clabernetes drops groups', hint: 'write every setting on its nodes' });
  for (const [name, node] of Object.entries(topo.nodes ?? {})) {
    for (const key of HOST_NETWORK_KEYS) {
      if (node[key] !== undefined) problems.push({ file, path: `topology.nodes.${name}.${key}`, message: `${key} needs the containerlab host's own network, which a clabernetes pod does not have`, hint: `remove ${key}` });
    }
  }
  (topo.links ?? []).forEach((l, i) =>
    (l.endpoints ?? []).forEach((ep, j) => {
      const node = ep.split(':')[0];
      if (CONTAINERLAB_SPECIAL_NODES.includes(node)) {
        problems.push({ file, path: `topology.links[${i}].endpoints[${j}]`, message: `'${ep}' is a ${node} link, which clabernetes cannot make`, hint: 'link two nodes of the lab (veth)' });
      }
    }),
  );
  for (const b of binds) {
    if (b.kind !== 'file') problems.push({ file: b.file, path: `topology.nodes.${b.node}.binds`, message: `a bind of node ${b.node} is ${b.kind === 'directory' ? 'a directory' : 'not a regular file'}; clabernetes binds plain files only`, hint: 'bind each file on its own' });
    else if (b.sizeBytes > CLABERNETES_MAX_BIND_BYTES) {
      problems.push({ file: b.file, path: `topology.nodes.${b.node}.binds`, message: `${kb(b.sizeBytes)}: clabernetes binds files of at most ${kb(CLABERNETES_MAX_BIND_BYTES)} (each becomes a ConfigMap)`, hint: 'make the file smaller, or split it' });
    }
  }
  return problems;
}
