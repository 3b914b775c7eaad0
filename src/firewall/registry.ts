/**
 * The firewall backends, listed here and nowhere else. Adding one is a file beside this one (its
 * FirewallBackend) and a line in FIREWALL_BACKENDS.
 */
import { LabError, type InputProblem } from '../errors.js';
import type { LabNode } from '../topology/types.js';
import type { FirewallBackend } from './backend.js';
import { iptables } from './iptables.js';
import { nftables } from './nftables.js';

export const FIREWALL_BACKENDS: readonly FirewallBackend[] = [iptables, nftables];

/** The backend of a node whose lab names none. */
export const DEFAULT_FIREWALL_BACKEND = iptables.name;

export function backendNames(): string[] {
  return FIREWALL_BACKENDS.map((b) => b.name);
}

export function findBackend(name: string): FirewallBackend | undefined {
  return FIREWALL_BACKENDS.find((b) => b.name === name);
}

/** Every raw ruleset file a node names (`iptables: FILE`), with the backend whose key it is. */
export function rawRulesets(node: LabNode): { backend: FirewallBackend; key: string; file: string }[] {
  return FIREWALL_BACKENDS.flatMap((backend) =>
    (backend.raw ?? []).flatMap((raw) => {
      const file = raw.fileOf(node);
      return file !== undefined ? [{ backend, key: raw.key, file }] : [];
    }),
  );
}

/** What a node's backend warns of (a family left locked down). `path` is `topology.nodes.<name>`. */
export function backendWarnings(node: LabNode, path: string): InputProblem[] {
  if (node.firewall === undefined && rawRulesetOf(node) === undefined) return [];
  return findBackend(backendNameOf(node))?.warnings?.(node, path) ?? [];
}

/** The raw ruleset file a node loads as is, if any. */
export function rawRulesetOf(node: LabNode): { backend: FirewallBackend; key: string; file: string } | undefined {
  return rawRulesets(node)[0];
}

/** The backend a node names: `firewall.backend`, else the one whose raw-file key it sets, else the default. */
export function backendNameOf(node: LabNode): string {
  return node.firewall?.backend ?? rawRulesetOf(node)?.backend.name ?? DEFAULT_FIREWALL_BACKEND;
}

function unknownBackend(name: string): { message: string; hint: string } {
  return { message: `unknown firewall backend '${name}'`, hint: `registered backends: ${backendNames().join(', ')}` };
}

/** The backend of a loaded node. Loading refuses any other, so a miss is a lab that skipped the loader. */
export function backendOf(node: LabNode): FirewallBackend {
  const name = backendNameOf(node);
  const b = findBackend(name);
  if (b) return b;
  const why = unknownBackend(name);
  throw new LabError('input', `topology.nodes.${node.name}.firewall.backend: ${why.message}`, { hint: why.hint });
}

/** An unknown `firewall.backend`, or a raw file that belongs to another backend than the node's. `path` is `topology.nodes.<name>`. */
export function backendProblems(node: LabNode, path: string): InputProblem[] {
  const name = backendNameOf(node);
  if (!findBackend(name)) return [{ path: `${path}.firewall.backend`, ...unknownBackend(name) }];
  return rawRulesets(node)
    .filter((r) => r.backend.name !== name)
    .map((r) => ({
      path: `${path}.${r.key}`,
      message: `${r.key}: is a ruleset for the ${r.backend.name} backend, but the node's firewall backend is ${name}`,
      hint: `remove ${r.key}:, or set firewall: {backend: ${r.backend.name}}`,
    }));
}
