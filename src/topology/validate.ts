import type { InputProblem } from '../errors.js';
import { canonicalAddress, contains, familyOf, hostOf, isAddress, network, networkText, parseAddress, parsePrefix, type Prefix } from '../util/ip.js';
import { nodeAddresses, owns } from './addresses.js';
import { IFACE_HINT, IFACE_RE, IP_KEYWORD_HINT, ipKeywordProblem, NAME_HINT, NAME_RE, PCAP_RESERVED_IFACE_RE } from './names.js';
import { PROTOCOL_FORMS } from '../protocols/names.js';
import { backendProblems } from '../firewall/registry.js';
import { findKind } from '../kinds/registry.js';
import type { Lab, LabNode } from './types.js';
import { validateEvents } from '../events/validate-events.js';
import { validateBfd } from './validate-bfd.js';

/**
 * Semantic rules over a normalised lab. Each rule returns every problem it finds, with the dot-path
 * of the place in the lab file; none of them stops at the first. Lookups go through the lab's
 * index, built once, so the rules stay linear in the size of the lab.
 */
type Rule = (lab: Lab, ix: LabIndex) => InputProblem[];

interface LabIndex {
  node: Map<string, LabNode>;
  /** The first node with an address (canonical spelling). */
  owner: Map<string, LabNode>;
  ifaces(n: LabNode): Set<string>;
  addresses(n: LabNode): Set<string>;
}

function indexLab(lab: Lab): LabIndex {
  const node = new Map<string, LabNode>();
  const owner = new Map<string, LabNode>();
  const ifaces = new Map<LabNode, Set<string>>();
  const addresses = new Map<LabNode, Set<string>>();
  const addressesOf = (n: LabNode) => {
    let s = addresses.get(n);
    if (!s) addresses.set(n, (s = new Set(nodeAddresses(n))));
    return s;
  };
  for (const n of lab.nodes) {
    if (!node.has(n.name)) node.set(n.name, n);
    for (const a of addressesOf(n)) if (!owner.has(a)) owner.set(a, n);
  }
  return {
    node,
    owner,
    addresses: addressesOf,
    ifaces(n) {
      let s = ifaces.get(n);
      if (!s) ifaces.set(n, (s = new Set(n.interfaces.map((i) => i.name))));
      return s;
    },
  };
}

const np = (n: LabNode) => `topology.nodes.${n.name}`;

/** Why an interface name cannot be used, or undefined. */
function ifaceProblem(name: string): { message: string; hint: string } | undefined {
  if (name === 'lo') return { message: `interface name 'lo' is not allowed`, hint: 'lo is the loopback; put stub prefixes under loopbacks:' };
  if (!IFACE_RE.test(name)) return { message: `interface name '${name}' is not allowed`, hint: IFACE_HINT };
  const keyword = ipKeywordProblem(name);
  if (keyword) return { message: `interface name ${keyword}`, hint: IP_KEYWORD_HINT };
  return undefined;
}

const names: Rule = (lab) => {
  const out: InputProblem[] = [];
  if (!NAME_RE.test(lab.name)) out.push({ path: 'name', message: `lab name '${lab.name}' is not allowed`, hint: NAME_HINT });
  // Interfaces named only in a link are reported at the link, by the links rule.
  const inLinks = new Set(lab.links.flatMap((l) => l.endpoints.map((e) => `${e.node}:${e.iface}`)));
  for (const n of lab.nodes) {
    if (!NAME_RE.test(n.name)) out.push({ path: np(n), message: `node name '${n.name}' is not allowed`, hint: NAME_HINT });
    for (const i of n.interfaces) {
      if (inLinks.has(`${n.name}:${i.name}`)) continue;
      const bad = ifaceProblem(i.name);
      // a node's own lo is reported with the hint it had before
      if (bad) out.push({ path: `${np(n)}.interfaces.${i.name}`, ...bad, hint: i.name === 'lo' ? 'put stub prefixes under loopbacks:' : bad.hint });
    }
  }
  if (lab.nodes.length === 0) out.push({ path: 'topology.nodes', message: 'the lab has no nodes', hint: 'add nodes under topology.nodes' });
  return out;
};

