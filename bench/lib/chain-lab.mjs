/**
 * The lab every scale bench builds: a chain n0 - n1 - ... - n(N-1), one /30 a link, one /32 on each
 * node's lo. `routers`: each an FRR router in eBGP with both neighbours (AS 65000+i), advertising its
 * /32, so the last router learns N-1 prefixes across up to N-1 hops. `hosts`: the same nodes, links
 * and addresses, no FRR.
 */
export function chainLab(kind, n, name, runtime = 'netns') {
  const lines = [`name: ${name}`, `runtime: ${runtime}`, 'topology:', '  nodes:'];
  for (let i = 0; i < n; i++) {
    const ifaces = [];
    const nbs = [];
    if (i > 0) {
      ifaces.push(`eth1: 100.${64 + (i >> 8)}.${i & 255}.2/30`);
      nbs.push(`{address: 100.${64 + (i >> 8)}.${i & 255}.1, remote-as: ${65000 + i - 1}}`);
    }
    if (i < n - 1) {
      ifaces.push(`eth2: 100.${64 + ((i + 1) >> 8)}.${(i + 1) & 255}.1/30`);
      nbs.push(`{address: 100.${64 + ((i + 1) >> 8)}.${(i + 1) & 255}.2, remote-as: ${65000 + i + 1}}`);
    }
    const lo = `10.${i >> 8}.${i & 255}.1`;
    lines.push(`    r${i}:`, `      kind: ${kind === 'routers' ? 'router' : 'host'}`, `      interfaces: {${ifaces.join(', ')}}`, `      loopbacks: [${lo}/32]`);
    if (kind === 'routers') lines.push(`      bgp: {asn: ${65000 + i}, router-id: ${lo}, networks: [${lo}/32], neighbors: [${nbs.join(', ')}]}`);
  }
  lines.push('  links:');
  for (let i = 1; i < n; i++) lines.push(`    - endpoints: ["r${i - 1}:eth2", "r${i}:eth1"]`);
  return `${lines.join('\n')}\n`;
}

/** Every router's prefix in every other router's kernel: the chain's last route is the last of these. Pure. */
export function allRoutes(plan) {
  const routers = plan.nodes.filter((n) => n.node.bgp);
  return routers.flatMap((n) => routers.filter((o) => o !== n).flatMap((o) => o.node.bgp.networks.map((prefix) => ({ node: n.node.name, prefix }))));
}
