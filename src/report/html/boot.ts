/// <reference lib="dom" />
/**
 * The report page's script: lays out and draws the topology from the model embedded in the page,
 * then wires the flow filter and the node panels. Inlined into the page with
 * `Function.prototype.toString`, so it is self-contained and gets its drawing functions as
 * arguments (the same ones `asymlab graph` runs in Node).
 */
import type { DagreLike, TopologyLayout } from './layout.js';
import type { PathOverlay, TopologyModel } from './model-types.js';

export interface BootDeps {
  dagre: DagreLike;
  layoutTopology: (topo: TopologyModel, dagre: DagreLike) => TopologyLayout;
  topologySvg: (topo: TopologyModel, layout: TopologyLayout, paths: PathOverlay[]) => string;
}

export function bootPage(deps: BootDeps): void {
  const started = performance.now();
  const doc = document;
  const data = JSON.parse(doc.getElementById('asymlab-model')?.textContent ?? '{}') as { topology: TopologyModel; paths: PathOverlay[] };
  const host = doc.getElementById('topology-svg');
  if (host) {
    try {
      const layout = deps.layoutTopology(data.topology, deps.dagre);
      host.innerHTML = deps.topologySvg(data.topology, layout, data.paths);
    } catch (e) {
      // The rest of the page (tables, ladders) still reads; say why the drawing is missing.
      host.textContent = `The topology could not be drawn: ${e instanceof Error ? e.message : String(e)}`;
      console.error(e);
    }
  }

  // Filter: one flow, or all. Everything drawn for a flow carries data-flow.
  const select = doc.getElementById('flow-filter') as HTMLSelectElement | null;
  const filter = (name: string) => {
    doc.querySelectorAll('[data-flow]').forEach((el) => el.classList.toggle('filtered-out', name !== '' && el.getAttribute('data-flow') !== name));
    doc.querySelectorAll('[data-flow-row]').forEach((el) => el.classList.toggle('chosen', el.getAttribute('data-flow-row') === name));
    if (select) select.value = name;
    const hash = name ? `#flow=${encodeURIComponent(name)}` : ' ';
    if (location.hash !== hash) history.replaceState(null, '', hash === ' ' ? location.pathname + location.search : hash);
  };
  select?.addEventListener('change', () => filter(select.value));
  doc.querySelectorAll('[data-flow-row]').forEach((row) =>
    row.addEventListener('click', (e) => {
      if ((e.target as Element).closest('a')) return;
      const name = row.getAttribute('data-flow-row') ?? '';
      filter(select?.value === name ? '' : name);
    }),
  );
  const fromHash = /^#flow=(.+)$/.exec(location.hash);
  if (fromHash) filter(decodeURIComponent(fromHash[1]));

  // Node panels: click a node (in the topology or a ladder's column head) to see its evidence.
  const panelBox = doc.getElementById('node-panel');
  let shown = '';
  const show = (node: string) => {
    // A second click on the same node closes its panel.
    shown = node === shown ? '' : node;
    let found = false;
    doc.querySelectorAll<HTMLElement>('[data-panel]').forEach((p) => {
      p.hidden = p.getAttribute('data-panel') !== shown;
      found = found || !p.hidden;
    });
    doc.querySelectorAll('.topology .node').forEach((n) => n.classList.toggle('selected', n.getAttribute('data-node') === shown));
    panelBox?.classList.toggle('open', found);
    if (found && panelBox && panelBox.getBoundingClientRect().top < 0) panelBox.scrollIntoView({ block: 'nearest' });
  };
  doc.addEventListener('click', (e) => {
    const el = (e.target as Element).closest('.topology .node, [data-panel-node]');
    if (el) show(el.getAttribute('data-node') ?? el.getAttribute('data-panel-node') ?? '');
  });
  doc.addEventListener('keydown', (e) => {
    const el = (e.target as Element).closest?.('.topology .node');
    if (el && (e.key === 'Enter' || e.key === ' ')) show(el.getAttribute('data-node') ?? '');
  });
  // For bench/report-html.mjs: the script's own time, and the time since the page began to load.
  doc.documentElement.setAttribute('data-rendered-ms', String(Math.round(performance.now() - started)));
  doc.documentElement.setAttribute('data-rendered-at-ms', String(Math.round(performance.now())));
}
