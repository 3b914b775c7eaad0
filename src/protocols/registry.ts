/**
 * Every flow protocol asymlab knows, in one explicit list: adding one is a file and a line here.
 * Generic code (the agent, the flow runner, the tracker, the verdict) looks protocols up by name
 * or by packet and never compares names itself.
 */
import { LabError } from '../errors.js';
import type { Flow } from '../topology/types.js';
import type { FlowProtocol, WirePacket } from './protocol.js';
import { icmp } from './icmp.js';
import { tcp } from './tcp.js';
import { udp } from './udp.js';

import type { ProtocolName } from './names.js';

export type { ProtocolName };

export const PROTOCOLS: readonly FlowProtocol[] = [tcp, udp, icmp];

/** What a flow or record that names no protocol is: every flow was TCP before protocols were named. */
export const DEFAULT_PROTOCOL: ProtocolName = 'tcp';

/** The protocol of that name; an unknown one fails with the list of those supported. */
export function protocolNamed(name: string = DEFAULT_PROTOCOL): FlowProtocol {
  const p = PROTOCOLS.find((x) => x.name === name);
  if (!p) throw new LabError('input', `unknown flow protocol '${name}'`, { hint: `supported: ${PROTOCOLS.map((x) => x.name).join(', ')}` });
  return p;
}

/** The protocol a flow uses: its `proto:`, TCP when it names none. */
export function protocolOfFlow(flow: Flow & { protocol?: string }): FlowProtocol {
  return protocolNamed(flow.protocol);
}

/** The protocol a captured packet (or a quote) belongs to, if any. ICMP errors belong to none. */
export function protocolOfPacket(p: WirePacket): FlowProtocol | undefined {
  return PROTOCOLS.find((x) => x.packets.claims(p));
}
