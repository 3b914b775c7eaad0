import { FORWARDING_SYSCTLS, type KindDef } from './kind.js';
import { configuresFirewall } from './services.js';

export const router: KindDef = {
  name: 'router',
  summary: 'forwards, and runs FRR (static routes, BGP, a raw config) even without bgp:',
  sysctls: FORWARDING_SYSCTLS,
  firewallByDefault: false,
  capabilities: { forwards: true, keepsState: false, logsDrops: false },
  shape: 'ellipse',
  // A router with a `firewall:` section filters too: it gets the firewall service, and what the service adds.
  services: (node) => ({ frr: true, firewall: configuresFirewall(node) }),
};
