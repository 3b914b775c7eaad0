/**
 * `asymlab export LAB --to containerlab`: the lab as a containerlab topology that builds the same
 * network with no asymlab present, plus an asymlab file that extends it with what the proof needs.
 *
 *   <lab>.clab.yml              one `kind: linux` node per node (image, binds, exec), links as they are
 *   <lab>/<node>/start.sh       sysctls, addresses, MTUs, routes, the ruleset, FRR (start-script.ts)
 *   <lab>/<node>/frr.conf, daemons, vtysh.conf      routers
 *   <lab>/<node>/<backend>.<name>                   firewalls: the backend's rendered (or raw) rulesets
 *   <lab>.asymlab.yaml          extends <lab>.clab.yml: addresses, firewalls, sysctls and flows
 *
 * Only plain containerlab features are used (kind linux, image, binds, exec, link endpoints), so
 * containerlab, clabernetes and asymlab's containerlab compatibility all read it. Pure but for
 * reading the files the lab names.
 */
import { basename, isAbsolute, resolve } from 'node:path';
import { Document, isSeq, visit } from 'yaml';
import { inputError, type InputProblem } from '../errors.js';
import { rawRulesetOf } from '../firewall/registry.js';
import { planLab, type NodePlan } from '../plan/plan.js';
import { frrConfigOf } from '../services/frr/start.js';
import { MAX_CONFIG_BYTES, probeFile, readConfigFile, type FileProbe } from '../topology/file-ref.js';
import { readLabSource } from '../topology/source.js';
import type { Firewall, Lab, LabNode } from '../topology/types.js';
import { clabernetesProblems, CONTAINERLAB_SPECIAL_NODES, type BoundFile } from './clabernetes.js';
import { renderDaemonsFile, VTYSH_CONF } from './frr-files.js';
import { imageFor, type ImageChoice } from './images.js';
import { shq } from './shell-quote.js';
import { NODE_DIR, renderStartScript, UnsafeValue } from './start-script.js';
import { firewallYaml } from './firewall-yaml.js';

export interface ExportedFile {
  /** Relative to the export folder, `/`-separated. */
  path: string;
  content: string;
}

export interface LabExport {
  /** `<lab>.clab.yml` and `<lab>.asymlab.yaml`, relative to the export folder. */
  clabFile: string;
  asymlabFile: string;
  /** Every file, the two above included. */
  files: ExportedFile[];
}

export interface ExportOptions {
  images?: ImageChoice;
  /** Reads a file the lab names (a raw ruleset, a bind source): bounded, regular files only. */
  readFile?: (path: string, what: string) => Promise<string>;
  probe?: FileProbe;
  /** The lab file's own `flows:` (and `runtime:`) as written; read from lab.file by default. */
  raw?: Record<string, unknown>;
}

/** A name that becomes one folder of the export and part of a bind (`src:dst`): no separators, no `..`. */
const PATH_SAFE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const MGMT_IFACE = 'eth0';

interface NodeOut {
  clab: Record<string, unknown>;
  files: ExportedFile[];
  binds: BoundFile[];
}

