/**
 * The one answer to "which node owns this address", with node lookup and what is wired to what.
 * It works over any node list shaped like the lab's: topology's LabNode (traffic, topology checks)
 * and the LabView recorded with a run (analysis), so every layer agrees on ownership. Addresses
 * compare by value: 2001:DB8:0::1 and 2001:db8::1 are the same host. Pure.
 */
import { canonicalAddress, hostOf } from '../util/ip.js';

/** What the index needs of a node; `mac` where the caller knows it (the analysis does). */
export interface AddressedNode {
  name: string;
  interfaces: readonly { name: string; addresses: readonly string[]; mac?: string }[];
  /** Addresses on lo (stub prefixes, router ids). */
  loopbacks: readonly string[];
}

export interface Endpoint {
  node: string;
  iface: string;
}

export interface LabIndex<N extends AddressedNode = AddressedNode> {
  nodes: readonly N[];
  node(name: string): N | undefined;
  /** The node an address is configured on, and the interface ('lo' for a loopback); the first of several. */
  ownerOf(address: string): { node: N; iface: string } | undefined;
  /**
   * Every node an address is configured on: one, or several for an address shared on loopbacks
   * (anycast, a NAT pool on two firewalls, a VIP). Empty for an address nobody has.
   */
  ownersOf(address: string): { node: N; iface: string }[];
  /** Whether the named node has the address (one of its owners). */
  owns(node: string, address: string): boolean;
  /** The other end of the link on node:iface. */
  peer(node: string, iface: string): Endpoint | undefined;
  /** The node and interface a MAC belongs to (any case). */
  macOwner(mac: string | undefined): Endpoint | undefined;
  /** The MAC of one interface, lower-case. */
  macOf(node: string, iface: string): string | undefined;
}

/** One spelling per address, so addresses compare as values. */
export function addressKey(address: string): string {
  return canonicalAddress(address);
}

/** Every address of a node with the interface it is on, interfaces first, then loopbacks on 'lo'. */
function addressesOf(n: AddressedNode): { key: string; iface: string }[] {
  return [
    ...n.interfaces.flatMap((i) => i.addresses.map((a) => ({ key: addressKey(hostOf(a)), iface: i.name }))),
    ...n.loopbacks.map((a) => ({ key: addressKey(hostOf(a)), iface: 'lo' })),
  ];
}

export function indexLab<N extends AddressedNode>(nodes: readonly N[], links: readonly (readonly [Endpoint, Endpoint])[] = []): LabIndex<N> {
  const byName = new Map<string, N>();
  const owners = new Map<string, { node: N; iface: string }[]>();
  const macs = new Map<string, Endpoint>();
  const macByIface = new Map<string, string>();
  for (const n of nodes) {
    byName.set(n.name, n);
    // In node order, so the first owner is the one a walk over the nodes finds; validation lets
    // several nodes share an address only on their loopbacks, one entry per node.
    for (const { key, iface } of addressesOf(n)) {
      const list = owners.get(key);
      if (!list) owners.set(key, [{ node: n, iface }]);
      else if (!list.some((o) => o.node === n)) list.push({ node: n, iface });
    }
    for (const i of n.interfaces) {
      if (!i.mac) continue;
      const mac = i.mac.toLowerCase();
      macs.set(mac, { node: n.name, iface: i.name });
      macByIface.set(`${n.name}:${i.name}`, mac);
    }
  }
  const peers = new Map<string, Endpoint>();
  for (const [a, b] of links) {
    peers.set(`${a.node}:${a.iface}`, b);
    peers.set(`${b.node}:${b.iface}`, a);
  }
  return {
    nodes,
    node: (name) => byName.get(name),
    ownerOf: (address) => owners.get(addressKey(address))?.[0],
    ownersOf: (address) => owners.get(addressKey(address)) ?? [],
    owns: (node, address) => owners.get(addressKey(address))?.some((o) => o.node.name === node) ?? false,
    peer: (node, iface) => peers.get(`${node}:${iface}`),
    macOwner: (mac) => (mac ? macs.get(mac.toLowerCase()) : undefined),
    macOf: (node, iface) => macByIface.get(`${node}:${iface}`),
  };
}

/** Every address of a node (interfaces and loopbacks), host part only, in canonical spelling. */
export function nodeAddresses(n: AddressedNode): string[] {
  return addressesOf(n).map((a) => a.key);
}

/** Whether the node has this address, however it is spelled. */
export function owns(n: AddressedNode, address: string): boolean {
  return indexLab([n]).owns(n.name, address);
}

/** The node that has this address. */
export function ownerOf<N extends AddressedNode>(nodes: readonly N[], address: string): N | undefined {
  return indexLab(nodes).ownerOf(address)?.node;
}
