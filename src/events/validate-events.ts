/**
 * Rules over `events:` and the timing keys of flows, on the normalised lab: each event names a
 * link, node or BGP neighbour the lab has, happens while some flow runs, and takes its object from
 * one state to the other (no link goes down twice); a long-lived flow is one connection, and its
 * expected phases lie inside its life without overlapping. Every problem is collected. Pure.
 */
import type { InputProblem } from '../errors.js';
import { canonicalAddress, isAddress } from '../util/ip.js';
import type { Flow, Lab, ScheduledEvent } from '../topology/types.js';

/** A long-lived flow sends at most this many messages (duration / interval). */
export const MAX_MESSAGES = 10_000;

const list = (items: string[], max = 8) => (items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', '));

/** When a flow runs on the events' clock: a long-lived one for its duration, a short one at most count × timeout. */
export function flowSpan(f: Flow): { fromMs: number; toMs: number } {
  const fromMs = f.startMs ?? 0;
  return { fromMs, toMs: fromMs + (f.durationMs ?? f.count * f.timeoutMs) };
}

/** What an event acts on, for the state rule: the same key for its down and its up. */
function subjectOf(e: ScheduledEvent): { key: string; on: boolean; what: string } | undefined {
  switch (e.kind) {
    case 'link': {
      const [a, b] = e.endpoints.map((x) => `${x.node}:${x.iface}`).sort();
      return { key: `link ${a} ${b}`, on: e.state === 'up', what: `link ${a}–${b}` };
    }
    case 'node':
      return { key: `node ${e.node}`, on: e.action === 'start', what: `node ${e.node}` };
    case 'bgp':
      return { key: `bgp ${e.node} ${canonicalAddress(e.neighbor)}`, on: e.action === 'enable', what: `${e.node}'s BGP neighbour ${e.neighbor}` };
    default:
      return undefined;
  }
}

function names(lab: Lab, e: ScheduledEvent, out: InputProblem[]): void {
  const path = `events[${e.index}]`;
  const nodes = new Map(lab.nodes.map((n) => [n.name, n]));
  const nodeHint = `nodes: ${list([...nodes.keys()], 20)}`;
  if (e.kind === 'link') {
    for (const [j, ep] of e.endpoints.entries()) {
      if (!ep.node || !ep.iface) out.push({ path: `${path}.link[${j}]`, message: `'${ep.node}${ep.iface ? `:${ep.iface}` : ''}' is not of the form node:interface`, hint: 'write e.g. "ce-er:eth2"' });
      else if (!nodes.has(ep.node)) out.push({ path: `${path}.link[${j}]`, message: `node '${ep.node}' is not defined`, hint: nodeHint });
    }
    if (out.some((p) => p.path.startsWith(`${path}.link`))) return;
    const [a, b] = e.endpoints;
    const same = (x: { node: string; iface: string }, y: { node: string; iface: string }) => x.node === y.node && x.iface === y.iface;
    const found = lab.links.some((l) => (same(l.endpoints[0], a) && same(l.endpoints[1], b)) || (same(l.endpoints[0], b) && same(l.endpoints[1], a)));
    if (!found) {
      const of = lab.links.filter((l) => l.endpoints.some((x) => x.node === a.node)).map((l) => `[${l.endpoints.map((x) => `${x.node}:${x.iface}`).join(', ')}]`);
      out.push({ path: `${path}.link`, message: `no link joins ${a.node}:${a.iface} and ${b.node}:${b.iface}`, hint: of.length ? `links of ${a.node}: ${list(of)}` : `${a.node} is in no link` });
    }
    return;
  }
  const node = nodes.get(e.node);
  const nodePath = e.kind === 'bgp' ? `${path}.bgp.node` : `${path}.node`;
  if (!node) {
    out.push({ path: nodePath, message: `node '${e.node}' is not defined`, hint: nodeHint });
    return;
  }
  if (e.kind === 'bgp') {
    if (!node.bgp) {
      out.push({ path: nodePath, message: `${e.node} has no bgp: section, so no neighbour to ${e.action}`, hint: node.frrConfig ? 'a raw frr-config is not read for neighbours: change it with an exec event running vtysh' : 'name a node with bgp: neighbors' });
      return;
    }
    const want = isAddress(e.neighbor) ? canonicalAddress(e.neighbor) : e.neighbor;
    if (!node.bgp.neighbors.some((nb) => isAddress(nb.address) && canonicalAddress(nb.address) === want)) {
      out.push({ path: `${path}.bgp.neighbor`, message: `${e.node} has no BGP neighbour ${e.neighbor}`, hint: `its neighbours: ${list(node.bgp.neighbors.map((nb) => nb.address)) || 'none'}` });
    }
  }
  if (e.kind === 'exec' && !e.command.trim()) out.push({ path: `${path}.exec`, message: 'the command is empty', hint: 'write the command to run in the node, e.g. "ip route del 198.51.100.0/24"' });
}

