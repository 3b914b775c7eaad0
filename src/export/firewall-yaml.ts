/** A normalised `firewall:` back in the lab file's own keys (docs/lab-format.md#firewalls). Pure. */
import type { Firewall } from '../topology/types.js';

/** Keys in the lab's spelling, undefined ones left out. */
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function firewallYaml(fw: Firewall): Record<string, unknown> {
  return defined({
    backend: fw.backend,
    inside: fw.inside.length ? fw.inside : undefined,
    allow: fw.allow.length ? fw.allow.map((a) => defined({ ...a })) : undefined,
    snat: fw.snat.length ? fw.snat.map((s) => defined({ ...s })) : undefined,
    dnat: fw.dnat.length ? fw.dnat.map((d) => defined({ ...d })) : undefined,
    'drop-icmp': fw.dropIcmp,
    'clamp-mss': fw.clampMss,
  });
}
