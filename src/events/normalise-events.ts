/**
 * The lab format's `events:` and the timing keys of flows (`start-ms`, `duration-ms`,
 * `interval-ms`, `expect.phases`), from the schema-valid document to the typed lab. The schema
 * allows every key on every event; which keys make one event is checked here, one problem each.
 * What the keys name (links, nodes, neighbours, times) is checked by validate-events.ts.
 */
import type { InputProblem } from '../errors.js';
import type { Json } from '../topology/merge.js';
import type { Flow, FlowResult, LinkEndpoint, PhaseExpect, ScheduledEvent } from '../topology/types.js';

type Raw = Record<string, Json>;

const isMap = (v: Json | undefined): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A long-lived flow's message interval when it names none. */
export const DEFAULT_INTERVAL_MS = 100;

const SHAPES = 'write one of: {at-ms, link: [a:eth1, b:eth1], state: down|up}, {at-ms, node, action: stop|start|flush-conntrack}, {at-ms, bgp: {node, neighbor}, action: shutdown|enable}, {at-ms, node, exec: "command"}';

function endpoint(text: string): LinkEndpoint {
  const i = text.lastIndexOf(':');
  return i < 0 ? { node: text, iface: '' } : { node: text.slice(0, i), iface: text.slice(i + 1) };
}

/** Keys of `e` that `allowed` does not list, other than at-ms and description. */
function extra(e: Raw, allowed: string[]): string[] {
  return Object.keys(e).filter((k) => k !== 'at-ms' && k !== 'description' && !allowed.includes(k));
}

function one(e: Raw, index: number, problems: InputProblem[]): ScheduledEvent | undefined {
  const path = `events[${index}]`;
  const atMs = typeof e['at-ms'] === 'number' ? e['at-ms'] : 0;
  const kinds = ['link', 'bgp', 'exec'].filter((k) => e[k] !== undefined);
  if (kinds.length === 0 && e.node !== undefined && e.action !== undefined) kinds.push('node');
  if (kinds.length !== 1) {
    problems.push({ path, message: kinds.length ? `an event does one thing, this one names ${kinds.join(' and ')}` : 'the event says nothing to do', hint: SHAPES });
    return undefined;
  }
  const kind = kinds[0];
  const allowed: Record<string, string[]> = { link: ['link', 'state', 'silent'], bgp: ['bgp', 'action'], exec: ['node', 'exec'], node: ['node', 'action'] };
  const stray = extra(e, allowed[kind]);
  if (stray.length) {
    problems.push({ path: `${path}.${stray[0]}`, message: `'${stray[0]}' does not belong to a ${kind} event`, hint: SHAPES });
    return undefined;
  }
  const action = typeof e.action === 'string' ? e.action : undefined;
  switch (kind) {
    case 'link': {
      if (e.state !== 'down' && e.state !== 'up') {
        problems.push({ path: `${path}.state`, message: 'a link event needs state: down or up' });
        return undefined;
      }
      if (e.silent === true && e.state === 'up') {
        problems.push({ path: `${path}.silent`, message: 'silent describes how a link goes down', hint: 'write silent: true on the down event only; up undoes either kind' });
        return undefined;
      }
      const eps = (e.link as Json[]).map(String);
      return { kind, index, atMs, endpoints: [endpoint(eps[0]), endpoint(eps[1])], state: e.state, silent: e.silent === true };
    }
    case 'bgp': {
      if (action !== 'shutdown' && action !== 'enable') {
        problems.push({ path: `${path}.action`, message: action ? `a bgp event does shutdown or enable, not ${action}` : 'a bgp event needs action: shutdown or enable' });
        return undefined;
      }
      const b = e.bgp as Raw;
      return { kind, index, atMs, node: String(b.node), neighbor: String(b.neighbor), action };
    }
    case 'exec': {
      if (typeof e.node !== 'string') {
        problems.push({ path: `${path}.node`, message: 'an exec event needs the node it runs in', hint: 'add node: NAME' });
        return undefined;
      }
      return { kind, index, atMs, node: e.node, command: String(e.exec) };
    }
    default: {
      if (action === 'stop' || action === 'start') return { kind: 'node', index, atMs, node: String(e.node), action };
      if (action === 'flush-conntrack') return { kind: 'flush-conntrack', index, atMs, node: String(e.node) };
      problems.push({ path: `${path}.action`, message: `a node event does stop, start or flush-conntrack, not ${action}`, hint: 'shutdown and enable are for bgp: {node, neighbor} events' });
      return undefined;
    }
  }
}

/** `events:` as written (schema-valid), typed; each event that is not one of the shapes is a problem. */
export function normaliseEvents(raw: Json | undefined, problems: InputProblem[]): ScheduledEvent[] {
  if (!Array.isArray(raw)) return [];
  const out: ScheduledEvent[] = [];
  raw.forEach((e, i) => {
    if (!isMap(e)) return;
    const ev = one(e, i, problems);
    if (ev) out.push(ev);
  });
  return out;
}

function phaseOf(p: Raw): PhaseExpect {
  const list = (v: Json | undefined) => (Array.isArray(v) ? v.map(String) : undefined);
  const path = list(p.path);
  const returnPath = list(p['return-path']);
  return {
    ...(typeof p['from-ms'] === 'number' ? { fromMs: p['from-ms'] } : {}),
    ...(typeof p['until-ms'] === 'number' ? { untilMs: p['until-ms'] } : {}),
    ...(typeof p.result === 'string' ? { result: p.result as FlowResult } : {}),
    ...(typeof p.at === 'string' ? { at: p.at } : {}),
    ...(path ? { path } : {}),
    ...(returnPath ? { returnPath } : {}),
  };
}

/** A flow's timing keys (schema-valid raw flow), to spread into the Flow. */
export function flowTiming(f: Raw): Pick<Flow, 'startMs' | 'durationMs' | 'intervalMs'> {
  const duration = typeof f['duration-ms'] === 'number' ? f['duration-ms'] : undefined;
  const interval = typeof f['interval-ms'] === 'number' ? f['interval-ms'] : undefined;
  return {
    ...(typeof f['start-ms'] === 'number' ? { startMs: f['start-ms'] } : {}),
    ...(duration !== undefined ? { durationMs: duration, intervalMs: interval ?? DEFAULT_INTERVAL_MS } : interval !== undefined ? { intervalMs: interval } : {}),
  };
}

/** `expect.phases`, typed; undefined when absent. */
export function phasesOf(expect: Raw | undefined): PhaseExpect[] | undefined {
  const p = expect?.phases;
  return Array.isArray(p) ? p.filter(isMap).map(phaseOf) : undefined;
}
