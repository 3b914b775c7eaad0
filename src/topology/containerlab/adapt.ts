/**
 * containerlab's dialect, read into asymlab's: a containerlab topology file loads as a lab as it
 * is. Keys asymlab cannot honour are taken out with one warning each (never an error), link forms
 * asymlab has no use for are turned into its own (endpoint maps, ipv4/ipv6 lists), and what cannot
 * be emulated is one clear problem. Pure: the merged document in, an asymlab document out.
 */
import type { InputProblem } from '../../errors.js';
import { CONTAINERLAB_KINDS } from '../../kinds/containerlab.js';
import type { LabDialect } from '../../kinds/registry.js';
import { isMap, type Json } from '../merge.js';
import { byKey, ENDPOINT_KEYS, LAB_KEYS, LINK_KEYS, NODE_KEYS, type ContainerlabKey } from './keys.js';

type Raw = Record<string, Json>;

export type Dialect = LabDialect;

/** A containerlab topology file by name: `*.clab.yml` or `*.clab.yaml`. */
export const CLAB_FILE_RE = /\.clab\.ya?ml$/i;

const NODE = byKey(NODE_KEYS);
const LAB = byKey(LAB_KEYS);
const LINK = byKey(LINK_KEYS);
const ENDPOINT = byKey(ENDPOINT_KEYS);
/** Node keys asymlab's own format has too (they are no sign of the dialect). */
const SHARED_NODE_KEYS = new Set(['image', 'kind', 'group', 'exec', 'binds', 'env', 'labels', 'sysctls', 'startup-config']);
const SHARED_LAB_KEYS = new Set(['name', 'prefix', 'mgmt', 'topology']);
const CLAB_KIND_NAMES = new Set(CONTAINERLAB_KINDS.map((k) => k.name));
/** Endpoint "nodes" containerlab keeps for itself: the machine, its management network, a macvlan on a host interface. */
const SPECIAL_ENDPOINTS: Record<string, string> = {
  host: "containerlab's host:IFACE endpoint puts the interface in the machine's own network namespace, which asymlab never does",
  'mgmt-net': "containerlab's mgmt-net:IFACE endpoint joins the management bridge; asymlab gives nodes no management network",
  macvlan: "containerlab's macvlan:IFACE endpoint reaches a host interface; asymlab never puts a lab interface in the host's namespace",
};

/** The node maps of a topology: defaults, each kind's and group's, each node's, with their dot-paths. */
function nodeMaps(topology: Raw): { path: string; map: Raw }[] {
  const out: { path: string; map: Raw }[] = [];
  if (isMap(topology.defaults)) out.push({ path: 'topology.defaults', map: topology.defaults });
  for (const section of ['kinds', 'groups', 'nodes'] as const) {
    const s = topology[section];
    if (!isMap(s)) continue;
    for (const [name, v] of Object.entries(s)) if (isMap(v)) out.push({ path: `topology.${section}.${name}`, map: v });
  }
  return out;
}

/**
 * Whether a lab is in containerlab's dialect: a file of its `extends` chain is named *.clab.yml,
 * or it uses a key or a kind only containerlab has.
 */
export function dialectOf(files: string[], data: Raw): Dialect {
  if (files.some((f) => CLAB_FILE_RE.test(f))) return 'containerlab';
  if (Object.keys(data).some((k) => LAB.has(k) && !SHARED_LAB_KEYS.has(k))) return 'containerlab';
  const topology = isMap(data.topology) ? data.topology : {};
  if (isMap(topology.kinds) && Object.keys(topology.kinds).some((k) => CLAB_KIND_NAMES.has(k))) return 'containerlab';
  for (const { map } of nodeMaps(topology)) {
    if (typeof map.kind === 'string' && CLAB_KIND_NAMES.has(map.kind)) return 'containerlab';
    if (Object.keys(map).some((k) => NODE.has(k) && !SHARED_NODE_KEYS.has(k))) return 'containerlab';
  }
  const links = Array.isArray(topology.links) ? topology.links : [];
  if (links.some((l) => isMap(l) && (l.type !== undefined || l.ipv4 !== undefined || l.ipv6 !== undefined || (Array.isArray(l.endpoints) && l.endpoints.some(isMap))))) return 'containerlab';
  return 'asymlab';
}

export interface Adapted {
  data: Raw;
  warnings: InputProblem[];
  problems: InputProblem[];
  /** Paths whose later problems the ones above already explain. */
  covered: string[];
}

/** One warning per ignored key, at its first place, naming the others. */
class Ignored {
  private seen = new Map<string, { first: string; more: number; entry: ContainerlabKey; scope: string }>();
  add(scope: string, entry: ContainerlabKey, path: string): void {
    const id = `${scope}\0${entry.key}`;
    const s = this.seen.get(id);
    if (s) s.more++;
    else this.seen.set(id, { first: path, more: 0, entry, scope });
  }
  warnings(): InputProblem[] {
    return [...this.seen.values()].map((s) => ({
      path: s.first,
      message: `containerlab ${s.scope} key '${s.entry.key}' is ignored${s.more ? ` (here and in ${s.more} more place${s.more > 1 ? 's' : ''})` : ''}: ${s.entry.does}`,
      hint: 'see docs/containerlab.md',
    }));
  }
}

