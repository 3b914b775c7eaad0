/** Lab, node and interface names end up in commands and resource names: these are the only shapes allowed. */
export const NAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?$/;
export const IFACE_RE = /^[a-zA-Z][a-zA-Z0-9_.-]{0,14}$/;
export const NAME_HINT = 'use lowercase letters, digits and inner hyphens, at most 24 characters';
export const IFACE_HINT = 'use a letter, then letters, digits, _ . or -, at most 15 characters in all';

/**
 * Interface names go into `ip -batch` lines where ip's link parser (iplink_parse in iproute2's
 * ip/iplink.c) tries every keyword before it takes a word as a name: `link add up ...` sets a flag,
 * `link add help` prints the usage, `link add dev ...` takes the next word. These it compares whole:
 */
const IP_EXACT = [
  'up', 'down', 'name', 'index', 'brd', 'qlen', 'mtu', 'inet', 'xdp', 'xdpgeneric', 'xdpdrv', 'xdpoffload', 'netns',
  'multicast', 'allmulticast', 'promisc', 'trailers', 'arp', 'carrier', 'vf', 'vrf', 'group', 'mode', 'state',
  'protodown', 'protodown_reason', 'gso_max_size', 'gso_max_segs', 'gso_ipv4_max_size', 'gro_max_size',
  'gro_ipv4_max_size', 'parentdev', 'dev',
];
/** ...and these it also takes abbreviated (matches()): any prefix, so `a` is `address`, `t` is `type`. */
const IP_ABBREVIATED = [
  'link', 'link-netns', 'link-netnsid', 'address', 'addrgenmode', 'broadcast', 'txqueuelen', 'txqlen', 'master',
  'nomaster', 'dynamic', 'type', 'alias', 'numtxqueues', 'numrxqueues', 'help',
];
/**
 * Not link keywords today, but ip's verbs and veth's `peer`, and `all`/`default`, which are the
 * per-namespace sysctl folders net.ipv4.conf.all and .default, not an interface's.
 */
const RESERVED = ['add', 'del', 'delete', 'set', 'show', 'list', 'change', 'replace', 'get', 'peer', 'all', 'default'];

/** Why `ip` would not read this interface name as a name, or undefined when it would. */
export function ipKeywordProblem(name: string): string | undefined {
  if (IP_EXACT.includes(name) || RESERVED.includes(name)) return `'${name}' is a keyword of ip, which would not read it as a name`;
  const full = IP_ABBREVIATED.find((k) => k.startsWith(name));
  if (full === name) return `'${name}' is a keyword of ip, which would not read it as a name`;
  if (full) return `ip reads '${name}' as an abbreviation of its keyword '${full}', not as a name`;
  return undefined;
}

export const IP_KEYWORD_HINT = 'rename the interface, e.g. eth1; names that are (a prefix of) an ip link keyword break `ip -batch`';

/**
 * Device names libpcap takes for its own capture sources (pcap_create: netfilter log and queue,
 * every interface, USB, Bluetooth, D-Bus): `tcpdump -i nflog` reads the NFLOG group, not an
 * interface of that name, so such an interface could not be captured.
 */
export const PCAP_RESERVED_IFACE_RE = /^(?:any|nflog|nfqueue|bluetooth-monitor|dbus-system|dbus-session|usbmon\d+|bluetooth\d+)$/;

/** Node names containerlab allows (its schema's pattern, less `|`): letters of either case, digits, `-`, `_`, `.`. */
export const CLAB_NODE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const CLAB_NODE_NAME_HINT = "containerlab's node names: a letter or digit, then letters, digits, '-', '_' or '.', at most 63 characters";

/**
 * The name a node's resources carry (namespace, container, FRR pathspace): the user's spelling in
 * lowercase, `_` and `.` as `-`. asymlab's own names are already of that shape and stay as they
 * are. The result must match NAME_RE, and two nodes must not share one (validate.ts checks both);
 * the user's spelling stays in every message and report.
 */
export function safeNodeName(name: string): string {
  return name.toLowerCase().replace(/[._]/g, '-');
}
