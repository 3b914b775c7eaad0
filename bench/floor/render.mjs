/**
 * Writes what the floor (floor.sh) and the Mininet peer (bench/peers/) build a lab from, rendered by
 * asymlab's own code so all three run the same thing: each node's sysctls and `ip -batch`
 * (src/nodes/net-config.ts), the veth lines with the plan's MACs (src/runtime/host-net.ts), each
 * router's FRR files and daemon command lines exactly as src/services/frr/start.ts writes and runs
 * them (per-daemon configs from src/render/frr.ts, `-d -N <ns> -A 127.0.0.1 -F traditional -f ...`
 * plus the catalogue's own flags), and the routes `up` waits for (src/lab/converge.ts).
 * These are asymlab internals, not its public API: the floor must be the same lab, byte for byte.
 *
 * Namespaces and FRR pathspaces are `<nsPrefix>-<node>`, never asymlab_*: no asymlab command takes
 * them for a lab of its own.
 */
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadLab, planLab } from 'asymlab';
import { expectations } from '../../dist/lab/converge.js';
import { labSysctls, renderNetBatch } from '../../dist/nodes/net-config.js';
import { renderFrr, renderFrrDaemons } from '../../dist/render/frr.js';
import { isBatchWord, netArgv, renderLinkBatch } from '../../dist/runtime/host-net.js';
import { daemonSpec } from '../../dist/services/frr/catalogue.js';
import { frrPaths } from '../../dist/services/frr/paths.js';
import { allRoutes } from '../lib/chain-lab.mjs';

export async function renderFloor(labFile, nsPrefix, dir) {
  const plan = planLab(await loadLab(labFile));
  if (plan.nodes.some((n) => n.node.frrConfig || n.firewall || n.node.exec.length)) throw new Error('the floor builds chains of rendered FRR routers and hosts only');
  // The same plan, every node in a namespace named for the floor.
  const nodes = plan.nodes.map((n) => ({ ...n, ns: `${nsPrefix}-${n.node.name}` }));
  const floorPlan = { ...plan, nodes };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'ip'), { recursive: true });
  const up = nodes.map((n) => `netns add ${n.ns}\n`);
  up.push(...renderLinkBatch(floorPlan));
  const manifest = { lab: plan.lab.name, routers: nodes.filter((n) => n.frr).length, nodes: [], links: [], ...routesOf(plan) };
  for (const n of nodes) {
    const sysctls = Object.entries(labSysctls(n)).map(([k, v]) => `${k}=${v}`);
    const batchFile = join(dir, 'ip', `${n.ns}.batch`);
    if (![n.ns, batchFile, ...sysctls].every(isBatchWord)) throw new Error(`${n.node.name}: a name, path or sysctl the floor's ip -batch cannot carry`);
    writeFileSync(batchFile, renderNetBatch(n));
    up.push(`netns exec ${n.ns} sysctl -q -w ${sysctls.join(' ')}\n`, `netns exec ${n.ns} ip -batch ${batchFile}\n`);
    const entry = {
      name: n.node.name,
      ns: n.ns,
      sysctls,
      loopbacks: n.node.loopbacks,
      interfaces: n.node.interfaces.map((i) => ({ name: i.name, addresses: i.addresses, mac: n.macs[i.name] })),
    };
    if (n.frr) Object.assign(entry, renderRouter(n, dir));
    manifest.nodes.push(entry);
  }
  manifest.links = plan.lab.links.map(({ endpoints: [a, b] }) => ({ a: { node: a.node, iface: a.iface }, b: { node: b.node, iface: b.iface } }));
  writeFileSync(join(dir, 'up.batch'), up.join(''));
  writeFileSync(join(dir, 'down.batch'), nodes.map((n) => `netns del ${n.ns}\n`).join(''));
  writeFileSync(join(dir, 'routers'), nodes.filter((n) => n.frr).map((n) => `${n.ns}\n`).join(''));
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

/** frr's uid and gid: the daemons drop to it and must own their folders. */
const frrIds = () => ({ uid: Number(execFileSync('id', ['-u', 'frr'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'frr'], { encoding: 'utf8' })) });

/**
 * A router's FRR files (as startFrr writes them) into dir/frr/<ns>/, and a copy of its config and run
 * folders, owned by frr, under dir/etc/<ns> and dir/run/<ns>: the floor puts every router's in place
 * with one `cp -a`. Returns its daemons' argv in start order.
 */
function renderRouter(n, dir) {
  const layout = frrPaths({ filesystem: 'shared-host' }, n);
  const ids = frrIds();
  const perDaemon = renderFrrDaemons(n.node);
  const files = {
    'frr.conf': renderFrr(n.node),
    'vtysh.conf': `service integrated-vtysh-config\nhostname ${n.node.name}\n`,
    ...Object.fromEntries(n.daemons.map((d) => [`${d}.conf`, perDaemon[d] ?? ''])),
  };
  const src = join(dir, 'frr', n.ns);
  mkdirSync(src, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(src, f), text);
  for (const [base, names] of [['etc', Object.keys(files)], ['run', []]]) {
    const into = join(dir, base, n.ns);
    mkdirSync(into, { recursive: true });
    chownSync(into, ids.uid, ids.gid);
    for (const f of names) {
      writeFileSync(join(into, f), files[f]);
      chownSync(join(into, f), ids.uid, ids.gid);
    }
  }
  const daemons = n.daemons.map((d) => [`${layout.daemonDir}/${d}`, '-d', '-N', layout.pathspace, '-A', '127.0.0.1', '-F', 'traditional', '-f', `${layout.confDir}/${d}.conf`, ...(daemonSpec(d).args ?? [])]);
  // In the namespace as the netns runtime runs them (`ip netns exec NS ...`); zebra first, as startFrr:
  // a client daemon started before zebra's socket exists registers nothing.
  writeFileSync(join(src, 'start'), daemons.map((argv) => `${netArgv(n.ns, argv).join(' ')}\n`).join(''));
  return { confDir: layout.confDir, runDir: layout.runDir, files: src, daemons };
}

function routesOf(plan) {
  return { expected: expectations(plan).routes.map((r) => ({ node: r.node, prefix: r.prefix })), all: allRoutes(plan) };
}