const links: Rule = (lab, ix) => {
  const out: InputProblem[] = [];
  const nodeNames = some(lab.nodes.map((n) => n.name), 20);
  const used = new Map<string, string>();
  lab.links.forEach((l, i) => {
    const self = l.endpoints[0].node === l.endpoints[1].node && l.endpoints[0].iface === l.endpoints[1].iface;
    l.endpoints.forEach((ep, j) => {
      if (self && j === 1) return; // reported once, below
      const path = `topology.links[${i}].endpoints[${j}]`;
      if (!ep.node || !ep.iface) return; // not node:interface; reported while normalising
      const node = ix.node.get(ep.node);
      if (!node) {
        out.push({ path, message: `node '${ep.node}' is not defined`, hint: `define it under topology.nodes, or use one of: ${nodeNames}` });
        return;
      }
      const bad = ifaceProblem(ep.iface);
      if (bad) out.push({ path, ...bad });
      const key = `${ep.node}:${ep.iface}`;
      const prev = used.get(key);
      if (prev) out.push({ path, message: `interface ${key} is already used by ${prev}`, hint: 'each interface takes part in one link; pick another interface name' });
      else used.set(key, `topology.links[${i}]`);
    });
    if (self && l.endpoints[0].iface) {
      out.push({ path: `topology.links[${i}]`, message: 'a link cannot join an interface to itself' });
    }
  });
  for (const n of lab.nodes) {
    for (const i of n.interfaces) {
      if (!used.has(`${n.name}:${i.name}`)) {
        out.push({ path: `${np(n)}.interfaces.${i.name}`, message: `interface ${n.name}:${i.name} is in no link`, hint: `add a link with endpoints ["${n.name}:${i.name}", "OTHER:IFACE"], or put the prefix under loopbacks:` });
      }
    }
  }
  return out;
};

function connected(n: LabNode): Prefix[] {
  return n.interfaces.flatMap((i) => i.addresses.map(parsePrefix).filter((p): p is Prefix => p !== undefined));
}

/** Whether an address is on one of the prefixes: a set lookup per distinct prefix length, not a scan of them all. */
function onSubnet(nets: Prefix[]): (address: string) => boolean {
  const byLen = new Map<string, { version: 4 | 6; len: number; nets: Set<bigint> }>();
  for (const p of nets) {
    const key = `${p.version}/${p.len}`;
    let e = byLen.get(key);
    if (!e) byLen.set(key, (e = { version: p.version, len: p.len, nets: new Set() }));
    e.nets.add(network(p));
  }
  return (address) => {
    const a = parseAddress(address);
    if (!a) return false;
    for (const e of byLen.values()) {
      if (e.version === a.version && e.nets.has(network({ version: e.version, addr: a.value, len: e.len, text: '' }))) return true;
    }
    return false;
  };
}

/** A long list in a hint: the first few, and how many more. */
const some = (items: string[], max = 8) => (items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', '));

/**
 * An address is on one node, with one exception: several nodes may each have it on their loopback
 * (anycast, a NAT pool on two firewalls, a VIP). On an interface, and so on a link, it is unique.
 */
