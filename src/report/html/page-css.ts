/** The report page's stylesheet (the drawings carry their own, see draw-topology.ts and LADDER_CSS). */
export const PAGE_CSS = `
:root{--fwd:#1d4ed8;--ret:#ea580c;--bad:#b91c1c;--ok:#15803d;--ink:#0f172a;--mute:#64748b;--line:#e2e8f0;--bg:#f8fafc}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{padding:18px 24px 10px;background:#fff;border-bottom:1px solid var(--line)}
h1{margin:0;font-size:20px}
h2{font-size:16px;margin:0 0 10px}
.subtitle{color:var(--mute);font-size:12.5px;margin-top:3px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:700;vertical-align:2px;margin-left:8px;color:#fff}

nav{display:flex;gap:14px;align-items:center;flex-wrap:wrap;padding:8px 24px;background:#fff;border-bottom:1px solid var(--line);position:sticky;top:0;z-index:2}
nav a{color:var(--mute);text-decoration:none;font-size:13px}nav a:hover{color:var(--ink)}
select{font:inherit;padding:2px 6px}
main{padding:16px 24px;display:flex;flex-direction:column;gap:18px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px}
.legend{display:flex;gap:16px;font-size:12.5px;color:var(--mute);margin-bottom:6px;flex-wrap:wrap}
.legend i{display:inline-block;width:22px;height:3px;vertical-align:middle;margin-right:5px}
.legend .f{background:var(--fwd)}.legend .r{background:var(--ret)}
.legend .x{width:12px;height:12px;border-radius:50%;background:#dc2626}
.topo-wrap{display:flex;gap:14px;align-items:flex-start}
#topology-svg{flex:1;overflow:auto;min-width:0}
#topology-svg svg{max-width:100%;height:auto;display:block}
#node-panel:not(.open){display:none}
#node-panel{width:360px;flex:none;font-size:12.5px;border-left:1px solid var(--line);padding-left:12px;max-height:80vh;overflow:auto}
#node-panel h3{margin:0 0 4px;font-size:14px}
#node-panel h4{margin:10px 0 2px;font-size:12px;color:var(--mute);text-transform:uppercase;letter-spacing:.04em}
#node-panel ul{margin:0;padding-left:16px}
#node-panel code,.mono{font:11.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.filtered-out{display:none!important}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--mute);font-weight:600}
tr[data-flow-row]{cursor:pointer}tr[data-flow-row]:hover{background:#f1f5f9}
tr.chosen{background:#eff6ff}
.pass{color:var(--ok);font-weight:700}.fail{color:var(--bad);font-weight:700}
.badge.pass{background:var(--ok);color:#fff}.badge.fail{background:var(--bad);color:#fff}
.why{color:var(--mute);font-size:12.5px}.why b{color:var(--bad)}
figure{margin:0 0 16px;overflow:auto}
figcaption{font-weight:600;margin-bottom:4px;font-size:13px}
.note{color:var(--mute);font-size:12.5px}
.warn{color:#92400e}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:16px}
.phases{display:flex;gap:2px;margin:4px 0 10px}.phases span{background:#e0e7ff;padding:2px 8px;font-size:12px;border-radius:3px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;min-width:3em}
.phases span.delivered{background:#d1fae5}.phases span.dropped,.phases span.unreachable,.phases span.ttl-exceeded{background:#fee2e2}.phases span.reset{background:#ffedd5}
.findings{margin:0 0 10px;font-size:12.5px}.events li.fail{color:#b91c1c}
svg.ladder{font:11px system-ui,-apple-system,"Segoe UI",sans-serif;display:block}
.ladder .column rect{fill:#f1f5f9;stroke:#94a3b8;cursor:pointer}
.ladder .column text{text-anchor:middle;font-weight:600;font-size:11.5px;cursor:pointer}
.ladder .column line{stroke:#cbd5e1;stroke-dasharray:3 3}
.ladder .arrow line{stroke-width:1.7}
.ladder .arrow.forward line{stroke:var(--fwd)}.ladder .arrow.return line{stroke:var(--ret)}
.ladder .arrow.partial line{stroke-dasharray:4 3}
.ladder .what{text-anchor:middle;fill:var(--ink);paint-order:stroke;stroke:#fff;stroke-width:3px}
.ladder .time{text-anchor:end;fill:var(--mute);font-size:10.5px}
.ladder .nat{text-anchor:middle;fill:#7c3aed;font-size:10.5px;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px}
.ladder .stop circle{fill:#dc2626}.ladder .stop path{stroke:#fff;stroke-width:2}
.ladder .stop .iface{fill:#991b1b;font-size:10.5px;text-anchor:middle;font-weight:600}
.ladder .evidence{fill:#7f1d1d;font:10.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
@media print{nav{display:none}#node-panel{display:none}}
`;
