/**
 * The start script of an exported node: what `up` does to a node, as a POSIX sh script that
 * containerlab (or clabernetes) runs with `exec` once the node's links exist. Every value from the
 * lab goes through `shq` (shell-quote.ts). It only replaces and restores, so running it twice (or
 * after asymlab configured the same node) changes nothing. Pure.
 */
import { labSysctls } from '../nodes/net-config.js';
import type { NodePlan } from '../plan/plan.js';
import { familyOf } from '../util/ip.js';
import { shq } from './shell-quote.js';

/** Where an exported node's own files are bound inside it. */
// Under /etc: a folder every image has, and one asymlab's netns runtime gives each node of its own
// (src/runtime/netns/node-fs.ts), so the exported file also runs on asymlab itself.
export const NODE_DIR = '/etc/asymlab';
/** The kernel's MTU for a veth; containerlab makes its veths 9500, so every interface is set. */
export const DEFAULT_MTU = 1500;
/** How long the script waits for each interface, and for an image's own FRR start: 60 s in 0.1 s steps. */
const WAIT_STEPS = 600;

export interface StartScriptInput {
  node: NodePlan;
  /** Ruleset files bound into the node (absolute paths inside it), each with the argv that loads it from stdin. */
  rulesets: { path: string; loadArgv: string[] }[];
}

/**
 * `net.ipv4.conf.eth1/100.rp_filter` -> `net/ipv4/conf/eth1.100/rp_filter`: sysctl(8)'s spelling,
 * where `/` in a key stands for a `.` in a name. Undefined for a key that is no plain path below
 * /proc/sys (an empty, `.` or `..` step), so nothing outside it can be written.
 */
export function sysctlPath(key: string): string | undefined {
  const steps = key.split('.').map((s) => s.replaceAll('/', '.'));
  if (steps[0] !== 'net' || steps.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  return steps.join('/');
}

const HEADER = `#!/bin/sh
# Written by \`asymlab export\`: brings this node up as \`asymlab up\` does (sysctls, addresses,
# MTUs, routes, the firewall ruleset, FRR). Running it again changes nothing.
set -eu

# Links come from containerlab (or clabernetes), perhaps a moment after the node starts.
wait_iface() {
  n=0
  while [ ! -e "/sys/class/net/$1" ]; do
    n=$((n + 1))
    if [ "$n" -gt ${WAIT_STEPS} ]; then printf 'asymlab start: interface %s never appeared\\n' "$1" >&2; exit 1; fi
    sleep 0.1
  done
}
# written only when it differs: a sysctl set already (by the runtime, at create) needs no write access
sysctl_w() { [ "$(cat "/proc/sys/$1" 2>/dev/null)" = "$2" ] || printf '%s\\n' "$2" > "/proc/sys/$1"; }
`;

const FRR = `
# FRR: the daemons /etc/frr/daemons enables, loading /etc/frr/frr.conf, unless they already run.
frr_up() { [ -s /var/run/frr/zebra.pid ] && kill -0 "$(cat /var/run/frr/zebra.pid)" 2>/dev/null; }
if ! frr_up; then
  if [ -x /usr/lib/frr/docker-start ]; then
    # an FRR image (quay.io/frrouting/frr) starts FRR itself from the same files: wait for it
    n=0
    while ! frr_up; do
      n=$((n + 1))
      if [ "$n" -gt ${WAIT_STEPS} ]; then echo 'asymlab start: FRR did not start' >&2; exit 1; fi
      sleep 0.1
    done
  else
    /usr/lib/frr/frrinit.sh start
  fi
fi
`;

/** Throws on a value no script may carry; the exporter turns it into an input problem. */
export class UnsafeValue extends Error {}

export function renderStartScript(input: StartScriptInput): string {
  const { node: n } = input;
  const node = n.node;
  const out: string[] = [HEADER];
  for (const i of node.interfaces) out.push(`wait_iface ${shq(i.name)}`);
  out.push(
    '',
    "# containerlab's management network (eth0) is not the lab's: no default route through it",
    'ip -4 route del default dev eth0 2>/dev/null || true',
    'ip -6 route del default dev eth0 2>/dev/null || true',
    '',
  );
  for (const [key, value] of Object.entries(labSysctls(n))) {
    const path = sysctlPath(key);
    if (path === undefined) throw new UnsafeValue(`sysctl '${key}' is not a net.* key below /proc/sys`);
    out.push(`sysctl_w ${shq(path)} ${shq(value)}`);
  }
  out.push('', 'ip link set dev lo up');
  const nodad = (a: string) => (familyOf(a) === 6 ? ' nodad' : '');
  for (const p of node.loopbacks) out.push(`ip addr replace ${shq(p)} dev lo${nodad(p)}`);
  for (const i of node.interfaces) {
    out.push(`ip link set dev ${shq(i.name)} mtu ${shq(String(i.mtu ?? DEFAULT_MTU))}`);
    for (const a of i.addresses) if (!i.selfAddresses?.includes(a)) out.push(`ip addr replace ${shq(a)} dev ${shq(i.name)}${nodad(a)}`);
    out.push(`ip link set dev ${shq(i.name)} up`);
  }
  // A node with FRR gets its static routes from staticd (frr.conf), as under `asymlab up`.
  if (!n.frr) {
    for (const r of node.routes) {
      out.push(`ip route replace ${shq(r.to)}${r.via ? ` via ${shq(r.via)}` : ''}${r.dev ? ` dev ${shq(r.dev)}` : ''}`);
    }
  }
  if (input.rulesets.length) out.push('');
  for (const r of input.rulesets) out.push(`${r.loadArgv.map(shq).join(' ')} < ${shq(r.path)}`);
  if (n.frr) out.push(FRR);
  return `${out.join('\n').trimEnd()}\n`;
}