async function exportNode(lab: Lab, n: NodePlan, opts: ExportOptions, problems: InputProblem[]): Promise<NodeOut | undefined> {
  const node = n.node;
  const at = `topology.nodes.${node.name}`;
  const problem = (path: string, message: string, hint?: string) => problems.push({ file: lab.file, path, message, ...(hint ? { hint } : {}) });
  if (!PATH_SAFE.test(node.name) || !PATH_SAFE.test(lab.name)) {
    problem(at, `node '${node.name}' of lab '${lab.name}' cannot name a folder of the export`, 'use letters, digits, -, _ and . in lab and node names');
    return undefined;
  }
  if (CONTAINERLAB_SPECIAL_NODES.includes(node.name)) {
    problem(at, `containerlab reads a link endpoint '${node.name}:IFACE' as a ${node.name} link, not as a node`, 'rename the node');
  }
  const mgmt = node.interfaces.find((i) => i.name === MGMT_IFACE);
  if (mgmt) problem(`${at}.interfaces.${MGMT_IFACE}`, `${MGMT_IFACE} is containerlab's management interface`, 'name the interface eth1 or later');
  const dir = `${lab.name}/${node.name}`;
  const files: ExportedFile[] = [];
  const binds: string[] = [];
  const bound: BoundFile[] = [];
  const bind = (name: string, content: string, target: string, source?: string) => {
    const path = `${dir}/${name}`;
    files.push({ path, content });
    binds.push(`${path}:${target}`);
    bound.push({ node: node.name, file: source ?? path, kind: 'file', sizeBytes: Buffer.byteLength(content) });
  };
  const read = opts.readFile ?? ((p: string, what: string) => readConfigFile(p, what));

  const rulesets: { path: string; loadArgv: string[] }[] = [];
  if (n.firewall) {
    const backend = n.firewall.backend;
    if (!backend.standalone) {
      problem(`${at}.firewall.backend`, `the ${backend.name} firewall backend cannot be exported: it does not say how its rulesets load without asymlab`, 'use the iptables backend for labs you export');
    } else {
      const raw = rawRulesetOf(node);
      const sets: [string, string, string?][] = raw
        ? [[backend.standalone.rawName, await read(raw.file, `${at}.${raw.key}`), raw.file]]
        : Object.entries(backend.render(node));
      for (const [name, text, source] of sets) {
        const file = `${backend.name}.${name}`;
        bind(file, text, `${NODE_DIR}/${file}`, source);
        rulesets.push({ path: `${NODE_DIR}/${file}`, loadArgv: backend.standalone.loadArgv(name) });
      }
    }
  }
  if (n.frr) {
    if (node.frrConfig !== undefined && n.frrConfigText === undefined) problem(`${at}.frr-config`, `cannot read ${node.frrConfig}`, 'check the path');
    else bind('frr.conf', await frrConfigOf(n), '/etc/frr/frr.conf', node.frrConfig);
    bind('daemons', renderDaemonsFile(n.daemons), '/etc/frr/daemons');
    bind('vtysh.conf', VTYSH_CONF, '/etc/frr/vtysh.conf');
  }
  try {
    bind('start.sh', renderStartScript({ node: n, rulesets }), `${NODE_DIR}/start.sh`);
  } catch (e) {
    if (!(e instanceof UnsafeValue)) throw e;
    problem(`${at}.sysctls`, e.message, 'use net.* sysctl keys');
  }
  // The lab's own binds (docker runtime): copied beside the node's files, each a plain file.
  const probe = opts.probe ?? probeFile;
  for (const [i, b] of node.binds.entries()) {
    const [host, target, ...mode] = b.split(':');
    const src = isAbsolute(host) ? host : resolve(lab.dir, host);
    const info = await probe(src);
    const name = `bind-${i + 1}-${basename(src)}`;
    if (info.kind !== 'file' || target === undefined || !PATH_SAFE.test(basename(src))) {
      bound.push({ node: node.name, file: src, kind: info.kind === 'directory' ? 'directory' : 'other', sizeBytes: info.sizeBytes });
      continue;
    }
    if (info.sizeBytes > MAX_CONFIG_BYTES) {
      bound.push({ node: node.name, file: src, kind: 'file', sizeBytes: info.sizeBytes });
      continue;
    }
    bind(name, await read(src, `${at}.binds[${i}]`), [target, ...mode].join(':'), src);
  }
  const exec = [`sh ${NODE_DIR}/start.sh`, ...node.exec.map((c) => `sh -c ${shq(c)}`)];
  return { clab: { kind: 'linux', image: imageFor(node, opts.images ?? { byKind: {} }), binds, exec }, files, binds: bound };
}

