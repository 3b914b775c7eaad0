/** Lab, node and interface names end up in commands and resource names: these are the only shapes allowed. */
export const NAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?$/;
export const IFACE_RE = /^[a-zA-Z][a-zA-Z0-9_.-]{0,14}$/;
export const NAME_HINT = 'use lowercase letters, digits and inner hyphens, at most 24 characters';
export const IFACE_HINT = 'use a letter, then letters, digits, _ . or -, at most 15 characters in all';
/**
 * Device names libpcap takes for its own capture sources (pcap_create: netfilter log and queue,
 * every interface, USB, Bluetooth, D-Bus): `tcpdump -i nflog` reads the NFLOG group, not an
 * interface of that name, so such an interface could not be captured.
 */
export const PCAP_RESERVED_IFACE_RE = /^(?:any|nflog|nfqueue|bluetooth-monitor|dbus-system|dbus-session|usbmon\d+|bluetooth\d+)$/;
