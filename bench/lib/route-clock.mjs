/**
 * When a chain's routes arrived, from `ip monitor route` lines, the same way for every tool measured:
 * - last route: the moment the last of `all` (every router's prefix on every other router) appeared;
 * - settled: asymlab's own rule for `up` (src/lab/converge.ts): every expected route present, then no
 *   main-table route event for 3 poll intervals (3 x max(100 ms, 2 ms a router)), checked every 50 ms.
 * Lines are parsed by asymlab's own parser, so "a route event" means the same thing on every side.
 */
import { canonical, parseMonitorLine } from '../../dist/lab/route-watch.js';

export const quietMsFor = (routers) => 3 * Math.max(100, 2 * routers);

export class RouteClock {
  /** `expected` and `all`: [{node, prefix}]; times are performance.now() values. */
  constructor({ expected, all, routers }) {
    this.quietMs = quietMsFor(routers);
    this.tables = new Map();
    this.expected = expected.map((r) => ({ node: r.node, prefix: canonical(r.prefix) }));
    this.missingAll = new Set(all.map((r) => `${r.node} ${canonical(r.prefix)}`));
    this.lastEventAt = performance.now();
    this.lastRouteAt = undefined;
    this.partial = new Map();
  }

  /** Feeds a chunk of a node's monitor output. */
  chunk(node, text) {
    const lines = ((this.partial.get(node) ?? '') + text).split('\n');
    this.partial.set(node, lines.pop() ?? '');
    for (const l of lines) this.line(node, l);
  }

  line(node, text) {
    const e = parseMonitorLine(text);
    if (!e) return;
    const now = performance.now();
    this.lastEventAt = now;
    let t = this.tables.get(node);
    if (!t) this.tables.set(node, (t = new Map()));
    const count = (t.get(e.prefix) ?? new Set());
    if (e.deleted) count.delete(e.key);
    else count.add(e.key);
    t.set(e.prefix, count);
    const k = `${node} ${e.prefix}`;
    if (!e.deleted && this.missingAll.delete(k) && this.missingAll.size === 0) this.lastRouteAt = now;
    if (e.deleted && count.size === 0 && this.lastRouteAt === undefined) this.missingAll.add(k);
  }

  has(node, prefix) {
    return (this.tables.get(node)?.get(prefix)?.size ?? 0) > 0;
  }

  /** Whether the settle rule holds now. */
  settled(now = performance.now()) {
    return this.expected.every((r) => this.has(r.node, r.prefix)) && now - this.lastEventAt >= this.quietMs;
  }

  /** Resolves with the moment the rule first held, checked every 50 ms; rejects after `timeoutMs`. */
  async waitSettled(timeoutMs) {
    const started = performance.now();
    for (;;) {
      const now = performance.now();
      if (this.settled(now)) return now;
      if (now - started > timeoutMs) throw new Error(`not settled within ${timeoutMs} ms: ${this.missingAll.size} routes missing`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
