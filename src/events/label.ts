/** An event in words, and which way it moves its object. Pure. */
import type { EventRecord } from '../analysis/types.js';
import type { ScheduledEvent } from '../topology/types.js';

export function eventLabel(e: ScheduledEvent): string {
  switch (e.kind) {
    case 'link':
      return `link ${e.endpoints.map((x) => `${x.node}:${x.iface}`).join('–')} ${e.state}${e.silent ? ' (silent)' : ''}`;
    case 'node':
      return `node ${e.node} ${e.action}`;
    case 'bgp':
      return `bgp ${e.node} neighbor ${e.neighbor} ${e.action}`;
    case 'flush-conntrack':
      return `${e.node} flush-conntrack`;
    case 'exec':
      return `${e.node} exec: ${e.command.length > 60 ? `${e.command.slice(0, 59)}…` : e.command}`;
  }
}

export function eventEffect(e: ScheduledEvent): EventRecord['effect'] {
  switch (e.kind) {
    case 'link':
      return e.state;
    case 'node':
      return e.action === 'stop' ? 'down' : 'up';
    case 'bgp':
      return e.action === 'shutdown' ? 'down' : 'up';
    default:
      return 'other';
  }
}

/** "+2003 ms" */
export const relMs = (ms: number) => `+${Math.round(ms)} ms`;
