import { isAbsolute, resolve } from 'node:path';
import type { InputProblem } from '../errors.js';
import { canonicalAddress, hostOf } from '../util/ip.js';
import { nodeAddresses } from './addresses.js';
import { deepMerge, isMap, type Json } from './merge.js';
import { isProtocolName, PROTOCOL_FORMS } from '../protocols/names.js';
import { isAddress } from '../util/ip.js';
import { flowTiming, normaliseEvents, phasesOf } from '../events/normalise-events.js';
import { findKind, kindProblem, missingKindHint } from '../kinds/registry.js';
import type { Bgp, Firewall, Flow, FlowResult, Lab, LabNode, Link, Route, RuntimeKind } from './types.js';

type Raw = Record<string, Json>;

const asList = (v: Json | undefined): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function normaliseRoute(r: Raw): Route {
  const to = String(r.to);
  return {
    to: to === 'default' ? (r.via && String(r.via).includes(':') ? '::/0' : '0.0.0.0/0') : to,
    via: r.via === undefined ? undefined : String(r.via),
    dev: r.dev === undefined ? undefined : String(r.dev),
    ...(r.bfd === true ? { bfd: true } : {}),
  };
}

function normaliseBgp(b: Raw): Bgp {
  const neighbors = Array.isArray(b.neighbors) ? (b.neighbors as Raw[]) : [];
  return {
    asn: Number(b.asn),
    routerId: b['router-id'] === undefined ? '' : String(b['router-id']),
    networks: asList(b.networks),
    redistribute: asList(b.redistribute) as Bgp['redistribute'],
    neighbors: neighbors.map((n) => ({
      address: String(n.address),
      remoteAs: Number(n['remote-as']),
      advertise: n.advertise === undefined ? undefined : asList(n.advertise),
      accept: n.accept === undefined ? undefined : asList(n.accept),
      localPref: n['local-pref'] === undefined ? undefined : Number(n['local-pref']),
      prepend: n.prepend === undefined ? undefined : Number(n.prepend),
      med: n.med === undefined ? undefined : Number(n.med),
      defaultOriginate: n['default-originate'] === true,
      ...(n.bfd === true ? { bfd: true } : {}),
    })),
  };
}

function normaliseFirewall(f: Raw | undefined): Firewall {
  const list = (k: string) => (f && Array.isArray(f[k]) ? (f[k] as Raw[]) : []);
  return {
    ...(typeof f?.backend === 'string' ? { backend: f.backend } : {}),
    inside: f ? asList(f.inside) : [],
    // schema-checked already: the raw shapes are the typed ones
    allow: list('allow').map((a) => ({ ...a }) as unknown as Firewall['allow'][number]),
    snat: list('snat').map((a) => ({ ...a }) as unknown as Firewall['snat'][number]),
    dnat: list('dnat').map((a) => ({ ...a }) as unknown as Firewall['dnat'][number]),
    ...(f?.['drop-icmp'] === true ? { dropIcmp: true } : {}),
    ...(typeof f?.['clamp-mss'] === 'number' ? { clampMss: f['clamp-mss'] } : {}),
  };
}

/** What a node inherits, in containerlab's order: defaults < kinds[kind] < groups[group]. */
function inheritedLayers(topology: Raw, raw: Raw): [Raw, Raw, Raw] {
  const defaults = isMap(topology.defaults) ? topology.defaults : {};
  const group = typeof raw.group === 'string' ? raw.group : typeof defaults.group === 'string' ? defaults.group : undefined;
  const groupDef = group && isMap(topology.groups) && isMap(topology.groups[group]) ? topology.groups[group] : {};
  const kind = String(raw.kind ?? groupDef.kind ?? defaults.kind ?? '');
  const kindDef = isMap(topology.kinds) && isMap(topology.kinds[kind]) ? topology.kinds[kind] : {};
  return [defaults, kindDef, groupDef];
}

