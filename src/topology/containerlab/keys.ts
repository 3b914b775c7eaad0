/**
 * Every key of containerlab's topology schema, and what asymlab does with it: honoured (the lab
 * uses it), or ignored with why (one warning per key when a lab has it, never an error). The
 * table is docs/containerlab.md's, and a unit test holds it to containerlab's clab.schema.json
 * (test/fixtures/containerlab/clab.schema.json) so no key of theirs is ever an error here.
 */

export interface ContainerlabKey {
  key: string;
  /** Honoured: asymlab does what containerlab does with it (or the nearest thing). */
  honoured: boolean;
  /** What asymlab does with it; for an ignored key, why it cannot. */
  does: string;
}

const yes = (key: string, does: string): ContainerlabKey => ({ key, honoured: true, does });
const no = (key: string, does: string): ContainerlabKey => ({ key, honoured: false, does });

const NO_MGMT = 'asymlab gives nodes no management network: it reaches every node through its namespace';
const VENDOR = "it configures a vendor image's boot, and asymlab runs no vendor images";
const CONTAINER_ONLY = 'asymlab gives each node what it needs itself (its own network namespace, the capabilities FRR and iptables need)';

/** The lab file's top level. */
export const LAB_KEYS: readonly ContainerlabKey[] = [
  yes('name', "the lab's name (lowercase letters, digits and inner hyphens); every resource carries it"),
  no('prefix', 'asymlab names every resource asymlab_<lab>_<node> so that `down` and `clean` find it'),
  no('mgmt', NO_MGMT),
  yes('topology', 'nodes, groups, kinds, defaults and links'),
  no('settings', "it sets containerlab's certificate authority, and asymlab issues no certificates"),
  no('debug', 'asymlab has no debug mode; `--quiet` aside, it reports every step'),
];

/** `topology:`: all honoured, with containerlab's inheritance (defaults < kinds < groups < node). */
export const TOPOLOGY_KEYS: readonly ContainerlabKey[] = [
  yes('nodes', 'one network namespace (netns) or container (docker) each'),
  yes('groups', 'inherited by the nodes of the group'),
  yes('kinds', 'inherited by the nodes of the kind'),
  yes('defaults', 'inherited by every node'),
  yes('links', 'veth pairs straight between the two nodes'),
];