/** Every event happens while at least one flow runs. */
function times(lab: Lab, events: ScheduledEvent[], out: InputProblem[]): void {
  const spans = lab.flows.map(flowSpan);
  for (const e of events) {
    if (spans.some((s) => e.atMs >= s.fromMs && e.atMs <= s.toMs)) continue;
    const runs = spans.length ? `the flows run ${spans.map((s) => `+${s.fromMs}–${s.toMs} ms`).join(', ')}` : 'the lab has no flows';
    out.push({
      path: `events[${e.index}].at-ms`,
      message: `+${e.atMs} ms is outside every flow's time (${runs})`,
      hint: 'an event happens while a flow runs: move it, or give a flow start-ms and duration-ms that cover it',
    });
  }
}

/** Each link, node and neighbour alternates: down then up, stop then start, shutdown then enable. */
function states(events: ScheduledEvent[], out: InputProblem[]): void {
  const on = new Map<string, boolean>();
  for (const e of [...events].sort((a, b) => a.atMs - b.atMs || a.index - b.index)) {
    const s = subjectOf(e);
    if (!s) continue;
    const now = on.get(s.key) ?? true;
    if (now === s.on) {
      out.push({ path: `events[${e.index}]`, message: `${s.what} is already ${s.on ? 'up' : 'down'} at +${e.atMs} ms`, hint: s.on ? 'an up, start or enable event follows its down, stop or shutdown' : 'remove the repeated event' });
    }
    on.set(s.key, s.on);
  }
}

function flowTimings(lab: Lab, out: InputProblem[]): void {
  lab.flows.forEach((f, i) => {
    const path = `flows[${i}]`;
    const phases = f.expect?.phases;
    if (f.durationMs === undefined) {
      if (f.intervalMs !== undefined) out.push({ path: `${path}.interval-ms`, message: 'interval-ms is the message interval of a long-lived flow', hint: 'add duration-ms, or remove interval-ms' });
      if (phases) out.push({ path: `${path}.expect.phases`, message: 'phases describe a long-lived flow', hint: 'add duration-ms (and interval-ms) to the flow, or expect a result instead' });
      return;
    }
    if (f.count !== 1) out.push({ path: `${path}.count`, message: 'a long-lived flow is one connection (tcp) or one 5-tuple (udp, icmp), sending a message every interval-ms', hint: 'remove count, or make it a short flow without duration-ms' });
    const interval = f.intervalMs ?? 0;
    if (interval > f.durationMs) out.push({ path: `${path}.interval-ms`, message: `interval-ms ${interval} is longer than duration-ms ${f.durationMs}`, hint: 'a long-lived flow sends at least one message' });
    else if (interval > 0 && f.durationMs / interval > MAX_MESSAGES) {
      out.push({ path: `${path}.interval-ms`, message: `${Math.floor(f.durationMs / interval)} messages are more than ${MAX_MESSAGES}`, hint: `lengthen interval-ms to at least ${Math.ceil(f.durationMs / MAX_MESSAGES)}` });
    }
    if (!phases) return;
    const { fromMs: start, toMs: end } = flowSpan(f);
    const windows = phases.map((p, k) => ({ k, from: p.fromMs ?? start, until: p.untilMs ?? end, p }));
    for (const w of windows) {
      const wpath = `${path}.expect.phases[${w.k}]`;
      if (w.p.fromMs === undefined && w.p.untilMs === undefined && phases.length > 1) out.push({ path: wpath, message: 'a phase among several needs from-ms or until-ms', hint: 'write e.g. {until-ms: 2000, result: delivered}, {from-ms: 2000, result: dropped}' });
      if (w.from >= w.until) out.push({ path: wpath, message: `from-ms ${w.from} is not before until-ms ${w.until}` });
      if (w.from < start || w.until > end) out.push({ path: wpath, message: `the phase +${w.from}–${w.until} ms is outside the flow's life (+${start}–${end} ms)`, hint: 'phases are on the events\' clock: 0 is when the flows start' });
      if (w.p.at && w.p.result === 'delivered') out.push({ path: `${wpath}.at`, message: "'at' names where a flow dies; a delivered phase has none", hint: 'remove at:, or expect dropped' });
    }
    const sorted = [...windows].sort((a, b) => a.from - b.from || a.k - b.k);
    for (let j = 1; j < sorted.length; j++) {
      const [prev, cur] = [sorted[j - 1], sorted[j]];
      if (cur.from < prev.until) {
        out.push({
          path: `${path}.expect.phases[${cur.k}]`,
          message: `phase +${cur.from}–${cur.until} ms overlaps phases[${prev.k}] (+${prev.from}–${prev.until} ms)`,
          hint: 'phases split the flow\'s life: end one where the next begins (until-ms of one = from-ms of the next)',
        });
      }
    }
    const known = new Set(lab.nodes.map((n) => n.name));
    phases.forEach((p, k) => {
      const node = (v: string, at: string) => !known.has(v) && out.push({ path: `${path}.expect.phases[${k}].${at}`, message: `node '${v}' is not defined` });
      if (p.at) node(p.at, 'at');
      p.path?.forEach((n, m) => node(n, `path[${m}]`));
      p.returnPath?.forEach((n, m) => node(n, `return-path[${m}]`));
    });
  });
}

/** Every problem of the lab's events and flow timings. */
export function validateEvents(lab: Lab): InputProblem[] {
  const out: InputProblem[] = [];
  flowTimings(lab, out);
  const events = lab.events ?? [];
  for (const e of events) names(lab, e, out);
  times(lab, events, out);
  states(events, out);
  return out;
}