/** containerlab's order: defaults < kinds[kind] < groups[group] < the node itself. */
export function inheritNode(topology: Raw, raw: Raw): Raw {
  const [defaults, kindDef, groupDef] = inheritedLayers(topology, raw);
  return [kindDef, groupDef, raw].reduce((acc, layer) => deepMerge(acc, layer) as Raw, defaults as Json) as Raw;
}

/** Values in a document: one per scalar, list and map. Memoised, since layers are shared. */
function valueCount(v: Json | undefined, memo: WeakMap<object, number>): number {
  if (v === null || typeof v !== 'object') return 1;
  const known = memo.get(v);
  if (known !== undefined) return known;
  let n = 1;
  for (const x of Array.isArray(v) ? v : Object.values(v)) n += valueCount(x, memo);
  memo.set(v, n);
  return n;
}

/** Inherited values may add at most this many, plus four times the document's own. */
const INHERIT_BUDGET = 1_000_000;
const INHERIT_FACTOR = 4;

/**
 * Every node gets a copy of what it inherits, so a big `defaults` times many nodes grows with the
 * square of the file's size. Refused above a budget, before any copy is made.
 */
function inheritanceProblem(data: Raw, topology: Raw, rawNodes: Raw): InputProblem | undefined {
  const memo = new WeakMap<object, number>();
  let copies = 0;
  for (const value of Object.values(rawNodes)) {
    if (!isMap(value)) continue;
    for (const layer of inheritedLayers(topology, value)) copies += valueCount(layer, memo) - 1;
  }
  const budget = INHERIT_BUDGET + INHERIT_FACTOR * valueCount(data, memo);
  if (copies <= budget) return undefined;
  return {
    path: 'topology',
    message: `nodes inherit ${copies} values in all from defaults, kinds and groups; at most ${budget} are allowed`,
    hint: 'move values only some nodes need from defaults into a group or those nodes',
  };
}

function splitEndpoint(text: string): { node: string; iface: string } {
  const i = text.lastIndexOf(':');
  return i < 0 ? { node: text, iface: '' } : { node: text.slice(0, i), iface: text.slice(i + 1) };
}

/** `198.51.100.10:443` or `[2001:db8::1]:443` */
export function splitHostPort(text: string): { address: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { address: m[1], port } : undefined;
}

/** `to:` of a protocol without ports (ICMP): an address alone; a port there is a mistake, said as such. */
function portless(text: string, path: string, protocol: string, problems: InputProblem[]): { address: string; port: number } | undefined {
  if (isAddress(text)) return { address: text, port: 0 };
  const hp = splitHostPort(text);
  problems.push(
    hp
      ? { path, message: `an ${protocol} flow has no port, but '${text}' names port ${hp.port}`, hint: `write to: ${hp.address}` }
      : { path, message: `'${text}' is not an address`, hint: 'write e.g. 198.51.100.10, or 2001:db8::10' },
  );
  return undefined;
}

/**
 * Raw (schema-valid) document -> Lab. Structural problems (an endpoint without `node:iface`, a node
 * with no kind, a flow whose server cannot be found) are collected, not thrown.
 */
