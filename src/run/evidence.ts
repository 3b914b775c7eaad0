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

/** Raw texts and decoded captures -> the analysis's input. Pure. */
export function assembleEvidence(raw: RawEvidence): RunEvidence {
  const problemOf = (c: RawEvidence['captures'][number]) =>
    [c.stats.problem, c.readError, c.pcap?.truncated ? `capture file cut short: ${c.pcap.truncated}` : undefined].filter(Boolean).join('; ') || undefined;
  const points = raw.captures.filter((c) => c.stats.iface !== 'nflog');
  const nflog = raw.captures.filter((c) => c.stats.iface === 'nflog');
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
