import type { KindDef } from './kind.js';
import { configuresFirewall, configuresFrr } from './services.js';

export const host: KindDef = {
  name: 'host',
  summary: 'an end system: sends and answers flows, forwards nothing',
  sysctls: {},
  firewallByDefault: false,
  capabilities: { forwards: false, keepsState: false, logsDrops: false },
  shape: 'box',
  services: (node) => ({ frr: configuresFrr(node), firewall: configuresFirewall(node) }),
};
