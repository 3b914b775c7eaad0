/**
 * The drop explainers, in the order they are tried: the first that finds its cause explains the
 * drop. A packet addressed to the node itself that was for another comes first (a firewall keeps
 * it as a note, for its rules to explain). A packet an NFLOG rule logged was dropped by that rule, whatever the routes say; a packet
 * too big for the next link (with its fragmentation needed) comes before the routes, as an
 * ICMP error from a router would otherwise read as a missing route; the reverse-path filter is checked before a missing route because rp_filter drops a packet the
 * routes would forward. A rule that drops without logging, then a chain's policy, come last: their
 * counters count every packet of the node, so they explain a drop only when nothing closer to the
 * packet did. Adding a cause: one file in this folder and a line here.
 */
import type { DropExplainer } from './explainer.js';
import { chainPolicy } from './chain-policy.js';
import { dropRule } from './drop-rule.js';
import { mtu } from './mtu.js';
import { nflogRule } from './nflog-rule.js';
import { noRoute } from './no-route.js';
import { rpFilter } from './rp-filter.js';
import { wrongOwner } from './wrong-owner.js';

export const EXPLAINERS: readonly DropExplainer[] = [wrongOwner, nflogRule, mtu, rpFilter, noRoute, dropRule, chainPolicy];
