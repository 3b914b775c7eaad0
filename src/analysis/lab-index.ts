/**
 * Lookups over the LabView the analysis needs again and again: which node and interface own a MAC
 * or an address, what sits at the other end of a veth, which captures a node has.
 */
import { hostOf, parseAddress } from '../util/ip.js';
import type { CapturePoint, LabView, RunEvidence } from './types.js';

export interface Endpoint {
  node: string;
  iface: string;
}

export interface LabIndex {
  lab: LabView;
  /** The node and interface a MAC belongs to (lower-case MAC). */
  macOwner(mac: string | undefined): Endpoint | undefined;
  /** The MAC of one interface, lower-case. */
  macOf(node: string, iface: string): string | undefined;
  /** The node an address is configured on (interfaces or loopbacks), if any. */
  addressOwner(address: string): string | undefined;
  /** Whether `node` owns `address`. */
  owns(node: string, address: string): boolean;
  /** The other end of the link on node:iface. */
  peer(node: string, iface: string): Endpoint | undefined;
  kindOf(node: string): string | undefined;
  /** Captures of one node, one per interface captured. */
  capturesOf(node: string): CapturePoint[];
  /** Captures that lost packets or could not be read in full. */
  lossy(cap: CapturePoint): boolean;
}

/** Addresses compare by value so 2001:db8::1 and 2001:DB8:0::1 are the same host. */
export function addressKey(address: string): string {
  const a = parseAddress(hostOf(address));
  return a ? `${a.version}:${a.value.toString(16)}` : address.toLowerCase();
}

export function indexLab(evidence: Pick<RunEvidence, 'lab' | 'captures'>): LabIndex {
  const { lab } = evidence;
  const macs = new Map<string, Endpoint>();
  const macByIface = new Map<string, string>();
  const owners = new Map<string, string>();
  const kinds = new Map<string, string>();
  for (const n of lab.nodes) {
    kinds.set(n.name, n.kind);
    for (const i of n.interfaces) {
      const mac = i.mac.toLowerCase();
      macs.set(mac, { node: n.name, iface: i.name });
      macByIface.set(`${n.name}:${i.name}`, mac);
      for (const a of i.addresses) owners.set(addressKey(a), n.name);
    }
    for (const a of n.loopbacks) owners.set(addressKey(a), n.name);
  }
  const peers = new Map<string, Endpoint>();
  for (const l of lab.links) {
    peers.set(`${l.a.node}:${l.a.iface}`, l.b);
    peers.set(`${l.b.node}:${l.b.iface}`, l.a);
  }
  const caps = new Map<string, CapturePoint[]>();
  for (const c of evidence.captures) caps.set(c.node, [...(caps.get(c.node) ?? []), c]);

  return {
    lab,
    macOwner: (mac) => (mac ? macs.get(mac.toLowerCase()) : undefined),
    macOf: (node, iface) => macByIface.get(`${node}:${iface}`),
    addressOwner: (address) => owners.get(addressKey(address)),
    owns: (node, address) => owners.get(addressKey(address)) === node,
    peer: (node, iface) => peers.get(`${node}:${iface}`),
    kindOf: (node) => kinds.get(node),
    capturesOf: (node) => caps.get(node) ?? [],
    lossy: (cap) => cap.droppedByKernel > 0 || cap.problem !== undefined,
  };
}
