/**
 * A connection's ladder as SVG: a lifeline per node, time downwards, one arrow per hop labelled
 * with the packet, its flags and size, its time and any NAT rewrite; a copy that died ends in a
 * cross at the node's interface with the evidence lines under it. Pure: model in, markup out.
 */
import { escapeXml as esc } from './escape.js';
import type { Ladder, LadderArrow } from './model-types.js';

const COL_W = 112;
const LEFT = 92;
const TOP = 44;
const ROW_H = 30;
const LINE_H = 14;
/** Average glyph width of the 11px labels, to size the drawing without measuring text. */
const CHAR_W = 6.2;

const num = (n: number) => String(Math.round(n * 10) / 10);

/** Microsecond precision: retransmissions a second apart still show their order within it. */
function ms(n: number): string {
  return `+${n.toFixed(3)} ms`;
}

function label(a: LadderArrow): string {
  const flags = a.flags !== undefined ? ` [${a.flags}]` : '';
  const size = a.sizeBytes !== undefined ? ` ${a.sizeBytes} B` : '';
  return `${a.packet}${flags}${size}${a.copy > 1 ? ` (copy ${a.copy})` : ''}`;
}

/** The arrowheads every ladder uses: once per page (a marker inside a hidden ladder would not draw). */
export const LADDER_DEFS = [
  '<defs>',
  '<marker id="ladder-forward" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0L10 5L0 10z" fill="#1d4ed8"/></marker>',
  '<marker id="ladder-return" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0L10 5L0 10z" fill="#ea580c"/></marker>',
  '</defs>',
].join('');

export function ladderSvg(ladder: Ladder, opts: { defs?: boolean } = {}): string {
  const x = (node: string) => LEFT + COL_W * ladder.columns.indexOf(node) + COL_W / 2;
  const rows: string[] = [];
  let y = TOP + 22;
  let right = LEFT + COL_W * ladder.columns.length;
  for (const a of ladder.arrows) {
    const towards = a.direction === 'forward' ? 1 : -1;
    const x1 = a.from !== null ? x(a.from) : x(a.to!) - towards * COL_W * 0.6;
    const x2 = a.to !== null ? x(a.to) : x1 + towards * COL_W * 0.6;
    const mid = (x1 + x2) / 2;
    const hover = `${label(a)} ${a.addresses}: ${a.from ?? '?'}${a.fromIface ? `:${a.fromIface}` : ''} → ${a.to ?? '?'}${a.toIface ? `:${a.toIface}` : ''} at ${ms(a.atMs)}`;
    rows.push(
      `<g class="arrow ${a.direction}${a.from === null || a.to === null ? ' partial' : ''}"><title>${esc(hover)}</title>`,
      `<text class="time" x="${LEFT - 8}" y="${num(y + 4)}">${esc(ms(a.atMs))}</text>`,
      `<line x1="${num(x1)}" y1="${num(y)}" x2="${num(x2)}" y2="${num(y)}" marker-end="url(#ladder-${a.direction})"/>`,
      `<text class="what" x="${num(mid)}" y="${num(y - 5)}">${esc(label(a))}</text>`,
    );
    if (a.nat) rows.push(`<text class="nat" x="${num(mid)}" y="${num(y + 13)}">${esc(a.nat)}</text>`);
    rows.push('</g>');
    y += ROW_H + (a.nat ? 12 : 0);
    if (a.stop) {
      const sx = x2;
      const sy = y - ROW_H - (a.nat ? 12 : 0);
      rows.push(
        `<g class="stop" data-node="${esc(a.stop.node)}"><title>${esc(`died at ${a.stop.node}${a.stop.iface ? `:${a.stop.iface}` : ''}`)}</title>`,
        `<circle cx="${num(sx)}" cy="${num(sy)}" r="7"/><path d="M${num(sx - 3.5)} ${num(sy - 3.5)}l7 7m0 -7l-7 7"/>`,
        `<text class="iface" x="${num(sx)}" y="${num(sy + 19)}">${esc(a.stop.iface ?? '')}</text>`,
      );
      a.stop.evidence.forEach((line, i) => {
        rows.push(`<text class="evidence" x="${num(sx + 14)}" y="${num(y + 6 + i * LINE_H)}">${esc(line)}</text>`);
        right = Math.max(right, sx + 20 + line.length * CHAR_W);
      });
      rows.push('</g>');
      y += a.stop.evidence.length * LINE_H + (a.stop.evidence.length ? 10 : 6);
    }
  }
  const height = y;
  const width = Math.ceil(right + 10);
  const cols = ladder.columns.map(
    (c) =>
      `<g class="column" data-panel-node="${esc(c)}"><rect x="${num(x(c) - COL_W / 2 + 6)}" y="6" width="${COL_W - 12}" height="24" rx="5"/><text x="${num(x(c))}" y="22">${esc(c)}</text><line x1="${num(x(c))}" y1="30" x2="${num(x(c))}" y2="${num(height)}"/></g>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="ladder" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(ladder.title)}">`,
    opts.defs === false ? '' : LADDER_DEFS,
    ...cols,
    ...rows,
    '</svg>',
  ].join('\n');
}
