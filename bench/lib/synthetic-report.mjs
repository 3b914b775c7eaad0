/**
 * A synthetic report.json (revision 2) of a big lab, for bench/report-html.mjs: a square grid of
 * routers, and sites of a firewall with a host behind it hanging off the grid. Flows go host to
 * host along shortest paths; every other one is dropped at the client's firewall on a return path
 * that avoids the forward one, as an asymmetric route would.
 */
export function syntheticReport(total = 200, flowCount = 20) {
  const side = Math.max(2, Math.round(Math.sqrt(total / 2)));
  const nodes = [];
  const links = [];
  const adj = new Map();
  const nextIf = new Map();
  let subnet = 0;
  const add = (name, kind) => {
    nodes.push({ name, kind, interfaces: [], loopbacks: [], config: [] });
    adj.set(name, []);
    nextIf.set(name, 1);
  };
  const link = (a, b) => {
    const [ia, ib] = [`eth${nextIf.get(a)}`, `eth${nextIf.get(b)}`];
    nextIf.set(a, nextIf.get(a) + 1);
    nextIf.set(b, nextIf.get(b) + 1);
    const base = `10.${Math.floor(subnet / 64)}.${(subnet % 64) * 4}`;
    subnet++;
    nodes.find((n) => n.name === a).interfaces.push({ name: ia, addresses: [`${base}.1/30`] });
    nodes.find((n) => n.name === b).interfaces.push({ name: ib, addresses: [`${base}.2/30`] });
    links.push({ a: { node: a, iface: ia }, b: { node: b, iface: ib } });
    adj.get(a).push({ to: b, out: ia, in: ib });
    adj.get(b).push({ to: a, out: ib, in: ia });
  };
  const g = (r, c) => `g${r}-${c}`;
  for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) add(g(r, c), 'router');
  for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) {
    if (c + 1 < side) link(g(r, c), g(r, c + 1));
    if (r + 1 < side) link(g(r, c), g(r + 1, c));
  }
  const sites = Math.floor((total - side * side) / 2);
  for (let i = 0; i < sites; i++) {
    add(`fw${i}`, 'firewall');
    add(`h${i}`, 'host');
    link(`h${i}`, `fw${i}`);
    const k = (i * 37) % (side * side);
    link(`fw${i}`, g(Math.floor(k / side), k % side));
  }

  const bfs = (from, to, avoid = new Set()) => {
    const prev = new Map([[from, null]]);
    const queue = [from];
    while (queue.length) {
      const u = queue.shift();
      if (u === to) break;
      for (const e of adj.get(u)) {
        if (prev.has(e.to) || (avoid.has(e.to) && e.to !== to)) continue;
        prev.set(e.to, { from: u, e });
        queue.push(e.to);
      }
    }
    if (!prev.has(to)) return undefined;
    const hops = [];
    for (let n = to; prev.get(n); n = prev.get(n).from) hops.unshift({ from: prev.get(n).from, ...prev.get(n).e });
    return hops;
  };
  let ts = 1_800_000_000;
  const sightings = (hops, src, dst, stopAfter = hops.length) =>
    hops.slice(0, stopAfter).flatMap((h, i) => [
      { node: h.from, iface: h.out, direction: 'out', ts: (ts += 0.00002), src, dst, srcPort: 20000, dstPort: 443 },
      ...(i < stopAfter ? [{ node: h.to, iface: h.in, direction: 'in', ts: (ts += 0.00001), src, dst, srcPort: 20000, dstPort: 443 }] : []),
    ]);
  const flows = [];
  for (let i = 0; i < flowCount && sites >= 2; i++) {
    const [a, b] = [i % sites, (i * 7 + 3) % sites === i % sites ? (i + 1) % sites : (i * 7 + 3) % sites];
    const [client, server] = [`h${a}`, `h${b}`];
    const fwd = bfs(client, server);
    const dropped = i % 2 === 0;
    const interior = new Set(fwd.slice(2, -2).map((h) => h.to));
    const back = (dropped && bfs(server, client, interior)) || bfs(server, client);
    const [cAddr, sAddr] = ['10.200.0.1', '10.201.0.1'];
    const path = [client, ...fwd.map((h) => h.to)];
    const backNodes = [server, ...back.map((h) => h.to)];
    const returnPath = dropped ? backNodes.slice(0, -1) : backNodes;
    const trace = (label, direction, hops, delivered, stop) => ({
      label, direction, sightings: direction === 'forward' ? sightings(hops, cAddr, sAddr, stop) : sightings(hops, sAddr, cAddr, stop).map((s) => ({ ...s, srcPort: 443, dstPort: 20000 })),
      delivered, flags: label === 'SYN' ? 'S' : label === 'SYN-ACK' ? 'S.' : '.', payloadLength: label === 'DATA' ? 23 : 0, copies: 1, attempt: 0,
      origin: direction === 'forward' ? client : server, lastNode: delivered ? (direction === 'forward' ? server : client) : `fw${a}`,
    });
    const packets = dropped
      ? [trace('SYN', 'forward', fwd, true), trace('SYN-ACK', 'return', back, false, back.length - 1)]
      : [['SYN', 'forward'], ['SYN-ACK', 'return'], ['ACK', 'forward'], ['DATA', 'forward'], ['DATA', 'return'], ['FIN', 'forward'], ['FIN', 'return'], ['ACK', 'forward']].map(([l, d]) => trace(l, d, d === 'forward' ? fwd : back, true));
    const summary = dropped ? `SYN-ACK entered fw${a}:eth1 and never left; fw${a} had no conntrack entry (ctstate INVALID, rule asymlab:fw${a}:FORWARD:2:invalid, counter 0→1)` : 'delivered 1/1';
    flows.push({
      name: `flow-${i}`, from: client, to: `${sAddr}:443`, result: dropped ? 'dropped' : 'delivered', at: dropped ? `fw${a}` : null,
      path, returnPath, asymmetric: dropped, expected: { result: dropped ? 'dropped' : 'delivered' }, pass: true, mismatches: [], summary,
      drop: dropped ? { reason: 'firewall-rule', node: `fw${a}`, iface: back[back.length - 2].in, packet: 'SYN-ACK', facts: [summary], nflogPrefix: `asymlab:fw${a}:FORWARD:2:invalid`, chain: 'FORWARD', ruleIndex: 2, ruleLabel: 'invalid', counter: { before: 0, after: 1 }, conntrackEntry: false } : null,
      warnings: [],
      connections: [{ flow: `flow-${i}`, attempt: 0, client, server, srcAddress: cAddr, srcPort: 20000, dstAddress: sAddr, dstPort: 443, outcome: dropped ? 'timeout' : 'connected', echoed: !dropped, startedAt: ts, totalMs: dropped ? 1500 : 3 }],
      packets, trace: null,
    });
  }
  const evidence = Object.fromEntries(nodes.map((n) => [n.name, {
    conntrack: n.kind === 'firewall' ? ['tcp SYN_SENT src=10.200.0.1 dst=10.201.0.1 sport=20000 dport=443 [UNREPLIED] src=10.201.0.1 dst=10.200.0.1 sport=443 dport=20000'] : [],
    counters: n.kind === 'firewall' ? [{ table: 'filter', chain: 'FORWARD', index: 2, rule: '-A FORWARD -m conntrack --ctstate INVALID -j NFLOG', before: 0, after: 1 }] : [],
    kernel: [{ name: 'Ip.ForwDatagrams', before: 0, after: 12 }],
    routes: Array.from({ length: 20 }, (_, k) => `10.${k}.0.0/16 via 10.0.0.${k + 1} dev eth1 proto bgp`),
  }]));
  return {
    schema: 'asymlab.report/v1', revision: 2, lab: `synthetic-${total}`, file: 'synthetic.yaml', runtime: 'netns', startedAt: new Date(0).toISOString(),
    durationMs: 1, pass: true, timings: { total: 1 }, flows, topology: { nodes, links }, nodes: evidence, captures: [],
  };
}
