#!/bin/sh
# Written by `asymlab export`: brings this node up as `asymlab up` does (sysctls, addresses,
# MTUs, routes, the firewall ruleset, FRR). Running it again changes nothing.
set -eu

# Links come from containerlab (or clabernetes), perhaps a moment after the node starts.
wait_iface() {
  n=0
  while [ ! -e "/sys/class/net/$1" ]; do
    n=$((n + 1))
    if [ "$n" -gt 600 ]; then printf 'asymlab start: interface %s never appeared\n' "$1" >&2; exit 1; fi
    sleep 0.1
  done
}
# written only when it differs: a sysctl set already (by the runtime, at create) needs no write access
sysctl_w() { [ "$(cat "/proc/sys/$1" 2>/dev/null)" = "$2" ] || printf '%s\n' "$2" > "/proc/sys/$1"; }

wait_iface 'eth1'
wait_iface 'eth2'

# containerlab's management network (eth0) is not the lab's: no default route through it
ip -4 route del default dev eth0 2>/dev/null || true
ip -6 route del default dev eth0 2>/dev/null || true

sysctl_w 'net/ipv6/conf/all/accept_dad' '0'
sysctl_w 'net/ipv6/conf/default/accept_dad' '0'
sysctl_w 'net/ipv6/conf/eth1/accept_dad' '0'
sysctl_w 'net/ipv6/conf/eth2/accept_dad' '0'
sysctl_w 'net/ipv4/ip_forward' '1'
sysctl_w 'net/ipv6/conf/all/forwarding' '1'

ip link set dev lo up
ip link set dev 'eth1' mtu '1500'
ip addr replace '10.0.1.2/30' dev 'eth1'
ip link set dev 'eth1' up
ip link set dev 'eth2' mtu '1500'
ip addr replace '10.0.3.1/30' dev 'eth2'
ip link set dev 'eth2' up
ip route replace '10.9.0.0/24' via '10.0.3.2'
ip route replace '10.1.0.0/24' via '10.0.1.1'

'iptables-restore' < '/etc/asymlab/iptables.v4'
'ip6tables-restore' < '/etc/asymlab/iptables.v6'
