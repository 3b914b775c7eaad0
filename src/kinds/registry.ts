/**
 * The node kinds a lab may name, listed here and nowhere else (no import side effects). Adding a
 * kind is a file beside this one and a line in KINDS: the schema's enum, the loader's checks, the
 * plan and the report all read this list.
 */
import { LabError } from '../errors.js';
import type { LabNode } from '../topology/types.js';
import { firewall } from './firewall.js';
import { host } from './host.js';
import { isRefused, type Capabilities, type KindDef, type KindEntry, type NodeShape } from './kind.js';
import { router } from './router.js';

/** Every registered kind, in the order hints list them. */
export const KINDS: readonly KindEntry[] = [host, router, firewall];

/** Every registered name, refused ones too: the schema's enum (a refused kind gets its own message). */
export function kindNames(kinds: readonly KindEntry[] = KINDS): string[] {
  return kinds.map((k) => k.name);
}

/** The kinds a node may have. */
export function supportedKindNames(kinds: readonly KindEntry[] = KINDS): string[] {
  return kinds.filter((k) => !isRefused(k)).map((k) => k.name);
}

/** A kind a node may have, or undefined (unknown or refused). */
export function findKind(name: string, kinds: readonly KindEntry[] = KINDS): KindDef | undefined {
  const k = kinds.find((x) => x.name === name);
  return k && !isRefused(k) ? k : undefined;
}

/** Why `name` cannot be a node's kind (unknown: the supported ones; refused: why, and what instead), or undefined. */
export function kindProblem(name: string, kinds: readonly KindEntry[] = KINDS): { message: string; hint: string } | undefined {
  const k = kinds.find((x) => x.name === name);
  if (!k) return { message: `unknown kind '${name}'`, hint: `supported kinds: ${supportedKindNames(kinds).join(', ')}` };
  return isRefused(k) ? { message: `kind '${name}' cannot be emulated: ${k.refused}`, hint: k.hint } : undefined;
}

export function missingKindHint(kinds: readonly KindEntry[] = KINDS): string {
  return `add kind: one of ${supportedKindNames(kinds).join(', ')}`;
}

/** The kind of a loaded node. Loading refuses every other kind, so a miss here is a lab that skipped the loader. */
export function kindOf(node: LabNode): KindDef {
  const k = findKind(node.kind);
  if (k) return k;
  const why = kindProblem(node.kind)!;
  throw new LabError('input', `topology.nodes.${node.name}.kind: ${why.message}`, { hint: why.hint });
}

/** How the report draws a node of this kind; an unknown kind (a report of a newer asymlab) as a host. */
export function shapeOfKind(name: string): NodeShape {
  return findKind(name)?.shape ?? host.shape;
}

/** The kind's own capabilities; none for an unknown kind. */
export function capabilitiesOfKind(name: string): Capabilities {
  return { ...(findKind(name)?.capabilities ?? host.capabilities) };
}

/**
 * The first kind that does exactly this, for a drawing that has only what packets showed (a report
 * older than its topology section); the first kind when none does.
 */
export function kindLike(want: Capabilities): string {
  const usable = KINDS.filter((k): k is KindDef => !isRefused(k));
  const same = (c: Capabilities) => c.forwards === want.forwards && c.keepsState === want.keepsState && c.logsDrops === want.logsDrops;
  return (usable.find((k) => same(k.capabilities)) ?? usable[0]).name;
}