export function normalise(data: Raw, file: string, dir: string, runtimeOverride?: RuntimeKind): { lab: Lab; problems: InputProblem[]; complete: boolean } {
  const problems: InputProblem[] = [];
  const topology = isMap(data.topology) ? data.topology : {};
  const rawNodes = isMap(topology.nodes) ? topology.nodes : {};
  const tooMuch = inheritanceProblem(data, topology, rawNodes);
  if (tooMuch) return { lab: { name: String(data.name), file, dir, runtime: runtimeOverride ?? 'netns', nodes: [], links: [], flows: [] }, problems: [tooMuch], complete: false };
  const nodes: LabNode[] = [];
  for (const [name, value] of Object.entries(rawNodes)) {
    if (value === null) continue;
    const raw = inheritNode(topology, isMap(value) ? value : {});
    const path = `topology.nodes.${name}`;
    const kind = String(raw.kind ?? '');
    const kindDef = findKind(kind);
    if (!raw.kind) problems.push({ path, message: `node '${name}' has no kind`, hint: missingKindHint() });
    else if (!kindDef) problems.push({ path: `${path}.kind`, ...kindProblem(kind)! });
    const ifaces = isMap(raw.interfaces) ? raw.interfaces : {};
    const sysctls: Record<string, string> = { ...(kindDef?.sysctls ?? {}) };
    for (const [k, v] of Object.entries(isMap(raw.sysctls) ? raw.sysctls : {})) sysctls[k] = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    const resolvePath = (p: Json | undefined) => (typeof p === 'string' ? (isAbsolute(p) ? p : resolve(dir, p)) : undefined);
    nodes.push({
      name,
      kind,
      group: typeof raw.group === 'string' ? raw.group : undefined,
      image: typeof raw.image === 'string' ? raw.image : undefined,
      interfaces: Object.entries(ifaces).map(([iname, addrs]) => ({ name: iname, addresses: asList(addrs) })),
      loopbacks: asList(raw.loopbacks),
      routes: (Array.isArray(raw.routes) ? (raw.routes as Raw[]) : []).map(normaliseRoute),
      sysctls,
      exec: asList(raw.exec),
      binds: asList(raw.binds),
      bgp: isMap(raw.bgp) ? normaliseBgp(raw.bgp) : undefined,
      frrConfig: resolvePath(raw['frr-config']),
      firewall: isMap(raw.firewall) || kindDef?.firewallByDefault ? normaliseFirewall(isMap(raw.firewall) ? raw.firewall : undefined) : undefined,
      iptables: resolvePath(raw.iptables),
      ...(raw.ip6tables !== undefined ? { ip6tables: resolvePath(raw.ip6tables) } : {}),
      ...(raw.nftables !== undefined ? { nftables: resolvePath(raw.nftables) } : {}),
    });
  }

  const links: Link[] = [];
  const rawLinks = Array.isArray(topology.links) ? (topology.links as Raw[]) : [];
  rawLinks.forEach((l, i) => {
    const eps = asList(l.endpoints);
    const parsed = eps.map(splitEndpoint);
    parsed.forEach((ep, j) => {
      if (!ep.node || !ep.iface) {
        problems.push({ path: `topology.links[${i}].endpoints[${j}]`, message: `'${eps[j]}' is not of the form node:interface`, hint: 'write e.g. "r1:eth1"' });
      }
    });
    if (parsed.length === 2) links.push({ endpoints: [parsed[0], parsed[1]], ...(typeof l.mtu === 'number' ? { mtu: l.mtu } : {}) });
  });

  // Attach link interfaces that carry no address (pure L2 / unnumbered) to their nodes.
  const byName = new Map<string, { node: LabNode; ifaces: Set<string> }>();
  for (const n of nodes) if (!byName.has(n.name)) byName.set(n.name, { node: n, ifaces: new Set(n.interfaces.map((i) => i.name)) });
  for (const link of links) {
    for (const ep of link.endpoints) {
      const n = byName.get(ep.node);
      if (n && ep.iface && !n.ifaces.has(ep.iface)) {
        n.node.interfaces.push({ name: ep.iface, addresses: [] });
        n.ifaces.add(ep.iface);
      }
    }
  }
  // The nodes with each address, for flows that do not name their server. Several nodes with it on
  // their loopbacks share it; an address also on an interface is a duplicate (validation says so),
  // and its first node answers, as before.
  const owners = new Map<string, LabNode[]>();
  const onInterface = new Set<string>();
  for (const n of nodes) {
    for (const a of nodeAddresses(n)) owners.set(a, [...new Set([...(owners.get(a) ?? []), n])]);
    for (const i of n.interfaces) for (const a of i.addresses) onInterface.add(canonicalAddress(hostOf(a)));
  }

  // MTUs: a link's for both its ends, then a node's own `mtu:` map for its interfaces.
  for (const link of links) {
    if (link.mtu === undefined) continue;
    for (const ep of link.endpoints) {
      const i = nodes.find((x) => x.name === ep.node)?.interfaces.find((x) => x.name === ep.iface);
      if (i) i.mtu = link.mtu;
    }
  }
  for (const n of nodes) {
    const raw = inheritNode(topology, isMap(rawNodes[n.name]) ? (rawNodes[n.name] as Raw) : {});
    for (const [iname, mtu] of Object.entries(isMap(raw.mtu) ? raw.mtu : {})) {
      const i = n.interfaces.find((x) => x.name === iname);
      if (!i) problems.push({ path: `topology.nodes.${n.name}.mtu.${iname}`, message: `${n.name} has no interface '${iname}'`, hint: `its interfaces: ${n.interfaces.map((x) => x.name).join(', ') || 'none'}` });
      else if (typeof mtu === 'number') i.mtu = mtu;
    }
  }

  const flows: Flow[] = [];
  const rawFlows = Array.isArray(data.flows) ? (data.flows as Raw[]) : [];
  rawFlows.forEach((f, i) => {
    const path = `flows[${i}]`;
    const protocol = typeof f.proto === 'string' && isProtocolName(f.proto) ? f.proto : undefined;
    const hp = protocol && !PROTOCOL_FORMS[protocol].ports ? portless(String(f.to ?? ''), `${path}.to`, protocol, problems) : splitHostPort(String(f.to ?? ''));
    if (!hp) {
      if (!protocol || PROTOCOL_FORMS[protocol].ports) problems.push({ path: `${path}.to`, message: `'${String(f.to)}' is not address:port`, hint: 'write e.g. 198.51.100.10:443, or [2001:db8::10]:443 for IPv6' });
      return;
    }
    const key = canonicalAddress(hp.address);
    const all = owners.get(key) ?? [];
    const found = onInterface.has(key) ? all.slice(0, 1) : all;
    const server = typeof f.server === 'string' ? f.server : found.length === 1 ? found[0].name : undefined;
    if (!server && found.length > 1) {
      const names = found.map((n) => n.name);
      problems.push({
        path: `${path}.to`,
        message: `${hp.address} is on several nodes (${names.join(', ')}), so the flow does not say which one listens`,
        hint: `add \`server: NODE\`, one of: ${names.join(', ')}`,
      });
    } else if (!server) {
      problems.push({
        path: `${path}.to`,
        message: `no node owns ${hp.address}, so the flow has no server`,
        hint: 'add `server: NODE` (the node that listens, e.g. behind a DNAT), or give a node that address',
      });
    }
    const e = isMap(f.expect) ? f.expect : undefined;
    flows.push({
      name: String(f.name),
      ...(protocol ? { protocol } : {}),
      from: String(f.from),
      toAddress: hp.address,
      toPort: hp.port,
      ...(typeof f['source-port'] === 'number' ? { sourcePort: f['source-port'] } : {}),
      ...(typeof f.size === 'number' ? { size: f.size } : {}),
      source: typeof f.source === 'string' ? f.source : undefined,
      server: server ?? '',
      count: typeof f.count === 'number' ? f.count : 1,
      timeoutMs: typeof f['timeout-ms'] === 'number' ? f['timeout-ms'] : 3000,
      trace: f.trace === true,
      expect: e && {
        result: typeof e.result === 'string' ? (e.result as FlowResult) : undefined,
        at: typeof e.at === 'string' ? e.at : undefined,
        path: e.path === undefined ? undefined : asList(e.path),
        returnPath: e['return-path'] === undefined ? undefined : asList(e['return-path']),
        asymmetric: typeof e.asymmetric === 'boolean' ? e.asymmetric : undefined,
        ...(phasesOf(e) ? { phases: phasesOf(e) } : {}),
      },
      ...flowTiming(f),
    });
  });

  const runtime = runtimeOverride ?? ((data.runtime as RuntimeKind | undefined) ?? 'netns');
  return {
    lab: {
      name: String(data.name),
      file,
      dir,
      runtime,
      description: typeof data.description === 'string' ? data.description : undefined,
      nodes,
      links,
      flows,
      ...(Array.isArray(data.events) ? { events: normaliseEvents(data.events, problems) } : {}),
    },
    problems,
    complete: true,
  };
}
