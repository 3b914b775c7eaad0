/**
 * Every daemon FRR 8.4 ships (Debian's /usr/lib/frr, watchfrr aside), in FRR's own start order,
 * with the config lines that need it. Adding a routing daemon is one entry here; if `up` should
 * wait for its adjacencies, one file under protocols/ too (see docs/architecture-frr.md).
 */
export interface FrrDaemonSpec {
  /** Binary name under FRR's daemon folder. */
  readonly name: string;
  /** Config lines that need this daemon, matched against each line as written (indentation kept). */
  readonly needs: readonly RegExp[];
  /** What those lines are, for docs and errors. */
  readonly sections: string;
  /** Extra start arguments beyond asymlab's common ones. */
  readonly args?: readonly string[];
}

export const FRR_CATALOGUE = [
  // zebra owns the kernel interface; 16 MiB of netlink buffer so a burst of routes is not dropped
  { name: 'zebra', needs: [], sections: 'always', args: ['-s', '16777216'] },
  { name: 'staticd', needs: [/^\s*ip(v6)? route\s/], sections: 'ip route, ipv6 route' },
  { name: 'bgpd', needs: [/^router bgp(\s|$)/], sections: 'router bgp' },
  { name: 'ospfd', needs: [/^router ospf(\s|$)/, /^\s+ip ospf\s/], sections: 'router ospf, ip ospf (interface)' },
  { name: 'ospf6d', needs: [/^router ospf6(\s|$)/, /^\s+ipv6 ospf6\s/], sections: 'router ospf6, ipv6 ospf6 (interface)' },
  { name: 'isisd', needs: [/^router isis\s/, /^\s+ip(v6)? router isis\s/], sections: 'router isis, ip(v6) router isis (interface)' },
  { name: 'fabricd', needs: [/^router openfabric\s/, /^\s+ip(v6)? router openfabric\s/], sections: 'router openfabric' },
  { name: 'ripd', needs: [/^router rip(\s|$)/, /^\s+ip rip\s/], sections: 'router rip, ip rip (interface)' },
  { name: 'ripngd', needs: [/^router ripng(\s|$)/, /^\s+ipv6 ripng\s/], sections: 'router ripng' },
  { name: 'eigrpd', needs: [/^router eigrp\s/], sections: 'router eigrp' },
  { name: 'babeld', needs: [/^router babel(\s|$)/, /^\s+babel\s/], sections: 'router babel' },
  { name: 'pimd', needs: [/^router pim(\s|$)/, /^\s*ip (pim|igmp|msdp|multicast)(\s|$)/], sections: 'router pim, ip pim, ip igmp, ip msdp' },
  { name: 'ldpd', needs: [/^mpls ldp(\s|$)/], sections: 'mpls ldp' },
  { name: 'nhrpd', needs: [/^\s*(ip|ipv6) nhrp\s/, /^nhrp\s/], sections: 'ip nhrp, nhrp' },
  { name: 'pbrd', needs: [/^pbr-map\s/, /^\s+pbr-policy\s/], sections: 'pbr-map, pbr-policy' },
  // a `bfd` block, or bfd asked for by a BGP neighbour, an OSPF/IS-IS/PIM interface
  { name: 'bfdd', needs: [/^bfd\s*$/, /^\s+(neighbor \S+ bfd|ip ospf bfd|ipv6 ospf6 bfd|isis bfd|ip pim bfd)(\s|$)/], sections: 'bfd, neighbor X bfd, ip ospf bfd, isis bfd' },
  { name: 'vrrpd', needs: [/^\s+vrrp\s/], sections: 'vrrp (interface)' },
  // top-level only: `segment-routing` inside router isis/ospf is theirs, not pathd's
  { name: 'pathd', needs: [/^segment-routing\s*$/], sections: 'segment-routing (traffic-eng)' },
] as const satisfies readonly FrrDaemonSpec[];

export type FrrDaemon = (typeof FRR_CATALOGUE)[number]['name'];

export const FRR_DAEMON_NAMES: readonly FrrDaemon[] = FRR_CATALOGUE.map((d) => d.name);

export function isFrrDaemon(name: string): name is FrrDaemon {
  return (FRR_DAEMON_NAMES as readonly string[]).includes(name);
}

export function daemonSpec(name: FrrDaemon): FrrDaemonSpec {
  return FRR_CATALOGUE.find((d) => d.name === name)!;
}
