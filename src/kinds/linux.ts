import { FORWARDING_SYSCTLS, NO_CAPABILITIES, type KindDef } from './kind.js';
import { configuresFirewall, configuresFrr } from './services.js';
import type { LabNode } from '../topology/types.js';
import { bindsUnder } from '../topology/binds.js';

/** FRR's config folder inside a container: a bind there hands the node FRR's files. */
export const FRR_ETC = '/etc/frr';

/** An image of FRR's own (quay.io/frrouting/frr, frrouting/frr, a private mirror of it): its name says so. */
export function isFrrImage(image: string | undefined): boolean {
  if (!image) return false;
  const repo = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  return /(^|[/_.-])frr(outing)?([/_.-]|$)/i.test(repo);
}

/**
 * Whether a `linux` node runs FRR: its image is FRR's, it binds FRR's files (frr.conf, daemons, or
 * the whole /etc/frr), or it configures routing the asymlab way (bgp:, frr-config:).
 */
export function linuxRunsFrr(node: LabNode): boolean {
  return configuresFrr(node) || isFrrImage(node.image) || bindsUnder(node, FRR_ETC).length > 0;
}

/**
 * containerlab's plain container. It is what it runs: a router when it runs FRR (forwarding on,
 * as in containerlab's FRR containers), else a host its `exec:` lines configure.
 */
export const linux: KindDef = {
  name: 'linux',
  summary: "containerlab's plain container: an FRR router when its image is FRR's or it binds FRR's frr.conf or daemons, else a host its exec lines configure",
  sysctls: {},
  sysctlsOf: (node) => (linuxRunsFrr(node) ? FORWARDING_SYSCTLS : {}),
  firewallByDefault: false,
  capabilities: NO_CAPABILITIES,
  shape: 'box',
  services: (node) => ({ frr: linuxRunsFrr(node), firewall: configuresFirewall(node) }),
};