/** What the proof needs of a node that the containerlab file builds: who owns which address, MTUs, sysctls, the firewall. */
function asymlabNode(node: LabNode, dir: string, n: NodePlan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Addresses the node puts on itself (its exec lines, its FRR config) stay its own: the exported
  // topology keeps those lines, and asymlab learns them from there again.
  const addressed = node.interfaces.map((i) => ({ ...i, addresses: i.addresses.filter((a) => !i.selfAddresses?.includes(a)) })).filter((i) => i.addresses.length);
  if (addressed.length) out.interfaces = Object.fromEntries(addressed.map((i) => [i.name, i.addresses.length === 1 ? i.addresses[0] : i.addresses]));
  if (node.loopbacks.length) out.loopbacks = node.loopbacks;
  const mtus = node.interfaces.filter((i) => i.mtu !== undefined);
  if (mtus.length) out.mtu = Object.fromEntries(mtus.map((i) => [i.name, i.mtu]));
  if (Object.keys(node.sysctls).length) out.sysctls = node.sysctls;
  const raw = rawRulesetOf(node);
  if (raw && n.firewall?.backend.standalone) out[raw.key] = `${dir}/${n.firewall.backend.name}.${n.firewall.backend.standalone.rawName}`;
  else if (node.firewall) out.firewall = firewallYaml(node.firewall as Firewall);
  return out;
}

function yamlText(data: unknown, comment: string): string {
  const doc = new Document(data);
  doc.commentBefore = comment;
  // `endpoints: ["a:eth1", "b:eth1"]`, as containerlab's own examples write them
  visit(doc, { Pair: (_k, pair) => void (isSeq(pair.value) && String((pair.key as { value?: unknown })?.value) === 'endpoints' && (pair.value.flow = true)) });
  return doc.toString({ lineWidth: 0 });
}

export async function exportLab(lab: Lab, opts: ExportOptions = {}): Promise<LabExport> {
  const plan = planLab(lab);
  const problems: InputProblem[] = [];
  const clabFile = `${lab.name}.clab.yml`;
  const asymlabFile = `${lab.name}.asymlab.yaml`;
  const nodes: Record<string, Record<string, unknown>> = {};
  const asymNodes: Record<string, unknown> = {};
  const files: ExportedFile[] = [];
  const binds: BoundFile[] = [];
  for (const n of plan.nodes) {
    const out = await exportNode(lab, n, opts, problems);
    if (!out) continue;
    nodes[n.node.name] = out.clab;
    files.push(...out.files);
    binds.push(...out.binds);
    asymNodes[n.node.name] = asymlabNode(n.node, `${lab.name}/${n.node.name}`, n);
  }
  const links = lab.links.map((l) => ({ endpoints: l.endpoints.map((e) => `${e.node}:${e.iface}`) }));
  const clab = { name: lab.name, topology: { nodes, links } };
  problems.push(...clabernetesProblems(clabFile, clab, binds));
  if (problems.length) throw inputError(problems);

  const raw = opts.raw ?? (await readLabSource(lab.file, undefined, { allowOutsidePaths: true })).data;
  const asymlab: Record<string, unknown> = {
    name: lab.name,
    ...(lab.description ? { description: lab.description } : {}),
    extends: clabFile,
    ...(typeof raw.runtime === 'string' ? { runtime: raw.runtime } : {}),
    topology: { nodes: asymNodes },
    ...(Array.isArray(raw.events) ? { events: raw.events } : {}),
    ...(Array.isArray(raw.flows) ? { flows: raw.flows } : {}),
  };
  const header = ` Exported by \`asymlab export\` from lab ${lab.name}: deploy with \`containerlab deploy -t ${clabFile}\`.\n Every node runs ${NODE_DIR}/start.sh; ${asymlabFile} holds the flows (docs/scale-out.md).`;
  files.unshift(
    { path: clabFile, content: yamlText(clab, header) },
    {
      path: asymlabFile,
      content: yamlText(asymlab, ` The flows of lab ${lab.name}, and what asymlab's proof needs to know of the network ${clabFile} builds:\n who owns which address, MTUs, sysctls and firewalls. \`asymlab run ${asymlabFile} --attach\` proves them on a deployment.`),
    },
  );
  return { clabFile, asymlabFile, files };
}
