import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mapLimit } from '../lab/events.js';
import { labFolder } from '../lab/state.js';
import type { LabPlan, NodePlan } from '../plan/plan.js';
import { isBatchWord, runNetSetups, type NetSetup } from '../runtime/host-net.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Runner } from '../util/exec.js';
import { familyOf } from '../util/ip.js';

/** The `ip -batch` of one node: lo and stub prefixes, interfaces and addresses, kernel routes. */
export function renderNetBatch(n: NodePlan): string {
  const node = n.node;
  const lines = ['link set lo up'];
  for (const p of node.loopbacks) lines.push(`addr add ${p} dev lo${familyOf(p) === 6 ? ' nodad' : ''}`);
  for (const i of node.interfaces) {
    // addresses the node puts on itself (its exec lines, its FRR config) are left to it
    for (const a of i.addresses) if (!i.selfAddresses?.includes(a)) lines.push(`addr add ${a} dev ${i.name}${familyOf(a) === 6 ? ' nodad' : ''}`);
    if (i.mtu !== undefined) lines.push(`link set dev ${i.name} mtu ${i.mtu}`);
    lines.push(`link set ${i.name} up`);
  }
  // Nodes with FRR get their static routes from staticd, so BGP can redistribute them.
  if (!n.frr) {
    for (const r of node.routes) {
      lines.push(`route replace ${r.to}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`);
    }
  }
  return lines.map((l) => `${l}\n`).join('');
}

/**
 * No duplicate address detection in a lab: every address is unique by validation, and DAD holds
 * IPv6 neighbour discovery back for 1-2 s after an interface comes up (IPv6 flows timed out).
 * Both `all` and each interface must say 0; the user's own sysctls come after and win.
 */
export function labSysctls(n: NodePlan): Record<string, string> {
  const out: Record<string, string> = { 'net.ipv6.conf.all.accept_dad': '0', 'net.ipv6.conf.default.accept_dad': '0' };
  for (const i of n.node.interfaces) out[`net.ipv6.conf.${i.name.replace(/\./g, '/')}.accept_dad`] = '0';
  // A node with IPv6 addresses needs IPv6 on: docker starts containers with it disabled, and a
  // veth moved into one takes that default. `all` reaches every interface already there.
  const v6 = [...n.node.loopbacks, ...n.node.interfaces.flatMap((i) => i.addresses)].some((a) => familyOf(a) === 6);
  if (v6) Object.assign(out, { 'net.ipv6.conf.all.disable_ipv6': '0', 'net.ipv6.conf.default.disable_ipv6': '0' });
  return { ...out, ...n.node.sysctls };
}

/**
 * Sysctls first (forwarding, rp_filter, DAD), then addresses and routes in one `ip -batch`. Only
 * `net.` keys: they are per namespace. Links come from the runtime (Runtime.createLinks).
 */
export async function configureNode(runtime: Runtime, n: NodePlan): Promise<void> {
  const sysctls = sysctlWords(n);
  if (sysctls.length) await runtime.exec(n, ['sysctl', '-q', '-w', ...sysctls], { context: 'net' });
  await runtime.exec(n, ['ip', '-batch', '-'], { context: 'net', input: renderNetBatch(n) });
}

const sysctlWords = (n: NodePlan) => Object.entries(labSysctls(n)).map(([k, v]) => `${k}=${v}`);

/**
 * Host `ip -batch` processes run at once. 200 hosts, sysctls and addresses (2 cores): one batch
 * 1.1 s, four 0.6 s, against 1.2 s for two spawns a node from Node.
 */
const PARALLEL_BATCHES = 4;

/** ip takes at most 512 words a line. */
const MAX_SYSCTLS = 400;

/**
 * configureNode for every node of a plan with few processes started from Node: each node's
 * `ip -batch` goes to a file under `dir` (default: the lab's state folder; removed after), and a few host `ip -batch` run, per node, `sysctl -w` and
 * `ip -batch FILE` in its namespace (host-net.ts). Both runtimes name every node's namespace on the
 * host, so this is their `net` context. A node whose sysctl values ip's line splitter would take
 * apart (blanks, quotes, `#`) is configured as before, argv by argv.
 */
export async function configureNodes(runtime: Runtime, run: Runner, plan: LabPlan, dir = join(labFolder(plan.lab.name), 'net')): Promise<void> {
  const nodes = plan.nodes;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    const setups: NetSetup[] = [];
    const others: NodePlan[] = [];
    for (const n of nodes) {
      const sysctls = sysctlWords(n);
      const batchFile = join(dir, `${n.ns}.ip`);
      if (sysctls.length <= MAX_SYSCTLS && [n.ns, batchFile, ...sysctls].every(isBatchWord)) setups.push({ ns: n.ns, node: n.node.name, sysctls, batchFile });
      else others.push(n);
    }
    const byNs = new Map(nodes.map((n) => [n.ns, n]));
    await Promise.all(setups.map((s) => writeFile(s.batchFile, renderNetBatch(byNs.get(s.ns)!))));
    await Promise.all([runNetSetups(run, setups, PARALLEL_BATCHES), mapLimit(others, PARALLEL_BATCHES, (n) => configureNode(runtime, n))]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
