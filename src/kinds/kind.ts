/**
 * What a node kind is: the one place that knows what `kind: router` means. Each kind declares its
 * defaults, the services it runs and what it can do; everything else asks the kind (through the
 * plan) instead of comparing kind names. Kinds are listed in registry.ts.
 */
import type { InputProblem } from '../errors.js';
import type { LabNode } from '../topology/types.js';

/** What a node does that the analysis, the captures and the report care about. */
export interface Capabilities {
  /** Routes packets between its interfaces (its forwarding sysctls are on). */
  forwards: boolean;
  /** Keeps connection state (conntrack) that decides what passes: its table is read and watched. */
  keepsState: boolean;
  /** Logs the packets it drops (NFLOG), each with a prefix naming the rule. */
  logsDrops: boolean;
}

export const NO_CAPABILITIES: Capabilities = { forwards: false, keepsState: false, logsDrops: false };

/** The sysctls of a kind that forwards, IPv4 and IPv6. */
export const FORWARDING_SYSCTLS: Readonly<Record<string, string>> = { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' };

/** How the report draws a node: a rounded box (host), an ellipse (router), a brick wall (firewall). */
export type NodeShape = 'box' | 'ellipse' | 'wall';

/** The services a node runs, as its kind decides them from the node. */
export interface KindServices {
  /** FRR, with the daemons its config needs (src/services/frr/). */
  frr: boolean;
  /** A ruleset, rendered from `firewall:` or a raw file, loaded by its backend (src/firewall/). */
  firewall: boolean;
}

export interface KindDef {
  name: string;
  /** One line, for docs and hints. */
  summary: string;
  /** Sysctls every node of the kind gets unless the lab sets them. */
  sysctls: Readonly<Record<string, string>>;
  /** Whether a node without a `firewall:` section gets an empty one (every new connection dropped). */
  firewallByDefault: boolean;
  /** What a node of the kind does with the services it runs by default; a service may add more. */
  capabilities: Capabilities;
  shape: NodeShape;
  /** The services the node runs: a kind may decide them from the node (a `linux` node binding an FRR config runs FRR). */
  services(node: LabNode): KindServices;
  /** Rules of the kind's own, over a normalised node; `path` is `topology.nodes.<name>`. */
  validate?(node: LabNode, path: string): InputProblem[];
}

/** A kind asymlab knows but cannot emulate (a vendor NOS image): refused with why, and what to use instead. */
export interface RefusedKind {
  name: string;
  /** Why it cannot be emulated, said after "kind 'X' cannot be emulated: ". */
  refused: string;
  hint: string;
}

export type KindEntry = KindDef | RefusedKind;

export const isRefused = (k: KindEntry): k is RefusedKind => 'refused' in k;