const addresses: Rule = (lab) => {
  const out: InputProblem[] = [];
  const owners = new Map<string, { node: string; where: string; lo: boolean }[]>();
  for (const n of lab.nodes) {
    const check = (text: string, path: string, lo: boolean) => {
      const p = parsePrefix(text);
      if (!p) {
        out.push({ path, message: `'${text}' is not a prefix`, hint: 'write address/length, e.g. 10.1.0.10/24 or 2001:db8::10/64' });
        return;
      }
      const host = hostOf(text);
      const prev = owners.get(canonicalAddress(host)) ?? [];
      const shared = lo && prev.every((o) => o.lo && o.node !== n.name);
      if (prev.length && !shared) {
        const hint = lo || prev[0].lo ? 'only loopbacks may share an address (anycast, a shared NAT pool, a VIP): put it on lo on each node, or give this one another' : 'addresses must be unique in a lab';
        out.push({ path, message: `address ${host} is also on ${prev[0].where}`, hint });
      } else owners.set(canonicalAddress(host), [...prev, { node: n.name, where: `${n.name} (${path})`, lo }]);
    };
    for (const i of n.interfaces) i.addresses.forEach((a, k) => check(a, `${np(n)}.interfaces.${i.name}${i.addresses.length > 1 ? `[${k}]` : ''}`, false));
    n.loopbacks.forEach((a, k) => check(a, `${np(n)}.loopbacks[${k}]`, true));
  }
  return out;
};

const routes: Rule = (lab, ix) => {
  const out: InputProblem[] = [];
  for (const n of lab.nodes) {
    const nets = connected(n);
    const onNet = onSubnet(nets);
    n.routes.forEach((r, k) => {
      const path = `${np(n)}.routes[${k}]`;
      const to = parsePrefix(r.to);
      if (!to) out.push({ path: `${path}.to`, message: `'${r.to}' is not a prefix or 'default'` });
      // The kernel refuses a route whose prefix has host bits set ("Invalid prefix for given prefix length").
      else if (network(to) !== to.addr) out.push({ path: `${path}.to`, message: `'${r.to}' has host bits set`, hint: `write ${networkText(to)}` });
      if (!r.via && !r.dev) out.push({ path, message: 'a route needs via: or dev:', hint: 'add via: NEXT-HOP-ADDRESS' });
      if (r.via !== undefined) {
        if (!isAddress(r.via)) out.push({ path: `${path}.via`, message: `'${r.via}' is not an address` });
        else if (to && familyOf(r.via) !== to.version) {
          out.push({ path: `${path}.via`, message: `next hop ${r.via} is IPv${familyOf(r.via)}, the route to ${r.to} IPv${to.version}`, hint: 'route each family through a next hop of that family' });
        } else if (!r.dev && !onNet(r.via)) {
          out.push({
            path: `${path}.via`,
            message: `next hop ${r.via} is not on any subnet of ${n.name}`,
            hint: `${n.name}'s subnets: ${some(nets.map((p) => p.text)) || 'none'}; use a neighbour's address on one of them`,
          });
        }
      }
      if (r.dev !== undefined && !ix.ifaces(n).has(r.dev)) {
        out.push({ path: `${path}.dev`, message: `${n.name} has no interface '${r.dev}'` });
      }
    });
  }
  return out;
};

const bgp: Rule = (lab, ix) => {
  const out: InputProblem[] = [];
  const owner = (addr: string) => ix.owner.get(canonicalAddress(addr));
  for (const n of lab.nodes) {
    if (!n.bgp) continue;
    const path = `${np(n)}.bgp`;
    if (n.bgp.routerId && !(isAddress(n.bgp.routerId) && !n.bgp.routerId.includes(':'))) {
      out.push({ path: `${path}.router-id`, message: `'${n.bgp.routerId}' is not an IPv4 address` });
    }
    n.bgp.networks.forEach((p, k) => {
      if (!parsePrefix(p)) out.push({ path: `${path}.networks[${k}]`, message: `'${p}' is not a prefix` });
    });
    n.bgp.neighbors.forEach((nb, k) => {
      const npath = `${path}.neighbors[${k}]`;
      if (!isAddress(nb.address)) {
        out.push({ path: `${npath}.address`, message: `'${nb.address}' is not an address` });
        return;
      }
      const peer = owner(nb.address);
      if (!peer) {
        out.push({ path: `${npath}.address`, message: `no node in the lab has address ${nb.address}`, hint: 'peer with an address of another node' });
      } else if (peer.bgp && peer.bgp.asn !== nb.remoteAs) {
        out.push({ path: `${npath}.remote-as`, message: `remote-as ${nb.remoteAs}, but ${peer.name} (${nb.address}) has asn ${peer.bgp.asn}`, hint: `set remote-as: ${peer.bgp.asn}` });
      } else if (!peer.bgp && !peer.frrConfig) {
        out.push({ path: `${npath}.address`, message: `${peer.name} (${nb.address}) runs no BGP`, hint: `add a bgp: section to ${peer.name}` });
      }
      for (const key of ['advertise', 'accept'] as const) {
        (nb[key] ?? []).forEach((p, m) => {
          if (!parsePrefix(p)) out.push({ path: `${npath}.${key}[${m}]`, message: `'${p}' is not a prefix` });
        });
      }
    });
    if (!n.bgp.routerId && !n.loopbacks.some((l) => !l.includes(':')) && !n.interfaces.some((i) => i.addresses.some((a) => !a.includes(':')))) {
      out.push({ path: `${path}.router-id`, message: 'no router-id and no IPv4 address to take one from', hint: 'add router-id: A.B.C.D' });
    }
  }
  return out;
};

