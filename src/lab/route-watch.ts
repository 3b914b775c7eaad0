import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { LabError } from '../errors.js';
import type { NodePlan } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import { describeExit, type Background } from '../util/exec.js';
import { familyOf, networkText, parsePrefix } from '../util/ip.js';
import { notYet, ready, waitFor } from '../util/wait-for.js';
import { mapLimit } from './events.js';

/**
 * The routers' kernel tables, watched instead of polled. Polling cost two `ip route show` a router
 * a poll (400 processes a poll at 200 routers, taking CPU from the daemons being waited for). Here
 * each router gets one `ip monitor route`, started before FRR, and one dump once the monitor
 * listens: a route is present when its last event since then says so, else when the dump has it.
 * That is exact whatever the order the two arrive in, because the dump is taken after the monitor
 * subscribed. "Quiet" is then no route event for a while, seen as it happens.
 */
export interface RouteWatch {
  /** Whether the node's main table holds a route to `prefix` now (any spelling of it; `default`). */
  has(node: string, prefix: string): boolean;
  /** When a watched main table last changed (performance.now()), and on which node. */
  lastChange(): { at: number; node?: string };
  /** Throws LabError('runtime') if a monitor has died: its tables are no longer known. */
  check(): void;
  stop(): Promise<void>;
}

/** Kernel and lab spellings of a prefix meet here: host bits cleared, RFC 5952 text. */
export function canonical(dst: string): string {
  if (dst === 'default') return dst;
  const p = parsePrefix(dst.includes('/') ? dst : `${dst}/${familyOf(dst) === 4 ? 32 : 128}`);
  return p ? networkText(p) : dst;
}

/** One route's identity in a table (family, prefix, metric) and the prefix it counts for. */
export interface RouteKey {
  key: string;
  prefix: string;
}

export interface RouteEvent extends RouteKey {
  deleted: boolean;
}

/** Route types `ip` prints before the destination. */
const TYPES = new Set(['unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve']);
const isMain = (table: string | undefined) => table === undefined || table === 'main' || table === '254';
/** IPv6 routes always carry a preference (RTA_PREF): it tells a v6 `default` from a v4 one. */
const keyOf = (v6: boolean, dst: string, metric: string | number | undefined): RouteKey => {
  const prefix = canonical(dst);
  return { prefix, key: `${v6 ? 6 : 4} ${prefix} ${metric ?? 0}` };
};

/**
 * One line of `ip monitor route`: `[Deleted ][TYPE ]DST ... [table T] [metric M] [pref P]`.
 * Undefined for lines of other tables, cached routes (PMTU exceptions) and the `nexthop`
 * continuation lines of multipath routes. Pure.
 */
export function parseMonitorLine(line: string): RouteEvent | undefined {
  if (line.trim() === '' || /^\s/.test(line)) return undefined;
  let words = line.trim().split(/\s+/);
  const deleted = words[0] === 'Deleted';
  if (deleted) words = words.slice(1);
  if (TYPES.has(words[0])) words = words.slice(1);
  const dst = words[0];
  if (!dst) return undefined;
  const after = (k: string) => {
    const i = words.indexOf(k, 1);
    return i > 0 ? words[i + 1] : undefined;
  };
  if (!isMain(after('table')) || words.includes('cache')) return undefined;
  return { deleted, ...keyOf(dst.includes(':') || words.includes('pref'), dst, after('metric')) };
}

interface DumpedRoute {
  dst: string;
  table?: string;
  metric?: number;
  pref?: string;
}

/** The main-table routes of `ip -j route show table all` (both families). Pure. */
export function parseRouteDump(json: string): RouteKey[] {
  return (JSON.parse(json || '[]') as DumpedRoute[]).filter((r) => isMain(r.table)).map((r) => keyOf(r.dst.includes(':') || r.pref !== undefined, r.dst, r.metric));
}

/** A node's main table from its dump and the events since its monitor listened. */
export class WatchedTable {
  private readonly lastEvent = new Map<string, boolean>();
  private readonly present = new Map<string, string>();
  private readonly perPrefix = new Map<string, number>();

  private set(r: RouteKey, on: boolean): void {
    if (this.present.has(r.key) === on) return;
    if (on) this.present.set(r.key, r.prefix);
    else this.present.delete(r.key);
    this.perPrefix.set(r.prefix, (this.perPrefix.get(r.prefix) ?? 0) + (on ? 1 : -1));
  }

