/** Service rules the kinds share: which nodes configure FRR or a ruleset themselves. */
import { rawRulesetOf } from '../firewall/registry.js';
import type { LabNode } from '../topology/types.js';

/** A node that configures routing (`bgp:` or a raw `frr-config:`) runs FRR whatever its kind. */
export function configuresFrr(node: LabNode): boolean {
  return node.bgp !== undefined || node.frrConfig !== undefined;
}

/** A node with a `firewall:` section or a raw ruleset file runs a firewall whatever its kind. */
export function configuresFirewall(node: LabNode): boolean {
  return node.firewall !== undefined || rawRulesetOf(node) !== undefined;
}