const firewall: Rule = (lab, ix) => {
  const out: InputProblem[] = [];
  for (const n of lab.nodes) {
    const fw = n.firewall;
    if (!fw) continue;
    const path = `${np(n)}.firewall`;
    const hasIf = (i: string | undefined, p: string) => {
      if (i !== undefined && !ix.ifaces(n).has(i)) {
        out.push({ path: p, message: `${n.name} has no interface '${i}'`, hint: `its interfaces: ${some(n.interfaces.map((x) => x.name))}` });
      }
    };
    fw.inside.forEach((i, k) => hasIf(i, `${path}.inside[${k}]`));
    const pfx = (v: string | undefined, p: string) => {
      if (v !== undefined && !isAddress(v) && !parsePrefix(v)) out.push({ path: p, message: `'${v}' is not an address or prefix` });
    };
    // The renderer puts a rule in the ruleset of its addresses' family: one with both is in neither.
    const oneFamily = (p: string, ...addrs: (string | undefined)[]) => {
      const fams = new Set(addrs.filter((a): a is string => a !== undefined && a !== 'masquerade').map(familyOf));
      if (fams.size > 1) out.push({ path: p, message: 'mixes IPv4 and IPv6 addresses', hint: 'write one rule per family' });
    };
    fw.allow.forEach((a, k) => {
      hasIf(a.in, `${path}.allow[${k}].in`);
      hasIf(a.out, `${path}.allow[${k}].out`);
      pfx(a.src, `${path}.allow[${k}].src`);
      pfx(a.dst, `${path}.allow[${k}].dst`);
      oneFamily(`${path}.allow[${k}]`, a.src, a.dst);
      if (a.dport !== undefined && a.proto !== 'tcp' && a.proto !== 'udp') {
        out.push({ path: `${path}.allow[${k}].dport`, message: 'dport needs proto: tcp or udp' });
      }
      // The firewall itself is where the connection ends: it leaves by no interface.
      if (a.to === 'self' && a.out !== undefined) out.push({ path: `${path}.allow[${k}].out`, message: 'a connection to the firewall itself (to: self) leaves by no interface', hint: 'remove out:, or remove to: self to allow connections through the firewall' });
    });
    fw.snat.forEach((s, k) => {
      hasIf(s.out, `${path}.snat[${k}].out`);
      pfx(s.src, `${path}.snat[${k}].src`);
      pfx(s.dst, `${path}.snat[${k}].dst`);
      if (s.to !== 'masquerade' && !isAddress(s.to)) out.push({ path: `${path}.snat[${k}].to`, message: `'${s.to}' is not an address or 'masquerade'` });
      else oneFamily(`${path}.snat[${k}]`, s.src, s.dst, s.to);
    });
    fw.dnat.forEach((d, k) => {
      hasIf(d.in, `${path}.dnat[${k}].in`);
      pfx(d.dst, `${path}.dnat[${k}].dst`);
      const m = /^(.+?)(?::(\d+))?$/.exec(d.to);
      if (!m || !isAddress(m[1]) || m[1].includes(':')) out.push({ path: `${path}.dnat[${k}].to`, message: `'${d.to}' is not an IPv4 address or address:port` });
      else if (m[2] !== undefined && !d.proto) out.push({ path: `${path}.dnat[${k}].to`, message: `a port in '${d.to}' needs proto: tcp or udp` });
      // DNAT rewrites to an IPv4 address, so it matches IPv4 destinations only.
      if (d.dst.includes(':')) out.push({ path: `${path}.dnat[${k}].dst`, message: `DNAT is IPv4 only, '${d.dst}' is IPv6` });
      if (d.dport !== undefined && !d.proto) out.push({ path: `${path}.dnat[${k}].dport`, message: 'dport needs proto: tcp or udp' });
    });
  }
  return out;
};

