/**
 * Rule counters from a node's firewall snapshots, by the backend that took them. Run folders
 * written before backends existed kept one `iptablesSave` (IPv4) instead: read as iptables' v4.
 */
import type { RuleCounter } from '../analysis/types.js';
import type { FirewallSnapshot } from './backend.js';
import { iptables } from './iptables.js';
import { findBackend } from './registry.js';

/** The firewall part of a node's snapshot as a run folder keeps it. */
export interface StoredFirewall {
  firewall?: FirewallSnapshot;
  /** Older run folders: `iptables-save -c`. */
  iptablesSave?: string;
}

function snapshotOf(s: StoredFirewall | undefined): FirewallSnapshot | undefined {
  if (s?.firewall) return s.firewall;
  return s?.iptablesSave !== undefined ? { backend: iptables.name, dumps: { v4: s.iptablesSave } } : undefined;
}

/** The counters of every rule of a node, before and after; none without an after snapshot or of a backend this asymlab lacks. */
export function firewallCounters(node: string, before: StoredFirewall | undefined, after: StoredFirewall | undefined): RuleCounter[] {
  const a = snapshotOf(after);
  const backend = a && findBackend(a.backend);
  if (!a || !backend) return [];
  const b = snapshotOf(before);
  return backend.counters(node, b?.backend === a.backend ? b.dumps : {}, a.dumps);
}
