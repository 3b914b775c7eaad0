/**
 * The topology as SVG: nodes drawn in their kind's shape, interface names at the ends of links,
 * addresses on hover, and over it each flow's forward and return paths and its drop mark. A pure
 * function of the model and the layout. Like layout.ts it is inlined into the report page with
 * `Function.prototype.toString`, so it stays self-contained (nested helpers, type-only imports).
 */
import type { TopologyLayout } from './layout.js';
import type { PathOverlay, TopologyModel } from './model-types.js';

export function topologySvg(topo: TopologyModel, layout: TopologyLayout, paths: PathOverlay[]): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const num = (n: number) => String(Math.round(n * 10) / 10);
  type P = { x: number; y: number };
  const d = (pts: P[]) => pts.map((p, i) => `${i ? 'L' : 'M'}${num(p.x)} ${num(p.y)}`).join(' ');
  // Each point moved `off` to the right of travel, along the mean normal of its two segments.
  const offset = (pts: P[], off: number): P[] =>
    pts.map((p, i) => {
      const a = pts[Math.max(0, i - 1)];
      const b = pts[Math.min(pts.length - 1, i + 1)];
      const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      return { x: p.x - ((b.y - a.y) / len) * off, y: p.y + ((b.x - a.x) / len) * off };
    });
  const ifaceOf = new Map<string, { addresses: string[] }>();
  for (const n of topo.nodes) for (const i of n.ifaces) ifaceOf.set(`${n.id}:${i.name}`, i);
  const addrs = (node: string, iface: string) => (ifaceOf.get(`${node}:${iface}`)?.addresses ?? []).join(', ') || 'no address';
  const linkOf = new Map(topo.links.map((l) => [l.id, l]));
  const out: string[] = [];
  const centre = (n: string): P => layout.nodes[n] ?? { x: 0, y: 0 };
  // Drop marks sit on the node's border where the dying packet entered; their causes stand in a
  // band above the drawing, one line per drop, each tied to its mark by a leader line, so no
  // cause hides a node or another cause.
  const drops = paths.filter((p) => p.drop && layout.nodes[p.drop.node]);
  const band = drops.length ? 16 * drops.length + 12 : 0;
  const dropMarks: string[] = [];
  let right = layout.width;
  drops.forEach((p, k) => {
    const drop = p.drop!;
    const b = layout.nodes[drop.node];
    let at: P = { x: b.x + b.w / 2, y: b.y - b.h / 2 };
    for (const l of topo.links) {
      const g = layout.links[l.id];
      if (!g || !drop.iface) continue;
      if (l.a.node === drop.node && l.a.iface === drop.iface) at = g.points[0];
      else if (l.b.node === drop.node && l.b.iface === drop.iface) at = g.points[g.points.length - 1];
    }
    const text = `${p.flow}: ${drop.cause.length > 100 ? `${drop.cause.slice(0, 99)}…` : drop.cause}`;
    // Left of the mark when the line would run past the drawing's right edge.
    const tx = Math.max(8, Math.min(at.x - 40, layout.width - text.length * 7));
    const ty = -band + 14 + 16 * k;
    right = Math.max(right, tx + 10 + text.length * 7);
    dropMarks.push(
      `<g class="drop" data-flow="${esc(p.flow)}" data-node="${esc(drop.node)}"><title>${esc(`${p.flow}: ${drop.cause}`)}</title>`,
      `<path class="leader" d="M${num(at.x)} ${num(at.y - 9)}L${num(at.x)} ${num(ty + 4)}L${num(tx - 3)} ${num(ty + 4)}"/>`,
      `<text class="cause" x="${num(tx)}" y="${num(ty)}">${esc(text)}</text>`,
      `<g class="mark" transform="translate(${num(at.x)} ${num(at.y)})"><circle r="9"/><path d="M-4 -4L4 4M4 -4L-4 4"/></g></g>`,
    );
  });
  // Room for the causes beside the drop marks, which may reach past the layout.
  const W = Math.ceil(right);
  const Y = -band;
  const H = layout.height + band;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="topology" viewBox="0 ${Y} ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="topology: ${topo.nodes.length} nodes, ${topo.links.length} links">`,
    '<defs>',
    '<marker id="arrow-forward" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#1d4ed8"/></marker>',
    '<marker id="arrow-return" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#ea580c"/></marker>',
    '</defs>',
    // Inside the SVG so a standalone .svg (asymlab graph) looks the same as the page.
    '<style>',
    'svg.topology{font:12px system-ui,-apple-system,"Segoe UI",sans-serif}',
    '.topology .link path{fill:none;stroke:#94a3b8;stroke-width:1.6}',
    '.topology .iface{font-size:10px;fill:#475569;text-anchor:middle;paint-order:stroke;stroke:#fff;stroke-width:3px}',
    '.topology .node{cursor:pointer}',
    '.topology .node rect,.topology .node ellipse{stroke-width:1.6}',
    '.topology [data-shape=box] rect{fill:#f1f5f9;stroke:#475569}',
    '.topology [data-shape=ellipse] ellipse{fill:#e0f2fe;stroke:#0369a1}',
    '.topology [data-shape=wall] rect{fill:#fee2e2;stroke:#b91c1c}',
    '.topology [data-shape=wall] .bricks{stroke:#fca5a5;stroke-width:1;fill:none}',
    '.topology .node .label{text-anchor:middle;font-weight:600;fill:#0f172a;paint-order:stroke;stroke:rgba(255,255,255,.85);stroke-width:3px}',
    '.topology .node.selected rect,.topology .node.selected ellipse{stroke-width:3.5}',
    '.topology .hop{fill:none;stroke-width:2.6;opacity:.85}',
    '.topology .hop.forward{stroke:#1d4ed8}',
    '.topology .hop.return{stroke:#ea580c}',
    '.topology .hop.unlinked{stroke-dasharray:5 4}',
    '.topology .drop circle{fill:#dc2626;stroke:#fff;stroke-width:2}',
    '.topology .drop .mark path{stroke:#fff;stroke-width:2.4}',
    '.topology .drop .leader{fill:none;stroke:#dc2626;stroke-width:1;stroke-dasharray:3 2}',
    '.topology .drop .cause{font-size:11.5px;font-weight:600;fill:#991b1b;paint-order:stroke;stroke:#fff;stroke-width:4px}',
    '</style>',
    '<g class="links">',
  );
  for (const l of topo.links) {
    const g = layout.links[l.id];
    if (!g) continue;
    out.push(
      `<g class="link" data-link="${esc(l.id)}"><path d="${d(g.points)}"/>`,
      `<text class="iface" x="${num(g.aLabel.x)}" y="${num(g.aLabel.y)}">${esc(l.a.iface)}<title>${esc(`${l.a.node} ${l.a.iface}: ${addrs(l.a.node, l.a.iface)}`)}</title></text>`,
      `<text class="iface" x="${num(g.bLabel.x)}" y="${num(g.bLabel.y)}">${esc(l.b.iface)}<title>${esc(`${l.b.node} ${l.b.iface}: ${addrs(l.b.node, l.b.iface)}`)}</title></text></g>`,
    );
  }
  out.push('</g><g class="paths">');
  paths.forEach((p, i) => {
    const spread = 3.5 + 2.5 * (i % 4);
    out.push(`<g class="flow-path" data-flow="${esc(p.flow)}">`);
    for (const [dir, hops] of [['forward', p.forward], ['return', p.back]] as const) {
      for (const h of hops) {
        const l = h.link ? linkOf.get(h.link) : undefined;
        const g = h.link ? layout.links[h.link] : undefined;
        const pts = l && g ? (l.a.node === h.from ? g.points : [...g.points].reverse()) : [centre(h.from), centre(h.to)];
        out.push(
          `<path class="hop ${dir}${l ? '' : ' unlinked'}" data-from="${esc(h.from)}" data-to="${esc(h.to)}" d="${d(offset(pts, spread))}" marker-end="url(#arrow-${dir})"><title>${esc(`${p.flow} ${dir}: ${h.from}${h.fromIface ? `:${h.fromIface}` : ''} → ${h.to}${h.toIface ? `:${h.toIface}` : ''}`)}</title></path>`,
        );
      }
    }
    out.push('</g>');
  });
  out.push('</g><g class="nodes">');
  for (const n of topo.nodes) {
    const b = layout.nodes[n.id];
    if (!b) continue;
    const [w, h] = [b.w, b.h];
    const shape =
      n.shape === 'ellipse'
        ? `<ellipse rx="${num(w / 2)}" ry="${num(h / 2)}"/>`
        : n.shape === 'wall'
          ? `<rect x="${num(-w / 2)}" y="${num(-h / 2)}" width="${num(w)}" height="${num(h)}"/><path class="bricks" d="M${num(-w / 2)} -6H${num(w / 2)}M${num(-w / 2)} 6H${num(w / 2)}M${num(-w / 4)} ${num(-h / 2)}V-6M${num(w / 4)} ${num(-h / 2)}V-6M0 -6V6M${num(-w / 4)} 6V${num(h / 2)}M${num(w / 4)} 6V${num(h / 2)}"/>`
          : `<rect x="${num(-w / 2)}" y="${num(-h / 2)}" width="${num(w)}" height="${num(h)}" rx="8"/>`;
    const hover = [`${n.id} (${n.kind}${n.group ? `, ${n.group}` : ''})`, ...n.ifaces.map((i) => `${i.name}: ${i.addresses.join(', ') || 'no address'}`), ...n.loopbacks.map((a) => `lo: ${a}`)].join('\n');
    out.push(
      `<g class="node kind-${esc(n.kind)}" data-node="${esc(n.id)}" data-shape="${n.shape}" transform="translate(${num(b.x)} ${num(b.y)})" tabindex="0">${shape}<text class="label" y="4">${esc(n.id)}</text><title>${esc(hover)}</title></g>`,
    );
  }
  out.push('</g><g class="drops">', ...dropMarks);
  out.push('</g></svg>');
  return out.join('\n');
}