/** Each kind's own rules, and the firewall backend a node names (unknown, or another than its raw file's). */
const kinds: Rule = (lab) => lab.nodes.flatMap((n) => [...(findKind(n.kind)?.validate?.(n, np(n)) ?? []), ...backendProblems(n, np(n))]);

const flows: Rule = (lab, ix) => {
  const out: InputProblem[] = [];
  const known = new Set(lab.nodes.map((n) => n.name));
  const nodeNames = some([...known], 20);
  const names = new Set<string>();
  lab.flows.forEach((f, i) => {
    const path = `flows[${i}]`;
    if (names.has(f.name)) out.push({ path: `${path}.name`, message: `flow name '${f.name}' is used twice` });
    names.add(f.name);
    const node = (v: string | undefined, p: string) => {
      if (v && !known.has(v)) out.push({ path: p, message: `node '${v}' is not defined`, hint: `nodes: ${nodeNames}` });
    };
    node(f.from, `${path}.from`);
    node(f.server || undefined, `${path}.server`);
    if (!isAddress(f.toAddress)) out.push({ path: `${path}.to`, message: `'${f.toAddress}' is not an address` });
    if (f.from && f.from === f.server) out.push({ path: `${path}.server`, message: 'a flow cannot connect a node to itself' });
    node(f.expect?.at, `${path}.expect.at`);
    f.expect?.path?.forEach((n, k) => node(n, `${path}.expect.path[${k}]`));
    f.expect?.returnPath?.forEach((n, k) => node(n, `${path}.expect.return-path[${k}]`));
    if (f.expect?.at && f.expect.result === 'delivered') out.push({ path: `${path}.expect.at`, message: "'at' names where a flow dies; a delivered flow has none", hint: 'remove at:, or expect dropped' });
    if (f.source) {
      const client = ix.node.get(f.from);
      if (client && !ix.addresses(client).has(canonicalAddress(f.source))) out.push({ path: `${path}.source`, message: `${f.from} has no address ${f.source}` });
    }
  });
  return out;
};

/**
 * Only `net.` sysctls are per network namespace. Any other key (kernel., vm., fs.) is the host's own
 * setting, which a lab must never change. Segments are separated by `.` or `/` (`/` spells a dot
 * inside an interface name: net.ipv4.conf.eth1/100.rp_filter) and none is empty, so no `..` can
 * climb out of /proc/sys/net.
 */
const SYSCTL_RE = /^net\.[A-Za-z0-9_-]+(?:[./][A-Za-z0-9_-]+)*$/;

const sysctls: Rule = (lab) => {
  const out: InputProblem[] = [];
  for (const n of lab.nodes) {
    for (const key of Object.keys(n.sysctls)) {
      if (SYSCTL_RE.test(key)) continue;
      out.push({
        path: `${np(n)}.sysctls.${key}`,
        message: key.startsWith('net.') ? `sysctl '${key}' is not a valid net.* key` : `sysctl '${key}' is not a net.* key`,
        hint: 'only net.* sysctls belong to a network namespace; any other would change the host kernel, which asymlab never does',
      });
    }
  }
  return out;
};

