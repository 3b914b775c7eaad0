import type { InputProblem } from '../errors.js';
import { canonicalAddress, contains, familyOf, hostOf, isAddress, network, networkText, parsePrefix, type Prefix } from '../util/ip.js';
import { owns } from './addresses.js';
import { IFACE_HINT, IFACE_RE, NAME_HINT, NAME_RE, PCAP_RESERVED_IFACE_RE } from './names.js';
import type { Lab, LabNode } from './types.js';

/**
 * Semantic rules over a normalised lab. Each rule returns every problem it finds, with the dot-path
 * of the place in the lab file; none of them stops at the first.
 */
type Rule = (lab: Lab) => InputProblem[];

const np = (n: LabNode) => `topology.nodes.${n.name}`;


const names: Rule = (lab) => {
  const out: InputProblem[] = [];
  if (!NAME_RE.test(lab.name)) out.push({ path: 'name', message: `lab name '${lab.name}' is not allowed`, hint: NAME_HINT });
  // Interfaces named only in a link are reported at the link, by the links rule.
  const inLinks = new Set(lab.links.flatMap((l) => l.endpoints.map((e) => `${e.node}:${e.iface}`)));
  for (const n of lab.nodes) {
    if (!NAME_RE.test(n.name)) out.push({ path: np(n), message: `node name '${n.name}' is not allowed`, hint: NAME_HINT });
    for (const i of n.interfaces) {
      if (inLinks.has(`${n.name}:${i.name}`)) continue;
      if (!IFACE_RE.test(i.name) || i.name === 'lo') {
        out.push({ path: `${np(n)}.interfaces.${i.name}`, message: `interface name '${i.name}' is not allowed`, hint: i.name === 'lo' ? 'put stub prefixes under loopbacks:' : IFACE_HINT });
      }
    }
  }
  if (lab.nodes.length === 0) out.push({ path: 'topology.nodes', message: 'the lab has no nodes', hint: 'add nodes under topology.nodes' });
  return out;
};

const links: Rule = (lab) => {
  const out: InputProblem[] = [];
  const used = new Map<string, string>();
  lab.links.forEach((l, i) => {
    const self = l.endpoints[0].node === l.endpoints[1].node && l.endpoints[0].iface === l.endpoints[1].iface;
    l.endpoints.forEach((ep, j) => {
      if (self && j === 1) return; // reported once, below
      const path = `topology.links[${i}].endpoints[${j}]`;
      if (!ep.node || !ep.iface) return; // not node:interface; reported while normalising
      const node = lab.nodes.find((n) => n.name === ep.node);
      if (!node) {
        out.push({ path, message: `node '${ep.node}' is not defined`, hint: `define it under topology.nodes, or use one of: ${lab.nodes.map((n) => n.name).join(', ')}` });
        return;
      }
      if (!IFACE_RE.test(ep.iface) || ep.iface === 'lo') {
        out.push({ path, message: `interface name '${ep.iface}' is not allowed`, hint: ep.iface === 'lo' ? 'lo is the loopback; put stub prefixes under loopbacks:' : IFACE_HINT });
      }
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

const addresses: Rule = (lab) => {
  const out: InputProblem[] = [];
  const owners = new Map<string, string>();
  for (const n of lab.nodes) {
    const check = (text: string, path: string) => {
      const p = parsePrefix(text);
      if (!p) {
        out.push({ path, message: `'${text}' is not a prefix`, hint: 'write address/length, e.g. 10.1.0.10/24 or 2001:db8::10/64' });
        return;
      }
      const host = hostOf(text);
      const prev = owners.get(canonicalAddress(host));
      if (prev) out.push({ path, message: `address ${host} is also on ${prev}`, hint: 'addresses must be unique in a lab' });
      else owners.set(canonicalAddress(host), `${n.name} (${path})`);
    };
    for (const i of n.interfaces) i.addresses.forEach((a, k) => check(a, `${np(n)}.interfaces.${i.name}${i.addresses.length > 1 ? `[${k}]` : ''}`));
    n.loopbacks.forEach((a, k) => check(a, `${np(n)}.loopbacks[${k}]`));
  }
  return out;
};

const routes: Rule = (lab) => {
  const out: InputProblem[] = [];
  for (const n of lab.nodes) {
    const nets = connected(n);
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
        } else if (!r.dev && !nets.some((p) => contains(p, r.via!))) {
          out.push({
            path: `${path}.via`,
            message: `next hop ${r.via} is not on any subnet of ${n.name}`,
            hint: `${n.name}'s subnets: ${nets.map((p) => p.text).join(', ') || 'none'}; use a neighbour's address on one of them`,
          });
        }
      }
      if (r.dev !== undefined && !n.interfaces.some((i) => i.name === r.dev)) {
        out.push({ path: `${path}.dev`, message: `${n.name} has no interface '${r.dev}'` });
      }
    });
  }
  return out;
};

const bgp: Rule = (lab) => {
  const out: InputProblem[] = [];
  const owner = (addr: string) => lab.nodes.find((n) => owns(n, addr));
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

const firewall: Rule = (lab) => {
  const out: InputProblem[] = [];
  for (const n of lab.nodes) {
    const fw = n.firewall;
    if (!fw) continue;
    const path = `${np(n)}.firewall`;
    const hasIf = (i: string | undefined, p: string) => {
      if (i !== undefined && !n.interfaces.some((x) => x.name === i)) {
        out.push({ path: p, message: `${n.name} has no interface '${i}'`, hint: `its interfaces: ${n.interfaces.map((x) => x.name).join(', ')}` });
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

const flows: Rule = (lab) => {
  const out: InputProblem[] = [];
  const known = new Set(lab.nodes.map((n) => n.name));
  const names = new Set<string>();
  lab.flows.forEach((f, i) => {
    const path = `flows[${i}]`;
    if (names.has(f.name)) out.push({ path: `${path}.name`, message: `flow name '${f.name}' is used twice` });
    names.add(f.name);
    const node = (v: string | undefined, p: string) => {
      if (v && !known.has(v)) out.push({ path: p, message: `node '${v}' is not defined`, hint: `nodes: ${[...known].join(', ')}` });
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
      const client = lab.nodes.find((n) => n.name === f.from);
      if (client && !owns(client, f.source)) out.push({ path: `${path}.source`, message: `${f.from} has no address ${f.source}` });
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

const files: (exists: (p: string) => boolean) => Rule = (exists) => (lab) => {
  const out: InputProblem[] = [];
  for (const n of lab.nodes) {
    if (n.frrConfig && !exists(n.frrConfig)) out.push({ path: `${np(n)}.frr-config`, message: `file ${n.frrConfig} does not exist`, hint: 'paths are relative to the lab file' });
    if (n.iptables && !exists(n.iptables)) out.push({ path: `${np(n)}.iptables`, message: `file ${n.iptables} does not exist`, hint: 'paths are relative to the lab file' });
  }
  return out;
};

export function validateLab(lab: Lab, exists: (path: string) => boolean): InputProblem[] {
  return [names, links, capturable, addresses, routes, sysctls, bgp, firewall, flows, files(exists)].flatMap((rule) => rule(lab));
}