  event(e: RouteEvent): void {
    this.lastEvent.set(e.key, !e.deleted);
    this.set(e, !e.deleted);
  }

  /** A dump taken after the monitor listened: events already seen are newer than it for their routes. */
  dump(routes: RouteKey[]): void {
    for (const r of routes) if (!this.lastEvent.has(r.key)) this.set(r, true);
  }

  has(prefix: string): boolean {
    return (this.perPrefix.get(canonical(prefix)) ?? 0) > 0;
  }
}

/** Rows of /proc/PID/net/netlink: protocol, groups bitmask and socket inode. Pure. */
export function parseNetlinkSockets(text: string): { protocol: number; groups: number; inode: number }[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 10)
    .map((f) => ({ protocol: Number(f[1]), groups: parseInt(f[3], 16), inode: Number(f[9]) }));
}

/** RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE. */
const ROUTE_GROUPS = 0x40 | 0x400;

/**
 * Whether process `pid` holds a NETLINK_ROUTE socket subscribed to route events in its namespace:
 * `ip monitor route` is then listening, and no route change after this moment is missed.
 */
export function listening(pid: number, proc = '/proc'): boolean {
  try {
    const inodes = new Set<number>();
    for (const fd of readdirSync(`${proc}/${pid}/fd`)) {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`${proc}/${pid}/fd/${fd}`));
      if (m) inodes.add(Number(m[1]));
    }
    return parseNetlinkSockets(readFileSync(`${proc}/${pid}/net/netlink`, 'utf8')).some((s) => s.protocol === 0 && inodes.has(s.inode) && (s.groups & ROUTE_GROUPS) !== 0);
  } catch {
    return false; // not started yet, or gone (its exit is reported by the watch)
  }
}

/**
 * Starts watching the routers' main tables: returns once every monitor listens and every dump is
 * in. Call it before their routing daemons start; stop it once convergence is known.
 */
export async function watchRoutes(runtime: Runtime, nodes: NodePlan[], opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<RouteWatch> {
  const tables = new Map<string, WatchedTable>();
  const monitors: { n: NodePlan; bg: Background }[] = [];
  let last: { at: number; node?: string } = { at: performance.now() };
  let died: LabError | undefined;
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await Promise.all(monitors.map((m) => m.bg.stop()));
  };
  try {
    for (const n of nodes) {
      const table = new WatchedTable();
      tables.set(n.node.name, table);
      const bg = runtime.spawn(n, ['ip', 'monitor', 'route'], { captureStdout: true });
      monitors.push({ n, bg });
      let partial = '';
      bg.child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        const lines = (partial + d).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const e = parseMonitorLine(line);
          if (!e) continue;
          table.event(e);
          last = { at: performance.now(), node: n.node.name };
        }
      });
      void bg.exited.then((r) => {
        if (stopping || died) return;
        died = new LabError('runtime', `[${n.node.name}] ip monitor route ended (${describeExit(r)}): ${r.stderr.trim().slice(-300) || 'no message'}`, {
          hint: 'the routes of this node can no longer be followed; see if ip(8) runs in its namespace',
        });
      });
    }
    const check = () => {
      if (died) throw died;
    };
    let waiting = monitors;
    await waitFor(
      () => {
        check();
        waiting = waiting.filter((m) => !listening(m.bg.pid));
        return waiting.length ? notYet(`${waiting.length} not listening yet, ${waiting[0].n.node.name} first`) : ready();
      },
      { description: `ip monitor route to listen on ${nodes.length} routers`, timeoutMs: opts.timeoutMs ?? Math.max(10_000, 100 * nodes.length), intervalMs: 10, signal: opts.signal },
    );
    await mapLimit(nodes, 16, async (n) => {
      const r = await runtime.exec(n, ['ip', '-j', 'route', 'show', 'table', 'all'], { context: 'net' });
      tables.get(n.node.name)!.dump(parseRouteDump(r.stdout));
    });
    return {
      has(node, prefix) {
        check();
        const t = tables.get(node);
        if (!t) throw new LabError('runtime', `the routes of ${node} are not watched`);
        return t.has(prefix);
      },
      lastChange: () => last,
      check,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
