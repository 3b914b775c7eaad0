/**
 * Topology layout with dagre (layered, left to right from the flows' clients). The same function
 * runs in Node (`asymlab graph --format svg|drawio`) and in the report page, where it is inlined
 * with `Function.prototype.toString`: it must stay self-contained (nested helpers only, type-only
 * imports, no module-level values).
 */
import type { TopologyModel } from './model-types.js';

/** The part of dagre's API used here, so the browser global and the npm module both fit. */
export interface DagreLike {
  graphlib: { Graph: new (opts?: { multigraph?: boolean }) => DagreGraph };
  layout(g: DagreGraph): void;
}

export interface DagreGraph {
  setGraph(label: Record<string, unknown>): unknown;
  setDefaultEdgeLabel(f: () => Record<string, unknown>): unknown;
  setNode(id: string, label: Record<string, unknown>): unknown;
  setEdge(v: string, w: string, label: Record<string, unknown>, name: string): unknown;
  node(id: string): { x: number; y: number; width: number; height: number };
  edge(v: string, w: string, name: string): { points: { x: number; y: number }[] };
  graph(): { width?: number; height?: number };
}

export interface Point {
  x: number;
  y: number;
}

export interface TopologyLayout {
  width: number;
  height: number;
  /** Centre and size of each node. */
  nodes: Record<string, { x: number; y: number; w: number; h: number }>;
  /** Each link's route from its `a` end to its `b` end (the first and last points are on the node borders), and where each end's interface name goes. */
  links: Record<string, { points: Point[]; aLabel: Point; bLabel: Point }>;
}

export function layoutTopology(topo: TopologyModel, dagre: DagreLike): TopologyLayout {
  const size = (name: string) => ({ w: Math.max(64, Math.round(name.length * 7.4 + 28)), h: 36 });
  // Links point away from the flows' clients (breadth-first depth, then name): an acyclic order
  // that dagre turns into left-to-right ranks, so a path reads from its client rightwards.
  const depth = new Map<string, number>();
  const adj = new Map<string, string[]>(topo.nodes.map((n) => [n.id, [] as string[]]));
  for (const l of topo.links) {
    adj.get(l.a.node)?.push(l.b.node);
    adj.get(l.b.node)?.push(l.a.node);
  }
  const starts = [...topo.roots, ...topo.nodes.map((n) => n.id)];
  for (const s of starts) {
    if (depth.has(s) || !adj.has(s)) continue;
    depth.set(s, 0);
    const queue = [s];
    while (queue.length) {
      const u = queue.shift()!;
      for (const v of adj.get(u) ?? []) {
        if (!depth.has(v)) {
          depth.set(v, depth.get(u)! + 1);
          queue.push(v);
        }
      }
    }
  }
  const before = (u: string, v: string) => {
    const du = depth.get(u) ?? 0;
    const dv = depth.get(v) ?? 0;
    return du !== dv ? du < dv : u < v;
  };
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 34, ranksep: 96, edgesep: 16, marginx: 28, marginy: 28 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of topo.nodes) {
    const s = size(n.id);
    g.setNode(n.id, { width: s.w, height: s.h });
  }
  for (const l of topo.links) {
    const [u, v] = before(l.a.node, l.b.node) ? [l.a.node, l.b.node] : [l.b.node, l.a.node];
    g.setEdge(u, v, { minlen: 1 }, l.id);
  }
  dagre.layout(g);

  // A point `d` along the route from its start, nudged off the line so the text does not sit on it.
  const along = (pts: Point[], d: number): Point => {
    let left = d;
    for (let i = 0; i + 1 < pts.length; i++) {
      const [p, q] = [pts[i], pts[i + 1]];
      const len = Math.hypot(q.x - p.x, q.y - p.y);
      if (len >= left || i + 2 === pts.length) {
        const t = len === 0 ? 0 : Math.min(1, left / len);
        const [dx, dy] = len === 0 ? [1, 0] : [(q.x - p.x) / len, (q.y - p.y) / len];
        return { x: p.x + dx * len * t - dy * 9, y: p.y + dy * len * t + dx * 9 - 2 };
      }
      left -= len;
    }
    return { x: pts[0].x, y: pts[0].y - 10 };
  };
  const nodes: TopologyLayout['nodes'] = {};
  for (const n of topo.nodes) {
    const b = g.node(n.id);
    nodes[n.id] = { x: b.x, y: b.y, w: b.width, h: b.height };
  }
  // dagre ends a link on the node's bounding box; an ellipse (a router) is not a box, so its ends are
  // moved onto the ellipse, along the line from its centre.
  const shapes = new Map(topo.nodes.map((n) => [n.id, n.shape]));
  const onBorder = (node: string, p: Point): Point => {
    const b = nodes[node];
    if (shapes.get(node) !== 'ellipse' || !b) return p;
    const [dx, dy] = [p.x - b.x, p.y - b.y];
    const k = Math.hypot(dx / (b.w / 2), dy / (b.h / 2));
    return k === 0 ? p : { x: b.x + dx / k, y: b.y + dy / k };
  };
  const links: TopologyLayout['links'] = {};
  for (const l of topo.links) {
    const forward = before(l.a.node, l.b.node);
    const raw = g.edge(forward ? l.a.node : l.b.node, forward ? l.b.node : l.a.node, l.id).points.map((p) => ({ x: p.x, y: p.y }));
    const points = forward ? raw : raw.reverse();
    points[0] = onBorder(l.a.node, points[0]);
    points[points.length - 1] = onBorder(l.b.node, points[points.length - 1]);
    links[l.id] = { points, aLabel: along(points, 20), bLabel: along([...points].reverse(), 20) };
  }
  const gr = g.graph();
  return { width: Math.ceil(gr.width ?? 0), height: Math.ceil(gr.height ?? 0), nodes, links };
}