/** A node's keys (also those of defaults, kinds and groups). */
export const NODE_KEYS: readonly ContainerlabKey[] = [
  yes('image', 'docker: the image the node runs (`--image-map` may swap it); an FRR image (its name holds frr) makes a linux node an FRR router on any runtime'),
  no('image-pull-policy', 'asymlab never pulls an image: it must be on the machine (docker pull, asymlab images build, or --image-map to one that is)'),
  no('restart-policy', 'nodes live as long as the lab'),
  yes('kind', 'linux runs; every other containerlab kind is refused with a stand-in to use (docs/containerlab.md)'),
  no('license', VENDOR),
  no('type', VENDOR),
  yes('group', 'the node inherits the group'),
  yes('startup-config', "an FRR node's frr.conf (as frr-config:)"),
  no('startup-delay', 'nodes start at once, and `up` waits until routing has converged instead'),
  no('enforce-startup-config', VENDOR),
  no('suppress-startup-config', VENDOR),
  no('auto-remove', 'nodes live as long as the lab; `down` removes them'),
  yes('exec', 'run in the node in order once FRR has started (netns: in the node\'s own filesystem, so the host\'s files never change)'),
  yes('binds', "mounted at their container path (netns: in the node's own mount namespace; docker: as containerlab mounts them); FRR's frr.conf and daemons are read from them"),
  no('volumes', 'asymlab mounts binds (host paths), not docker volumes'),
  no('ports', `${NO_MGMT}, so there is nowhere to publish a port`),
  yes('env', "the environment of the node's exec lines"),
  no('credentials', VENDOR),
  no('env-files', 'give the variables under env:'),
  no('user', 'exec lines run as root, as FRR needs'),
  no('hostname', 'a node is named by its node name'),
  no('entrypoint', 'asymlab starts FRR and the exec lines itself, not the image\'s entrypoint'),
  no('cmd', 'asymlab starts FRR and the exec lines itself, not the image\'s command'),
  no('labels', 'asymlab labels its own resources (asymlab.lab, asymlab.node)'),
  no('runtime', "the lab's runtime (netns or docker, `--runtime`) runs every node"),
  no('mgmt-ipv4', NO_MGMT),
  no('mgmt-ipv6', NO_MGMT),
  no('network-mode', 'every node has a network namespace of its own; network-mode host would put it in the machine\'s'),
  no('link-apply-mode', 'asymlab has no `apply`: a changed lab is brought down and up again'),
  no('cpu', 'nodes get no resource limits'),
  no('memory', 'nodes get no resource limits'),
  no('cpu-set', 'nodes get no resource limits'),
  no('extras', VENDOR),
  no('config', "asymlab renders no config templates: FRR reads the node's frr.conf as it is"),
  no('stages', 'nodes start at once, and `up` waits until routing has converged instead'),
  no('dns', NO_MGMT),
  no('certificate', 'asymlab issues no certificates'),
  no('healthcheck', '`up` waits for routing to converge instead'),
  no('components', VENDOR),
  no('aliases', NO_MGMT),
  no('shm-size', 'nodes get no resource limits'),
  no('cap-add', CONTAINER_ONLY),
  no('privileged', `${CONTAINER_ONLY}; net.* sysctls are writable in every node`),
  no('cgroupns-mode', CONTAINER_ONLY),
  no('cgroup-parent', CONTAINER_ONLY),
  no('pid-mode', CONTAINER_ONLY),
  no('tmpfs', "netns: /tmp and /run are the node's own tmpfs already; docker: the image's"),
  no('security-opts', CONTAINER_ONLY),
  yes('sysctls', 'net.* keys are set in the node (they belong to its network namespace); any other would change the host and is refused'),
  no('devices', CONTAINER_ONLY),
];

/** A link's keys, of every link type. */
export const LINK_KEYS: readonly ContainerlabKey[] = [
  yes('endpoints', '"node:interface" strings, or {node, interface} maps (type: veth)'),
  yes('type', 'veth; host, mgmt-net, macvlan, vxlan, vxlan-stitched, veth-stitched and dummy are refused (they reach outside the lab)'),
  yes('mtu', 'the MTU of both ends'),
  yes('ipv4', "the two ends' IPv4 addresses"),
  yes('ipv6', "the two ends' IPv6 addresses"),
  no('vars', "asymlab renders no config templates"),
  no('labels', 'asymlab labels its own resources'),
  no('endpoint', 'single-ended links (host, mgmt-net, macvlan, vxlan, dummy) are refused'),
  no('host-interface', "asymlab never puts a lab interface in the host's namespace"),
  no('mode', "asymlab never puts a lab interface in the host's namespace"),
  no('remote', 'a lab stays on one machine'),
  no('vni', 'a lab stays on one machine'),
  no('dst-port', 'a lab stays on one machine'),
  no('src-port', 'a lab stays on one machine'),
];

/** An endpoint map's keys (`type: veth`). */
export const ENDPOINT_KEYS: readonly ContainerlabKey[] = [
  yes('node', 'the node of the end'),
  yes('interface', 'the interface of the end'),
  no('mac', "asymlab gives every interface its own MAC (02:a5:...), so a captured frame names the node and interface that sent it"),
  yes('ipv4', "the interface's IPv4 address"),
  yes('ipv6', "the interface's IPv6 address"),
  no('vars', 'asymlab renders no config templates'),
];

export const byKey = (table: readonly ContainerlabKey[]): Map<string, ContainerlabKey> => new Map(table.map((k) => [k.key, k]));