/** Every interface is captured with tcpdump -i NAME: a name libpcap keeps for itself would capture something else. */
const capturable: Rule = (lab) =>
  lab.links.flatMap((l, i) =>
    l.endpoints.flatMap((ep, j): InputProblem[] =>
      ep.iface && PCAP_RESERVED_IFACE_RE.test(ep.iface)
        ? [{ path: `topology.links[${i}].endpoints[${j}]`, message: `interface name '${ep.iface}' cannot be captured: libpcap takes it for one of its own sources (tcpdump -i ${ep.iface} would not read this interface)`, hint: 'rename the interface, e.g. eth3' }]
        : [],
    ),
  );

/** MTUs a lab may set: IPv4's minimum datagram to a jumbo frame. IPv6 needs 1280 at least. */
export const MTU_MIN = 576;
export const MTU_MAX = 9000;
/** The largest `size:`: a payload that still fits one IP datagram with its headers. */
export const SIZE_MAX = 65_000;

const mtus: Rule = (lab) => {
  const out: InputProblem[] = [];
  const range = (mtu: number, path: string) => {
    if (mtu < MTU_MIN || mtu > MTU_MAX) out.push({ path, message: `MTU ${mtu} is out of range`, hint: `an MTU is ${MTU_MIN} to ${MTU_MAX} bytes` });
  };
  lab.links.forEach((l, i) => l.mtu !== undefined && range(l.mtu, `topology.links[${i}].mtu`));
  for (const n of lab.nodes) {
    for (const i of n.interfaces) {
      if (i.mtu === undefined) continue;
      const link = lab.links.find((l) => l.endpoints.some((e) => e.node === n.name && e.iface === i.name));
      // An MTU other than its link's came from the node's own `mtu:` map; the link's is checked above.
      const path = link?.mtu === i.mtu ? `topology.links[${lab.links.indexOf(link)}].mtu` : `${np(n)}.mtu.${i.name}`;
      if (link?.mtu !== i.mtu) range(i.mtu, path);
      if (i.mtu >= MTU_MIN && i.mtu < 1280 && i.addresses.some((a) => a.includes(':'))) {
        out.push({ path, message: `${n.name}:${i.name} has IPv6 addresses but MTU ${i.mtu}`, hint: 'IPv6 needs an MTU of at least 1280; the kernel turns IPv6 off below it' });
      }
    }
  }
  return out;
};

const flowForms: Rule = (lab) => {
  const out: InputProblem[] = [];
  const fixedPorts = new Map<string, string>();
  lab.flows.forEach((f, i) => {
    const path = `flows[${i}]`;
    const protocol = f.protocol ?? 'tcp';
    const form = PROTOCOL_FORMS[protocol];
    if (f.sourcePort !== undefined && form.sourcePort === 'none') {
      out.push({ path: `${path}.source-port`, message: `an ${protocol} flow has no source port`, hint: `remove source-port: (${protocol} echo requests are told apart by their id, which asymlab picks)` });
    }
    if (f.size !== undefined && f.size > SIZE_MAX) out.push({ path: `${path}.size`, message: `size ${f.size} is more than ${SIZE_MAX} bytes`, hint: `a payload must fit one IP datagram with its headers: use at most ${SIZE_MAX}` });
    // Flows run at once: two that send from one fixed port of one node would fight over it.
    if (f.sourcePort !== undefined && form.sourcePort === 'fixed') {
      const k = `${f.from}|${protocol}|${f.sourcePort}`;
      const prev = fixedPorts.get(k);
      if (prev) out.push({ path: `${path}.source-port`, message: `${prev} also sends ${protocol} from ${f.from} port ${f.sourcePort}`, hint: 'flows run at the same time: give each its own source-port' });
      else fixedPorts.set(k, `flow '${f.name}'`);
    }
  });
  return out;
};

export function validateLab(lab: Lab): InputProblem[] {
  const ix = indexLab(lab);
  return [names, kinds, links, capturable, addresses, routes, sysctls, bgp, firewall, flows, mtus, flowForms, validateBfd, validateEvents].flatMap((rule) => rule(lab, ix));
}
