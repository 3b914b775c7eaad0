/**
 * A lab's topology as text other tools draw: Mermaid (Markdown, GitHub), Graphviz DOT, and draw.io
 * (diagrams.net) XML laid out by the same dagre layout as the report. Pure.
 */
import { escapeXml as esc } from './escape.js';
import type { TopologyLayout } from './layout.js';
import type { NodeShape } from '../../kinds/kind.js';
import type { TopologyModel } from './model-types.js';

/** Mermaid ids may not hold dashes everywhere: n0, n1, … with the name as the label. */
export function mermaid(topo: TopologyModel): string {
  const id = new Map(topo.nodes.map((n, i) => [n.id, `n${i}`]));
  const q = (s: string) => s.replace(/"/g, '#quot;');
  const shape: Record<NodeShape, (label: string) => string> = {
    box: (l) => `["${l}"]`,
    ellipse: (l) => `(("${l}"))`,
    wall: (l) => `{{"${l}"}}`,
  };
  const lines = ['graph LR'];
  for (const n of topo.nodes) lines.push(`  ${id.get(n.id)}${shape[n.shape](q(n.id))}`);
  for (const l of topo.links) lines.push(`  ${id.get(l.a.node)} ---|"${q(`${l.a.iface} — ${l.b.iface}`)}"| ${id.get(l.b.node)}`);
  lines.push('  classDef box fill:#f1f5f9,stroke:#475569', '  classDef ellipse fill:#e0f2fe,stroke:#0369a1', '  classDef wall fill:#fee2e2,stroke:#b91c1c');
  for (const s of Object.keys(shape) as NodeShape[]) {
    const ids = topo.nodes.filter((n) => n.shape === s).map((n) => id.get(n.id));
    if (ids.length) lines.push(`  class ${ids.join(',')} ${s}`);
  }
  return `${lines.join('\n')}\n`;
}

export function dot(topo: TopologyModel, name: string): string {
  const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const style: Record<NodeShape, string> = {
    box: 'shape=box, style="rounded,filled", fillcolor="#f1f5f9", color="#475569"',
    ellipse: 'shape=ellipse, style=filled, fillcolor="#e0f2fe", color="#0369a1"',
    wall: 'shape=box, style=filled, fillcolor="#fee2e2", color="#b91c1c", peripheries=2',
  };
  const lines = [`graph ${q(name)} {`, '  rankdir=LR;', '  node [fontname="Helvetica"]; edge [fontname="Helvetica", fontsize=9, color="#94a3b8"];'];
  for (const n of topo.nodes) {
    const tip = n.ifaces.map((i) => `${i.name} ${i.addresses.join(', ')}`).join('\\n');
    lines.push(`  ${q(n.id)} [${style[n.shape]}, tooltip=${q(tip)}];`);
  }
  for (const l of topo.links) lines.push(`  ${q(l.a.node)} -- ${q(l.b.node)} [taillabel=${q(l.a.iface)}, headlabel=${q(l.b.iface)}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** draw.io XML: one vertex per node at the dagre position, one edge per link with its two interface names. */
export function drawio(topo: TopologyModel, layout: TopologyLayout, name: string): string {
  const style: Record<NodeShape, string> = {
    box: 'rounded=1;whiteSpace=wrap;fillColor=#f1f5f9;strokeColor=#475569;fontStyle=1;',
    ellipse: 'ellipse;whiteSpace=wrap;fillColor=#e0f2fe;strokeColor=#0369a1;fontStyle=1;',
    wall: 'rounded=0;whiteSpace=wrap;fillColor=#fee2e2;strokeColor=#b91c1c;strokeWidth=2;fontStyle=1;',
  };
  const cells: string[] = ['<mxCell id="0"/>', '<mxCell id="1" parent="0"/>'];
  const id = new Map(topo.nodes.map((n, i) => [n.id, `n${i}`]));
  for (const n of topo.nodes) {
    const b = layout.nodes[n.id];
    const tip = n.ifaces.map((i) => `${i.name} ${i.addresses.join(', ')}`).join('\n');
    cells.push(
      `<UserObject label="${esc(n.id)}" tooltip="${esc(tip)}" id="${id.get(n.id)}"><mxCell style="${style[n.shape]}" vertex="1" parent="1"><mxGeometry x="${Math.round(b.x - b.w / 2)}" y="${Math.round(b.y - b.h / 2)}" width="${Math.round(b.w)}" height="${Math.round(b.h)}" as="geometry"/></mxCell></UserObject>`,
    );
  }
  topo.links.forEach((l, i) => {
    cells.push(
      `<mxCell id="e${i}" style="endArrow=none;html=1;strokeColor=#94a3b8;" edge="1" parent="1" source="${id.get(l.a.node)}" target="${id.get(l.b.node)}"><mxGeometry relative="1" as="geometry"/></mxCell>`,
      `<mxCell id="e${i}a" value="${esc(l.a.iface)}" style="edgeLabel;fontSize=9;" vertex="1" connectable="0" parent="e${i}"><mxGeometry x="-0.7" relative="1" as="geometry"><mxPoint as="offset"/></mxGeometry></mxCell>`,
      `<mxCell id="e${i}b" value="${esc(l.b.iface)}" style="edgeLabel;fontSize=9;" vertex="1" connectable="0" parent="e${i}"><mxGeometry x="0.7" relative="1" as="geometry"><mxPoint as="offset"/></mxGeometry></mxCell>`,
    );
  });
  return [
    '<mxfile host="asymlab">',
    `<diagram name="${esc(name)}" id="asymlab">`,
    `<mxGraphModel dx="${layout.width}" dy="${layout.height}" grid="1" gridSize="10" page="0"><root>`,
    ...cells,
    '</root></mxGraphModel></diagram></mxfile>',
    '',
  ].join('\n');
}
