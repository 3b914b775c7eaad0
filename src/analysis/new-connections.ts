/**
 * "New connections worked after N ms while old ones died": a long-lived flow whose session broke
 * is compared with the other flows of the run that go the same way (same client, destination,
 * port and protocol) and started later: the first of their connections that worked after the
 * event that broke the session, how long after it, and by which path. Both flows get the finding.
 * Pure.
 */
import type { Flow } from '../topology/types.js';
import type { FlowVerdict, Timeline } from './types.js';

const sameWay = (a: Flow, b: Flow) => a.from === b.from && a.toAddress === b.toAddress && a.toPort === b.toPort && (a.protocol ?? 'tcp') === (b.protocol ?? 'tcp');

export function newConnectionFindings(flows: Flow[], verdicts: FlowVerdict[], timeline: Timeline | undefined): void {
  if (!timeline) return;
  const t0 = timeline.t0;
  flows.forEach((lf, i) => {
    const lv = verdicts[i];
    const phases = lv.phases;
    if (!phases?.length || phases[phases.length - 1].result === 'delivered') return;
    const broke = phases.find((p, k) => k > 0 && p.result !== 'delivered' && phases[k - 1].result === 'delivered');
    const cause = broke?.after;
    if (!broke || !cause) return;
    const last = phases[phases.length - 1].name;
    let first: { n: number; at: number; flow: Flow; ok: number; total: number; via: string[] } | undefined;
    flows.forEach((nf, j) => {
      if (j === i || !sameWay(lf, nf) || (nf.startMs ?? 0) <= (lf.startMs ?? 0)) return;
      const nv = verdicts[j];
      const worked = nv.connections
        .filter((c) => c.outcome === 'connected')
        .map((c) => ({ c, at: (c.startedAt - t0) * 1000 + (c.connectMs ?? 0) }))
        .filter((x) => x.at >= cause.atMs)
        .sort((a, b) => a.at - b.at)[0];
      if (!worked) return;
      const n = Math.round(worked.at - cause.atMs);
      nv.findings = [...(nv.findings ?? []), `a new connection worked ${n} ms after ${cause.label}, while the older session '${lf.name}' died (${last})`];
      if (first && first.n <= n) return;
      const opening = nv.packets.find((p) => p.attempt === worked.c.attempt && p.direction === 'forward');
      const via = [...new Set((opening?.sightings ?? []).map((s) => s.node))];
      first = { n, at: worked.at, flow: nf, ok: nv.connections.filter((c) => c.outcome === 'connected').length, total: nv.connections.length, via };
    });
    if (!first) return;
    lv.findings = [
      ...(lv.findings ?? []),
      `new connections worked after ${first.n} ms while this one died: flow '${first.flow.name}' connected at +${Math.round(first.at)} ms, ${first.n} ms after ${cause.label}${first.via.length ? `, via ${first.via.join(' → ')}` : ''} (${first.ok}/${first.total} of its connections worked); this session ended ${last}`,
    ];
  });
}
