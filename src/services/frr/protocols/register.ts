import { bfd } from './bfd.js';
import { bgp } from './bgp.js';
import { isis } from './isis.js';
import { ospf } from './ospf.js';
import { ospf6 } from './ospf6.js';
import type { RoutingProtocol } from './protocol.js';

/**
 * Every protocol `up` knows how to wait for. A daemon whose protocol is not here still starts;
 * `up` then waits only for the kernel tables to settle.
 */
export const ROUTING_PROTOCOLS: readonly RoutingProtocol[] = [bgp, ospf, ospf6, isis, bfd];
