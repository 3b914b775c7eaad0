/**
 * containerlab's kinds: `linux`, which asymlab runs, and every other kind containerlab knows, each
 * known but refused with why and what to stand in for it. These are the kinds of a lab in
 * containerlab's dialect (src/topology/containerlab/); `host` stays asymlab's own end system.
 */
import type { KindEntry, RefusedKind } from './kind.js';
import { linux } from './linux.js';

const FRR_STAND_IN = 'stand in a `kind: linux` node with an FRR image (quay.io/frrouting/frr) and the routing as an FRR config bound at /etc/frr/frr.conf (docs/containerlab.md)';

const families: { why: string; hint: string; names: string[] }[] = [
  {
    why: "it is a vendor network OS in a container; asymlab emulates Linux forwarding and FRR, not a vendor's data plane",
    hint: FRR_STAND_IN,
    names: [
      'nokia_srlinux', 'srl', 'arista_ceos', 'ceos', 'juniper_crpd', 'crpd', 'juniper_csrx', 'csrx', 'juniper_cjunosevolved',
      'cisco_xrd', 'xrd', 'cisco_xrd_vrouter', 'cisco_c8000', 'c8000', 'cisco_iol', 'sonic-vs', 'dell_sonic', 'plvision_sonic',
      'nvidia_cumulusvx', 'cvx', 'ipinfusion_ocnos', 'rare', 'fdio_vpp', 'arrcus_arcos', 'veesix_osvbng', 'nokia_srsim', 'ciena_saos',
    ],
  },
  {
    why: 'it is a virtual machine (vrnetlab, QEMU); asymlab runs no virtual machines',
    hint: FRR_STAND_IN,
    names: [
      'nokia_sros', 'vr-sros', 'vr-nokia_sros', 'juniper_vmx', 'vr-vmx', 'vr-juniper_vmx', 'juniper_vqfx', 'vr-vqfx', 'vr-juniper_vqfx',
      'juniper_vsrx', 'vr-vsrx', 'vr-juniper_vsrx', 'juniper_vjunosrouter', 'juniper_vjunosswitch', 'juniper_vjunosevolved',
      'cisco_xrv', 'vr-xrv', 'vr-cisco_xrv', 'cisco_xrv9k', 'vr-xrv9k', 'vr-cisco_xrv9k', 'arista_veos', 'vr-veos', 'vr-arista_veos',
      'cisco_csr1000v', 'vr-csr', 'vr-cisco_csr1000v', 'paloalto_panos', 'vr-pan', 'vr-paloalto_panos', 'mikrotik_ros', 'vr-ros',
      'vr-mikrotik_ros', '6wind_vsr', 'cisco_n9kv', 'vr-n9kv', 'vr-cisco_n9kv', 'cisco_ftdv', 'vr-ftdv', 'dell_ftosv', 'vr-ftosv',
      'aruba_aoscx', 'vr-aoscx', 'checkpoint_cloudguard', 'cisco_c8000v', 'cisco_cat9kv', 'cisco_asav', 'cisco_vios', 'cisco_sdwan',
      'huawei_vrp', 'openbsd', 'freebsd', 'generic_vm', 'fortinet_fortigate', 'vyosnetworks_vyos', 'f5_bigip-ve', 'openwrt', 'sonic-vm',
    ],
  },
  {
    why: "it is a bridge in the machine's own network namespace; asymlab never puts a lab interface there",
    hint: 'stand in a `kind: linux` node that bridges its interfaces (exec: ip link add br0 type bridge; ip link set eth1 master br0; ip link set br0 up)',
    names: ['bridge', 'ovs-bridge'],
  },
  {
    why: 'it is a container made outside the lab; asymlab builds every node itself',
    hint: 'describe the container as a `kind: linux` node of the lab (image, binds, exec)',
    names: ['ext-container'],
  },
  {
    why: 'it generates traffic with its own tool; asymlab sends and proves its own flows',
    hint: 'describe the traffic under flows: (tcp, udp, icmp), or stand in a `kind: linux` host',
    names: ['keysight_ixia-c-one', 'spirent_stc', 'ostinato'],
  },
  {
    why: 'it is a service outside the lab (a Kubernetes cluster, a remote-access tunnel), not a node that forwards',
    hint: 'leave it out of the lab asymlab runs (an asymlab file that extends this one can delete it with `NODE: null`)',
    names: ['k8s-kind', 'border0'],
  },
];

/** Every containerlab kind asymlab cannot run, one entry each. */
export const REFUSED_CONTAINERLAB_KINDS: readonly RefusedKind[] = families.flatMap((f) => f.names.map((name) => ({ name, refused: f.why, hint: f.hint })));

/** The kinds containerlab's dialect adds to asymlab's own. */
export const CONTAINERLAB_KINDS: readonly KindEntry[] = [linux, ...REFUSED_CONTAINERLAB_KINDS];
