#!/bin/sh
# The firewall between the client LAN (eth1) and the routed core (eth2): it forwards, lets the LAN
# open web connections (tcp 8080) out and their replies back, and drops everything else.
set -e
sysctl -q -w net.ipv4.ip_forward=1
iptables -P FORWARD DROP
iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables -A FORWARD -i eth1 -o eth2 -p tcp --dport 8080 -m conntrack --ctstate NEW -j ACCEPT
iptables -A FORWARD -i eth1 -o eth2 -p icmp --icmp-type echo-request -j ACCEPT
