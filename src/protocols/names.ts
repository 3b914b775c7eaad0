/**
 * The flow protocols by name, and what the lab format needs to know of each, without loading the
 * protocols themselves (the loader stays free of the agent and the analysis). registry.ts holds
 * the protocols; a test checks the two lists agree.
 */
export const PROTOCOL_NAMES = ['tcp', 'udp', 'icmp'] as const;

/** A lab's `proto:` and a ConnectionRecord's `protocol`. */
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

export interface ProtocolForm {
  /** Whether `to:` carries a port. ICMP echo has none: the kernel answers it, no server listens. */
  ports: boolean;
  /**
   * What `source-port:` means: `base`, attempt i uses it + i (TCP: a closed connection's port is
   * held in TIME_WAIT); `fixed`, every attempt uses it (UDP: IKE sends from 500 or 4500 on both
   * ends); `none`, the protocol has no source port to set.
   */
  sourcePort: 'base' | 'fixed' | 'none';
}

export const PROTOCOL_FORMS: Record<ProtocolName, ProtocolForm> = {
  tcp: { ports: true, sourcePort: 'base' },
  udp: { ports: true, sourcePort: 'fixed' },
  icmp: { ports: false, sourcePort: 'none' },
};

export function isProtocolName(name: string): name is ProtocolName {
  return (PROTOCOL_NAMES as readonly string[]).includes(name);
}
