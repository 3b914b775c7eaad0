import { FORWARDING_SYSCTLS, type KindDef } from './kind.js';
import { configuresFrr } from './services.js';

export const firewall: KindDef = {
  name: 'firewall',
  summary: 'forwards through a stateful ruleset, even without firewall: (which then drops every new connection)',
  sysctls: FORWARDING_SYSCTLS,
  firewallByDefault: true,
  capabilities: { forwards: true, keepsState: true, logsDrops: true },
  shape: 'wall',
  services: (node) => ({ frr: configuresFrr(node), firewall: true }),
};
