import type { ConnectionRecord, LabView, RunEvidence } from '../analysis/types.js';
import { parseConntrack } from '../analysis/parse-conntrack.js';
import { kernelCounters, nodeRoutes } from '../analysis/parse-counters.js';
import { firewallCounters } from '../firewall/counters.js';
import type { CaptureStats } from '../capture/capture.js';
import type { NodeSnapshot } from '../capture/snapshot.js';
import type { LabPlan } from '../plan/plan.js';
import type { PcapFile } from '../pcap/types.js';

/** The lab as the analysis sees it: MACs, addresses and wiring. Pure. */
export function labView(plan: LabPlan): LabView {
  return {
    nodes: plan.nodes.map((n) => ({
      name: n.node.name,
      kind: n.node.kind,
      interfaces: n.node.interfaces.map((i) => ({ name: i.name, mac: n.macs[i.name], addresses: i.addresses, ...(i.mtu !== undefined ? { mtu: i.mtu } : {}) })),
      loopbacks: n.node.loopbacks,
    })),
    links: plan.lab.links.map((l) => ({ a: l.endpoints[0], b: l.endpoints[1] })),
  };
}

export interface RawEvidence {
  plan: LabPlan;
  captures: { stats: CaptureStats; pcap?: PcapFile; readError?: string }[];
  before: NodeSnapshot[];
  after: NodeSnapshot[];
  conntrackEvents: { node: string; text: string }[];
  connections: ConnectionRecord[];
}

/**
 * Every lab interface is an Ethernet veth: a capture of another link type is of something else
 * (libpcap takes some device names, such as `nflog` or `any`, for its own sources).
 */
function notTheInterface(c: RawEvidence['captures'][number]): string | undefined {
  if (c.stats.kind !== 'interface' || c.pcap === undefined || c.pcap.linkType === 'ethernet') return undefined;
  return `tcpdump -i ${c.stats.iface} did not capture the interface: the file's link type is ${c.pcap.linkType} (${c.pcap.linkTypeCode}), not Ethernet`;
}

/** Raw texts and decoded captures -> the analysis's input. Pure. */
export function assembleEvidence(raw: RawEvidence): RunEvidence {
  const problemOf = (c: RawEvidence['captures'][number]) =>
    [c.stats.problem, c.readError, c.pcap?.truncated ? `capture file cut short: ${c.pcap.truncated}` : undefined, notTheInterface(c)].filter(Boolean).join('; ') || undefined;
  // The capture's kind says what it holds; an interface may well be named `nflog`.
  const points = raw.captures.filter((c) => c.stats.kind === 'interface');
  const nflog = raw.captures.filter((c) => c.stats.kind === 'nflog');
  const before = new Map(raw.before.map((s) => [s.node, s]));
  return {
    lab: labView(raw.plan),
    captures: points.map((c) => ({
      node: c.stats.node,
      iface: c.stats.iface,
      file: c.stats.file,
      packets: c.pcap?.packets ?? [],
      droppedByKernel: c.stats.droppedByKernel + c.stats.droppedByInterface,
      problem: problemOf(c),
    })),
    nflog: nflog.map((c) => ({ node: c.stats.node, file: c.stats.file, packets: c.pcap?.packets ?? [], droppedByKernel: c.stats.droppedByKernel })),
    conntrack: [
      ...raw.conntrackEvents.flatMap((e) => parseConntrack(e.node, e.text)),
      ...raw.after.filter((s) => s.conntrack).flatMap((s) => parseConntrack(s.node, s.conntrack!)),
    ],
    counters: raw.after.flatMap((s) => firewallCounters(s.node, before.get(s.node), s)),
    kernel: raw.after.map((s) => kernelCounters(s.node, before.get(s.node)?.proc ?? '', s.proc)),
    routes: raw.after.map((s) => nodeRoutes(s.node, [s.routesV4 ?? '[]', s.routesV6 ?? '[]'], s.rpFilter ?? '')),
    connections: raw.connections,
  };
}
