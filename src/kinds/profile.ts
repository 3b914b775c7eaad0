/**
 * A node's profile: its kind, the services the kind gives it and what those let it do. The plan
 * carries it, so later layers ask the plan instead of comparing kind names. Pure.
 */
import type { FirewallBackend } from '../firewall/backend.js';
import { backendOf } from '../firewall/registry.js';
import type { LabNode } from '../topology/types.js';
import type { Capabilities, KindDef } from './kind.js';
import { kindOf } from './registry.js';

export interface NodeProfile {
  kind: KindDef;
  /** Runs FRR. */
  frr: boolean;
  /** The backend of the firewall service; undefined on a node without one. */
  firewall?: FirewallBackend;
  /** The kind's capabilities, and those its services add (a router with `firewall:` keeps state). */
  capabilities: Capabilities;
}

/** Forwarding is the kernel's: a node forwards when a forwarding sysctl is on, whoever set it (its kind, or the lab). */
const forwarding = (node: LabNode) => node.sysctls['net.ipv4.ip_forward'] === '1' || node.sysctls['net.ipv6.conf.all.forwarding'] === '1';

export function profileOf(node: LabNode): NodeProfile {
  const kind = kindOf(node);
  const services = kind.services(node);
  const backend = services.firewall ? backendOf(node) : undefined;
  const added: Partial<Capabilities> = backend?.capabilities ?? {};
  const capabilities: Capabilities = {
    forwards: kind.capabilities.forwards || added.forwards === true || forwarding(node),
    keepsState: kind.capabilities.keepsState || added.keepsState === true,
    logsDrops: kind.capabilities.logsDrops || added.logsDrops === true,
  };
  return { kind, frr: services.frr, ...(backend ? { firewall: backend } : {}), capabilities };
}
