/**
 * The routers' kernel tables by polling their dumps: a RouteWatch (route-watch.ts) for nodes
 * reached only through an exec channel, where an `ip monitor` inside the node cannot be seen from
 * here to listen. An attached lab has usually converged already, so a few dumps settle it.
 */
import { LabError } from '../errors.js';
import type { NodePlan } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import { mapLimit } from './events.js';
import { canonical, parseRouteDump, type RouteWatch } from './route-watch.js';

export async function pollRoutes(runtime: Runtime, nodes: NodePlan[], opts: { intervalMs?: number } = {}): Promise<RouteWatch> {
  const tables = new Map<string, { keys: string; prefixes: Set<string> }>();
  let last: { at: number; node?: string } = { at: performance.now() };
  let failed: LabError | undefined;
  const dumpAll = () =>
    mapLimit(nodes, 8, async (n) => {
      const r = await runtime.exec(n, ['ip', '-j', 'route', 'show', 'table', 'all'], { context: 'net', timeoutMs: 20_000 });
      const routes = parseRouteDump(r.stdout);
      const keys = routes.map((x) => x.key).sort().join('\n');
      const before = tables.get(n.node.name);
      if (before?.keys !== keys) {
        tables.set(n.node.name, { keys, prefixes: new Set(routes.map((x) => x.prefix)) });
        if (before) last = { at: performance.now(), node: n.node.name };
      }
    });
  await dumpAll();
  let stopped = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = inFlight.then(() =>
      stopped
        ? undefined
        : dumpAll().catch((e: unknown) => {
            failed ??= new LabError('runtime', `the routes of the attached routers could not be read: ${e instanceof Error ? e.message : String(e)}`);
          }),
    );
  }, opts.intervalMs ?? 500);
  const check = () => {
    if (failed) throw failed;
  };
  return {
    has(node, prefix) {
      check();
      const t = tables.get(node);
      if (!t) throw new LabError('runtime', `the routes of ${node} are not watched`);
      return t.prefixes.has(canonical(prefix));
    },
    lastChange: () => last,
    check,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
