/**
 * containerlab's binds, `host:container[:options]` (docker's syntax): the host path relative to the
 * lab folder, the container path absolute. Read here once for everyone: the file checks, the
 * docker runtime's mounts, the netns runtime's per-node mounts, and FRR (which never writes over a
 * file a bind provides). Pure.
 */
import { isAbsolute, posix, resolve } from 'node:path';
import type { LabNode } from './types.js';

export interface BindMount {
  /** The host path, absolute. */
  source: string;
  /** Where the node sees it. */
  target: string;
  readOnly: boolean;
}

/** Docker's options after the container path: access and SELinux labels (z/Z are no-ops without SELinux). */
const OPTIONS = new Set(['ro', 'rw', 'z', 'Z', 'shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate', 'nocopy']);

/** `host:container[:options]`; a lone absolute path is bound at the same path. */
function split(text: string): string[] {
  const parts = text.split(':');
  return parts.length === 1 && posix.isAbsolute(text) ? [text, text] : parts;
}

/** Why a bind cannot be mounted, or undefined. */
export function bindProblem(text: string): { message: string; hint: string } | undefined {
  const parts = split(text);
  const hint = 'write HOST-PATH:CONTAINER-PATH or HOST-PATH:CONTAINER-PATH:ro, the container path absolute';
  if (parts.length < 2 || !parts[0] || !parts[1]) return { message: `bind '${text}' is not host-path:container-path`, hint };
  const target = parts[1];
  if (!posix.isAbsolute(target)) return { message: `bind '${text}': the container path '${target}' is not absolute`, hint };
  if (/[\0\n\r,]/.test(text) || target.split('/').includes('..')) return { message: `bind '${text}': the container path must be a plain absolute path (no '..', commas or control characters)`, hint };
  if (posix.normalize(target) === '/') return { message: `bind '${text}' would cover the node's whole filesystem`, hint: 'bind a file or a folder below /' };
  const bad = parts.slice(2).flatMap((o) => o.split(',')).filter((o) => !OPTIONS.has(o));
  if (bad.length) return { message: `bind '${text}': unknown option${bad.length > 1 ? 's' : ''} ${bad.join(', ')}`, hint: 'options are ro or rw' };
  return undefined;
}

/** A bind as a mount, its host path resolved against the lab folder; undefined when bindProblem has one. */
export function parseBind(text: string, labDir: string): BindMount | undefined {
  if (bindProblem(text)) return undefined;
  const [host, target, ...opts] = split(text);
  return { source: isAbsolute(host) ? host : resolve(labDir, host), target: posix.normalize(target).replace(/\/$/, ''), readOnly: opts.flatMap((o) => o.split(',')).includes('ro') };
}

/** The container path of a bind, normalised; undefined when it is not one. */
export function bindTarget(text: string): string | undefined {
  return parseBind(text, '/')?.target;
}

/** The node's binds whose container path is `dir` or lies below it, with their index in `binds:`. */
export function bindsUnder(node: Pick<LabNode, 'binds'>, dir: string): { index: number; target: string; text: string }[] {
  return node.binds.flatMap((text, index) => {
    const target = bindTarget(text);
    return target !== undefined && (target === dir || target.startsWith(`${dir}/`)) ? [{ index, target, text }] : [];
  });
}

/** The bind whose container path is `path` itself or a folder holding it: a file there is the host's, not the node's to write. */
export function bindCovering(node: Pick<LabNode, 'binds'>, path: string): string | undefined {
  const p = posix.normalize(path);
  return node.binds.find((text) => {
    const target = bindTarget(text);
    return target !== undefined && (p === target || p.startsWith(`${target}/`));
  });
}

/** The bind whose container path is exactly `path`, with its index. */
export function bindAt(node: Pick<LabNode, 'binds'>, path: string): { index: number; text: string } | undefined {
  const index = node.binds.findIndex((text) => bindTarget(text) === path);
  return index < 0 ? undefined : { index, text: node.binds[index] };
}