const clone = (v: Json): Json => (v === null || typeof v !== 'object' ? v : Array.isArray(v) ? v.map(clone) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])));

/** Values a containerlab file may write as numbers or booleans where asymlab's format takes strings. */
const text = (v: Json): Json => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v);

function adaptNode(map: Raw, path: string, ignored: Ignored): void {
  for (const key of Object.keys(map)) {
    const entry = NODE.get(key);
    if (!entry || entry.honoured) continue;
    ignored.add('node', entry, `${path}.${key}`);
    delete map[key];
  }
  if (isMap(map.env)) map.env = Object.fromEntries(Object.entries(map.env).map(([k, v]) => [k, text(v)]));
}

/** Adds an address from a link's ipv4/ipv6 to a node's interface, as its `interfaces:` would. */
function addAddress(topology: Raw, node: string, iface: string, address: string): void {
  const nodes = isMap(topology.nodes) ? topology.nodes : undefined;
  const n = nodes?.[node];
  if (!isMap(n) || !address) return;
  const ifaces = isMap(n.interfaces) ? n.interfaces : (n.interfaces = {});
  const have = ifaces[iface];
  ifaces[iface] = have === undefined || have === null ? [address] : [...(Array.isArray(have) ? have : [have]), address];
}

function adaptLink(topology: Raw, link: Raw, i: number, out: Adapted, ignored: Ignored): void {
  const path = `topology.links[${i}]`;
  const refuse = (at: string, message: string, hint: string) => {
    out.problems.push({ path: at, message, hint });
    out.covered.push(path);
    for (const k of Object.keys(link)) delete link[k];
  };
  const type = link.type;
  if (type !== undefined && type !== 'veth') {
    refuse(`${path}.type`, `link type '${String(type)}' cannot be emulated: it reaches outside the lab (the machine, its management network, another machine, or a single-ended dummy)`, 'join two nodes of the lab with a veth link: endpoints: ["a:eth1", "b:eth1"]');
    return;
  }
  delete link.type;
  for (const key of Object.keys(link)) {
    const entry = LINK.get(key);
    if (!entry || entry.honoured) continue;
    ignored.add('link', entry, `${path}.${key}`);
    delete link[key];
  }
  const eps = Array.isArray(link.endpoints) ? link.endpoints : [];
  const ends = eps.map((ep, j): { node: string; iface: string } | undefined => {
    if (typeof ep === 'string') {
      const k = ep.lastIndexOf(':');
      return k < 0 ? undefined : { node: ep.slice(0, k), iface: ep.slice(k + 1) };
    }
    if (!isMap(ep)) return undefined;
    for (const key of Object.keys(ep)) {
      const entry = ENDPOINT.get(key);
      if (entry && !entry.honoured) ignored.add('endpoint', entry, `${path}.endpoints[${j}].${key}`);
    }
    const end = { node: String(ep.node ?? ''), iface: String(ep.interface ?? '') };
    for (const fam of ['ipv4', 'ipv6'] as const) if (typeof ep[fam] === 'string') addAddress(topology, end.node, end.iface, ep[fam] as string);
    eps[j] = `${end.node}:${end.iface}`;
    return end;
  });
  const nodes = isMap(topology.nodes) ? topology.nodes : {};
  for (const [j, end] of ends.entries()) {
    const why = end && !(end.node in nodes) ? SPECIAL_ENDPOINTS[end.node] : undefined;
    if (why) {
      refuse(`${path}.endpoints[${j}]`, `endpoint '${end!.node}:${end!.iface}': ${why}`, 'join two nodes of the lab; stand in a `kind: linux` node for what was outside');
      return;
    }
  }
  for (const fam of ['ipv4', 'ipv6'] as const) {
    const list = link[fam];
    delete link[fam];
    if (!Array.isArray(list)) continue;
    list.forEach((a, j) => ends[j] && typeof a === 'string' && addAddress(topology, ends[j]!.node, ends[j]!.iface, a));
  }
}

/**
 * The document in asymlab's dialect. A lab already in it passes through untouched but for the
 * keys asymlab accepts only for containerlab's sake (prefix, mgmt, labels), which warn.
 */
export function adaptContainerlab(data: Raw): Adapted {
  const out: Adapted = { data: clone(data) as Raw, warnings: [], problems: [], covered: [] };
  const ignored = new Ignored();
  for (const key of Object.keys(out.data)) {
    const entry = LAB.get(key);
    if (!entry || entry.honoured) continue;
    ignored.add('top-level', entry, key);
    delete out.data[key];
  }
  const topology = isMap(out.data.topology) ? out.data.topology : undefined;
  if (topology) {
    for (const { path, map } of nodeMaps(topology)) adaptNode(map, path, ignored);
    if (Array.isArray(topology.links)) topology.links.forEach((l, i) => isMap(l) && adaptLink(topology, l, i, out, ignored));
  }
  out.warnings = ignored.warnings();
  return out;
}
